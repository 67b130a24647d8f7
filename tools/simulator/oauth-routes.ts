import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_CODES, rateLimitMessage } from './errors';
import { sendPlatformError } from './put-exchange';
import type { SimulatorState } from './state';
import type { TokenBucketThrottle } from './throttle';
import { announceWindowWhenWritten } from './window-announcement';

/** Client credentials of an HTTP Basic header, decoded; a part is null when its percent-escapes are malformed. */
interface BasicCredentials {
  clientId: string | null;
  clientSecret: string | null;
}

/**
 * Undoes application/x-www-form-urlencoded (`+` is a space, `%XX` a UTF-8 byte), or null for a `%` without two hex
 * digits or escapes that are not UTF-8. Stricter than URLSearchParams, which keeps a malformed escape as it is: a
 * client that sent its secret unencoded must not be let in by accident.
 */
function formUrlDecode(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Splits an HTTP Basic header into client id and secret, or null when there is none. RFC 6749 §2.3.1: both were
 * form-urlencoded before being joined with ':', so split at the first ':' and decode each part.
 */
function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { clientId: formUrlDecode(decoded.slice(0, colon)), clientSecret: formUrlDecode(decoded.slice(colon + 1)) };
}

/**
 * 429 of the login service: `Retry-After` in whole seconds and the body the API's 429s have, so a client handles
 * both alike. The grace of the bucket's window runs from when the answer was written, as for PUTs.
 */
function sendLoginRateLimited(
  reply: FastifyReply,
  bucket: TokenBucketThrottle,
  retryAfterSeconds: number,
): FastifyReply {
  announceWindowWhenWritten(reply.raw, bucket);
  void reply.header('retry-after', String(retryAfterSeconds));
  return sendPlatformError(reply, 429, ERROR_CODES.tooManyRequests, rateLimitMessage(retryAfterSeconds));
}

/**
 * `POST /oauth/token`: client-credentials grant with HTTP Basic client authentication, like the platform's login
 * host. No refresh token. Checks: credentials (401) → the client's login throttle (429) → grant type (400). The
 * throttle comes after authentication so that nobody can use up another client's logins with its client id alone.
 */
export function registerOAuthRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/oauth/token', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const credentials = parseBasicAuth(request.headers.authorization);
    const found = typeof credentials?.clientId === 'string' ? state.client(credentials.clientId) : undefined;
    if (found) found.org.counters.tokenRequests++;
    else state.countUnattributed('tokenRequests');
    // The org's login faults: out of reach (no answer at all), or slow.
    const faults = found?.org.config.faults;
    if (faults?.loginUnreachable) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (faults?.loginDelayMs) await new Promise((resolve) => setTimeout(resolve, faults.loginDelayMs));

    if (!credentials || !found || found.client.clientSecret !== credentials.clientSecret) {
      const description = credentials ? 'client authentication failed' : 'HTTP Basic client credentials are required';
      return reply.code(401).send({ error: 'invalid_client', description, error_description: description });
    }
    const { org, client } = found;
    const bucket = state.loginThrottle(org, client.clientId);
    const decision = bucket?.tryTake(request.arrivedAt || state.now()) ?? { allowed: true };
    if (bucket && !decision.allowed) {
      org.counters.login429++;
      return sendLoginRateLimited(reply, bucket, decision.retryAfterSeconds);
    }
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      const description = `grant_type must be client_credentials, got ${grantType === null ? 'none' : `"${grantType}"`}`;
      return reply.code(400).send({ error: 'unsupported_grant_type', description, error_description: description });
    }
    const ttlSeconds = org.config.tokenTtlSeconds ?? state.options.tokenTtlSeconds;
    const issued = state.tokens.issue(org.config.id, client.clientId, ttlSeconds);
    org.counters.tokensIssued++;
    return reply.code(200).send({
      access_token: issued.token,
      token_type: 'bearer',
      expires_in: ttlSeconds,
      // The platform's answer has no `scope`; the simulator's lists the client's unless the org says otherwise.
      ...(org.config.tokenResponseScope !== false && { scope: client.scopes.join(' ') }),
    });
  });
}

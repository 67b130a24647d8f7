import type { FastifyInstance } from 'fastify';
import type { SimulatorState } from './state';

/** Splits an HTTP Basic header into client id and secret, or null. */
function parseBasicAuth(header: string | undefined): { clientId: string; clientSecret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/**
 * `POST /oauth/token`: client-credentials grant with HTTP Basic client authentication, like the platform's login
 * host. No refresh token. Credentials are checked before the grant type.
 */
export function registerOAuthRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post('/oauth/token', (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const credentials = parseBasicAuth(request.headers.authorization);
    const found = credentials ? state.client(credentials.clientId) : undefined;
    if (found) found.org.counters.tokenRequests++;
    else state.countUnattributed('tokenRequests');

    if (!credentials || !found || found.client.clientSecret !== credentials.clientSecret) {
      const description = credentials ? 'client authentication failed' : 'HTTP Basic client credentials are required';
      return reply.code(401).send({ error: 'invalid_client', description, error_description: description });
    }
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      const description = `grant_type must be client_credentials, got ${grantType === null ? 'none' : `"${grantType}"`}`;
      return reply.code(400).send({ error: 'unsupported_grant_type', description, error_description: description });
    }
    const { org, client } = found;
    const ttlSeconds = org.config.tokenTtlSeconds ?? state.options.tokenTtlSeconds;
    const issued = state.tokens.issue(org.config.id, client.clientId, ttlSeconds);
    org.counters.tokensIssued++;
    return reply.code(200).send({
      access_token: issued.token,
      token_type: 'bearer',
      expires_in: ttlSeconds,
      scope: client.scopes.join(' '),
    });
  });
}

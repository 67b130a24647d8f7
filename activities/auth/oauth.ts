/**
 * The OAuth client-credentials grant, as the platform's login service speaks it: HTTP Basic client id and
 * secret, form body `grant_type=client_credentials`, answer `{access_token, token_type, expires_in, scope}`
 * and no refresh token.
 */
import { parseRetryAfter, parseRetryAfterFromBody } from '../../pacing/retry-after';
import type { AccessToken } from './token-cache';

export interface ClientCredentials {
  loginUrl: string;
  clientId: string;
  /** Read at each login, so a secret rotated in its file is picked up without a restart. */
  clientSecret: () => string;
}

/**
 * The login service refused or failed; `final` when retrying cannot help (wrong credentials); `retryAfterMs`
 * when it throttled the client (429) and said for how long.
 */
export class OAuthError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly final: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they are joined for HTTP Basic. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64');
}

export async function requestClientCredentialsToken(
  credentials: ClientCredentials,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<AccessToken> {
  let secret: string;
  try {
    secret = credentials.clientSecret();
  } catch (error) {
    throw new OAuthError((error as Error).message, undefined, false);
  }
  const basic = basicCredentials(credentials.clientId, secret);
  let response: Response;
  try {
    response = await fetch(`${credentials.loginUrl}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new OAuthError(
      `token request to ${credentials.loginUrl} failed: ${describeFetchError(error)}`,
      undefined,
      false,
    );
  }
  const text = await response.text();
  if (response.status === 429) {
    const retryAfterMs =
      parseRetryAfter(response.headers.get('retry-after'), now()) ??
      parseRetryAfterFromBody((safeJson(text) as { message?: string } | undefined)?.message);
    throw new OAuthError(
      `login service throttled client ${credentials.clientId} (429), retry after ${retryAfterMs ?? 'unknown'} ms`,
      429,
      false,
      retryAfterMs ?? 1_000,
    );
  }
  if (!response.ok) {
    // 400/401 mean the client id, secret or grant are wrong: no retry will fix that. Other codes may pass.
    const final = response.status === 400 || response.status === 401 || response.status === 403;
    throw new OAuthError(
      `login service refused client ${credentials.clientId}: HTTP ${response.status} ${summarize(text)}`,
      response.status,
      final,
    );
  }
  const body = safeJson(text) as { access_token?: unknown; expires_in?: unknown; scope?: unknown } | undefined;
  if (typeof body?.access_token !== 'string' || typeof body.expires_in !== 'number') {
    throw new OAuthError(`login service answered without access_token/expires_in`, response.status, false);
  }
  const issuedAt = now();
  return {
    value: body.access_token,
    issuedAt,
    expiresAt: issuedAt + body.expires_in * 1000,
    scopes: typeof body.scope === 'string' ? body.scope.split(/\s+/).filter(Boolean) : [],
  };
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, single-line rendering of a response body for error messages. */
export function summarize(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** fetch wraps the real cause (ECONNRESET, ECONNREFUSED, timeout) in a generic TypeError. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

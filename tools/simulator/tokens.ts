import { randomBytes } from 'node:crypto';
import type { Clock } from './throttle';

/** One issued access token, as listed by the admin test aid `GET /__admin/tokens`. */
export interface IssuedToken {
  orgId: string;
  clientId: string;
  token: string;
  /** ms epoch. */
  issuedAt: number;
  /** ms epoch; the token is refused from this instant on. */
  expiresAt: number;
  revoked: boolean;
}

/** Why a bearer token was refused. */
export type TokenRejection = 'missing' | 'unknown' | 'expired' | 'revoked';

/** Result of looking a bearer token up: valid, or refused (with the token's record when it was ours). */
export type TokenCheck =
  { valid: true; token: IssuedToken } | { valid: false; reason: TokenRejection; token?: IssuedToken };

/** Issues opaque random access tokens and answers who holds one and whether it still works. */
export class TokenStore {
  private readonly byValue = new Map<string, IssuedToken>();

  constructor(private readonly now: Clock) {}

  /** Issues a new token for a client, valid for `ttlSeconds`. */
  issue(orgId: string, clientId: string, ttlSeconds: number): IssuedToken {
    const issuedAt = this.now();
    const token: IssuedToken = {
      orgId,
      clientId,
      token: randomBytes(24).toString('base64url'),
      issuedAt,
      expiresAt: issuedAt + ttlSeconds * 1000,
      revoked: false,
    };
    this.byValue.set(token.token, token);
    return token;
  }

  /** Checks an `Authorization` header value (`Bearer <token>`). */
  check(authorization: string | undefined): TokenCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { valid: false, reason: 'missing' };
    const token = this.byValue.get(match[1]);
    if (!token) return { valid: false, reason: 'unknown' };
    if (token.revoked) return { valid: false, reason: 'revoked', token };
    if (this.now() >= token.expiresAt) return { valid: false, reason: 'expired', token };
    return { valid: true, token };
  }

  /** Revokes every token issued so far to the org; returns how many were still unrevoked. */
  revokeOrg(orgId: string): number {
    let revoked = 0;
    for (const token of this.byValue.values()) {
      if (token.orgId === orgId && !token.revoked) {
        token.revoked = true;
        revoked++;
      }
    }
    return revoked;
  }

  /** Every token issued so far, oldest first (copies). */
  list(): IssuedToken[] {
    return [...this.byValue.values()].map((t) => ({ ...t }));
  }

  /** Forgets every token (they all become unknown). */
  clear(): void {
    this.byValue.clear();
  }
}

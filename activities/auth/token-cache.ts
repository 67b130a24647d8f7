/**
 * One tenant's access token, shared by every activity of the tenant in this worker process.
 *
 * - Single flight: however many activities ask at once, one token request goes out.
 * - Refresh ahead: shortly before expiry the next token is fetched in the background while the current one
 *   keeps serving, so the queue never stalls on a refresh.
 * - After a 401 the caller invalidates the token it used; only that token is dropped, so fifty activities
 *   reporting the same 401 cause one refresh, not fifty.
 */

export interface AccessToken {
  value: string;
  /** Epoch ms it was received. */
  issuedAt: number;
  /** Epoch ms after which the API refuses it. */
  expiresAt: number;
  scopes: string[];
}

export interface TokenCacheOptions {
  /** Epoch ms; injectable so tests need no sleeping. */
  now?: () => number;
  /** Called when a background refresh fails; the current token keeps serving until it expires. */
  onBackgroundError?: (error: unknown) => void;
}

export class TokenCache {
  private current: AccessToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  private readonly now: () => number;
  /** How many token requests this cache made; tests and metrics read it. */
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<AccessToken>,
    private readonly options: TokenCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a little while yet; fetches one (once, for all callers) when needed. */
  async get(): Promise<AccessToken> {
    const token = this.current;
    const now = this.now();
    if (token && now < token.expiresAt - safetyMarginMs(token)) {
      if (now >= token.expiresAt - refreshAheadMs(token)) {
        this.refresh().catch((error: unknown) => this.options.onBackgroundError?.(error));
      }
      return token;
    }
    return this.refresh();
  }

  /**
   * Whether `token` may still be sent: a request that waited at the tenant's gate after taking its token checks
   * this before it goes, so it never goes out with a token in its last moments.
   */
  usable(token: AccessToken): boolean {
    return this.now() < token.expiresAt - safetyMarginMs(token);
  }

  /** Drops `token` if it is still the cached one (after the API refused it with 401). */
  invalidate(token: AccessToken): void {
    if (this.current?.value === token.value) this.current = undefined;
  }

  private refresh(): Promise<AccessToken> {
    this.inFlight ??= (async () => {
      try {
        this.fetches++;
        const token = await this.fetchToken();
        this.current = token;
        return token;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

/**
 * Start refreshing when a tenth of the lifetime is left (between 1 s and 5 min). Lifetimes run from 300 s to
 * 48 h on the real platform, a few seconds in tests.
 */
function refreshAheadMs(token: AccessToken): number {
  return Math.min(300_000, Math.max(1_000, (token.expiresAt - token.issuedAt) / 10));
}

/** Never send a token in its last moments: a request may take seconds to reach the API. */
function safetyMarginMs(token: AccessToken): number {
  return Math.min(5_000, refreshAheadMs(token) / 2);
}

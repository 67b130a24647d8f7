/**
 * Retry delays the activity hands to Temporal as `nextRetryDelay`. Temporal's own retry intervals carry no
 * jitter, so many batches failing together would retry together; these add it.
 */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  coefficient: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, coefficient: 2 };

/**
 * Exponential backoff with "equal jitter": half the capped delay plus a random share of the other half, so
 * retries spread out without ever collapsing to zero.
 * @param attempt 1 for the first attempt that failed
 */
export function backoffDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const capped = Math.min(policy.maxMs, policy.initialMs * policy.coefficient ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/**
 * The server's Retry-After plus a little jitter (up to 10 %, at most 1 s), so batches throttled together do
 * not all come back in the same millisecond. Never less than what the server asked.
 */
export function retryAfterWithJitterMs(retryAfterMs: number, random: () => number): number {
  return Math.round(retryAfterMs + random() * Math.min(1_000, retryAfterMs * 0.1));
}

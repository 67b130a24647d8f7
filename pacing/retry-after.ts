/**
 * Reading how long a throttled API wants us to wait. `Retry-After` is either delta-seconds or an HTTP-date
 * (RFC 9110 §10.2.3); the real platform also repeats the seconds in its 429 body ("Retry the request in [42]
 * seconds"), which serves when a proxy strips the header.
 */

/** Longest wait we take from a server at once; a longer one is honoured this long, then a probe asks again. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Milliseconds to wait according to a `Retry-After` header value, or undefined when absent or unreadable.
 * @param now epoch ms, for the HTTP-date form
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return bounded(Number(text) * 1000);
  // Only the date forms HTTP allows; Date.parse alone would also accept "1" or "tomorrow"-like junk in some engines.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return bounded(Math.max(0, at - now));
}

/** Seconds named in a 429 body such as `Retry the request in [42] seconds`, in ms. */
export function parseRetryAfterFromBody(message: string | undefined): number | undefined {
  const match = message?.match(/retry the request in \[(\d+)\] seconds/i);
  return match ? bounded(Number(match[1]) * 1000) : undefined;
}

function bounded(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 ? Math.round(Math.min(ms, MAX_RETRY_AFTER_MS)) : undefined;
}

/** What the platform's `inin-ratelimit-*` headers say of the current window: used, allowed, and when it resets. */
export interface WindowQuota {
  count: number;
  allowed: number;
  resetInMs: number;
}

/**
 * The `inin-ratelimit-count`, `-allowed` and `-reset` (seconds) headers of an answer, or undefined unless all three
 * are there and readable.
 */
export function parseWindowQuota(header: (name: string) => string | undefined): WindowQuota | undefined {
  const read = (name: string) => {
    const text = header(`inin-ratelimit-${name}`)?.trim();
    return text && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  };
  const count = read('count');
  const allowed = read('allowed');
  const reset = read('reset');
  if (count === undefined || allowed === undefined || reset === undefined || allowed < 1) return undefined;
  const resetInMs = bounded(reset * 1000);
  return resetInMs === undefined ? undefined : { count, allowed, resetInMs };
}

import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryAfterWithJitterMs } from '../../../pacing/backoff';
import {
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  parseRetryAfterFromBody,
  parseWindowQuota,
} from '../../../pacing/retry-after';

const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('42', NOW)).toBe(42_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1_500);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:05 GMT', NOW)).toBe(5_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:59:00 GMT', NOW)).toBe(0);
  });

  it('gives undefined for absent, junk or negative values', () => {
    for (const value of [undefined, null, '', '  ', 'soon', '-3', '1e3', 'tomorrow', '12 apples']) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeUndefined();
    }
  });

  it('honours a very long wait up to an hour, then asks again', () => {
    expect(parseRetryAfter(String(MAX_RETRY_AFTER_MS / 1000 + 1), NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('reads the seconds the platform repeats in its 429 body', () => {
    expect(parseRetryAfterFromBody('Rate limit exceeded the maximum. Retry the request in [42] seconds')).toBe(42_000);
    expect(parseRetryAfterFromBody('something else')).toBeUndefined();
    expect(parseRetryAfterFromBody(undefined)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and keeps at least half of the step', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(500);
    expect(backoffDelayMs(1, () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, () => 0.999999)).toBe(4_000);
    expect(backoffDelayMs(30, () => 1)).toBe(60_000);
    expect(backoffDelayMs(30, () => 0)).toBe(30_000);
  });

  it('never shortens Retry-After and adds at most 10 % or 1 s', () => {
    expect(retryAfterWithJitterMs(2_000, () => 0)).toBe(2_000);
    expect(retryAfterWithJitterMs(2_000, () => 1)).toBe(2_200);
    expect(retryAfterWithJitterMs(60_000, () => 1)).toBe(61_000);
  });
});

describe('parseWindowQuota', () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];

  it('reads the platform’s inin-ratelimit headers', () => {
    expect(
      parseWindowQuota(
        headers({ 'inin-ratelimit-count': '12', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '41' }),
      ),
    ).toEqual({ count: 12, allowed: 300, resetInMs: 41_000 });
  });

  it('gives undefined unless all three are there and readable', () => {
    expect(
      parseWindowQuota(headers({ 'inin-ratelimit-count': '12', 'inin-ratelimit-allowed': '300' })),
    ).toBeUndefined();
    expect(
      parseWindowQuota(
        headers({ 'inin-ratelimit-count': 'x', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '1' }),
      ),
    ).toBeUndefined();
    expect(
      parseWindowQuota(
        headers({ 'inin-ratelimit-count': '1', 'inin-ratelimit-allowed': '0', 'inin-ratelimit-reset': '1' }),
      ),
    ).toBeUndefined();
  });
});

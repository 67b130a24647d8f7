import { describe, expect, it } from 'vitest';
import { ThrottledAttempts, faultsBefore, mayRetryFault, mayRetryThrottled } from '../../../pacing/attempts';

const budget = { maxAttempts: 3, throttleBudgetMs: 60_000 };

describe('attempt budgets', () => {
  it('spends no attempt on throttling: 25 throttled attempts and 2 faults still leave a retry', () => {
    const facts = { attempt: 28, throttledAttempts: 25, ageMs: 30_000 };
    expect(faultsBefore(facts)).toBe(2);
    expect(mayRetryFault({ ...facts, attempt: 27 }, budget)).toBe(true);
    expect(mayRetryFault(facts, budget)).toBe(false);
    expect(mayRetryThrottled(facts, budget)).toBe(true);
  });

  it('counts attempts that never reported back (timed out, lost with their worker) as faults', () => {
    // Attempts 1-3 timed out; none was throttled.
    expect(faultsBefore({ attempt: 4, throttledAttempts: 0, ageMs: 0 })).toBe(3);
  });

  it('bounds throttling by time since the batch was first scheduled', () => {
    expect(mayRetryThrottled({ attempt: 2, throttledAttempts: 1, ageMs: 59_999 }, budget)).toBe(true);
    expect(mayRetryThrottled({ attempt: 2, throttledAttempts: 1, ageMs: 60_000 }, budget)).toBe(false);
  });
});

describe('ThrottledAttempts', () => {
  it('counts 429s and turned-away attempts per batch until the batch ends', () => {
    const counts = new ThrottledAttempts(() => 0);
    counts.add('a', 'http429');
    counts.add('a', 'http429');
    counts.add('a', 'turnedAway');
    counts.add('b', 'http429');
    expect(counts.of('a')).toEqual({ http429: 2, turnedAway: 1 });
    counts.finish('a');
    expect(counts.of('a')).toEqual({ http429: 0, turnedAway: 0 });
    expect(counts.size).toBe(1);
  });

  it('forgets batches it has not heard of for a day (moved to another process, cancelled)', () => {
    const clock = { now: 0 };
    const counts = new ThrottledAttempts(() => clock.now, 1_000);
    counts.add('gone', 'http429');
    clock.now = 2_000;
    counts.add('here', 'http429');
    expect(counts.size).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { TokenBucketThrottle, idealDurationSeconds, retryAfterSecondsFor } from '../../tools/simulator';
import { FakeClock } from './helpers';

function takeN(throttle: TokenBucketThrottle, n: number): boolean[] {
  return Array.from({ length: n }, () => throttle.tryTake().allowed);
}

describe('TokenBucketThrottle arithmetic (fake clock)', () => {
  it('admits exactly burst requests from full, then refuses with Retry-After = ceil((1 - tokens) / refill)', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle({ burst: 2, refillPerSecond: 0.5 }, { now: clock.now });
    expect(takeN(throttle, 2)).toEqual([true, true]);
    const refused = throttle.tryTake();
    expect(refused).toEqual({
      allowed: false,
      retryAfterSeconds: 2,
      violation: false,
      windowOpenUntil: clock.nowMs + 2000,
    });
  });

  it('says a fixed Retry-After when one is configured, and holds its window that long', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 10, retryAfterSeconds: 60 },
      { now: clock.now, violationGraceMs: 5 },
    );
    takeN(throttle, 1);
    const refused = throttle.tryTake();
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 60, violation: false });
    clock.advance(59_000); // the bucket is long full again, but the window is still open
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true });
    clock.advance(1_000);
    expect(throttle.tryTake().allowed).toBe(true);
  });

  it('rounds Retry-After up to at least 1 s for fast refill', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle({ burst: 2, refillPerSecond: 3 }, { now: clock.now });
    takeN(throttle, 2);
    const refused = throttle.tryTake();
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBe(1);
  });

  it('counts partial refill: 0.6 tokens at 0.5/s needs ceil(0.4/0.5) = 1 s', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle({ burst: 1, refillPerSecond: 0.5 }, { now: clock.now });
    throttle.tryTake();
    clock.advance(1200); // 0.6 tokens
    const refused = throttle.tryTake();
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBe(1);
    expect(retryAfterSecondsFor(0.6, 0.5)).toBe(1);
    expect(retryAfterSecondsFor(0, 0.25)).toBe(4);
  });

  it('has a token again exactly when Retry-After has passed', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 2, refillPerSecond: 0.5 },
      { now: clock.now, violationGraceMs: 5 },
    );
    takeN(throttle, 3);
    clock.advance(2000);
    expect(throttle.tryTake().allowed).toBe(true);
    expect(throttle.tryTake().allowed).toBe(false);
  });

  it('refuses everything inside the window as violations without spending tokens, except during the grace', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 0.5 },
      { now: clock.now, violationGraceMs: 5 },
    );
    throttle.tryTake();
    const opened = throttle.tryTake(); // 429, window 2 s
    expect(opened).toMatchObject({ allowed: false, retryAfterSeconds: 2, violation: false });

    clock.advance(4); // still in the grace: answered by the bucket, not a violation; its 429 extends the window
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: false, windowOpenUntil: clock.nowMs + 2000 });

    clock.advance(1); // grace over
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true, retryAfterSeconds: 2 });
    clock.advance(1095); // 0.904 s left → remaining whole seconds = 1
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true, retryAfterSeconds: 1 });
    expect(throttle.windowOpenUntil()).toBe(clock.nowMs + 904);

    clock.advance(904); // window closed; the refused requests spent nothing, so the bucket has 1 token
    expect(throttle.windowOpenUntil()).toBeNull();
    expect(throttle.tryTake()).toEqual({ allowed: true });
  });

  it('runs the grace from when the 429 that opened the window was written, not from when it was decided', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 0.5 },
      { now: clock.now, violationGraceMs: 25 },
    );
    takeN(throttle, 2); // the second opens the window at t = 0
    clock.advance(30);
    throttle.windowAnnounced(); // its response finished writing 30 ms later
    throttle.roundAfterAnnouncementOver(); // and the next round of I/O came at once
    clock.advance(20);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: false }); // 20 ms after: on the wire
    clock.advance(10);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true });
  });

  it('counts a request read in the round after the 429 was written as on the wire, however late its stamp', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 1 },
      { now: clock.now, violationGraceMs: 25 },
    );
    takeN(throttle, 2); // the window opens at t = 0 …
    throttle.windowAnnounced(); // … its 429 is written, and the server then stalls 40 ms before its next round
    clock.advance(40);
    // Written before its client could read the 429 (that takes the next round): decided by the bucket.
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: false, onTheWire: true });
    throttle.roundAfterAnnouncementOver();
    clock.advance(1);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true });
    expect(throttle.tryTake()).not.toHaveProperty('onTheWire');
  });

  it('judges a request by when it arrived, not by when a busy server decided it', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 1 },
      { now: clock.now, violationGraceMs: 25 },
    );
    takeN(throttle, 2); // the window opens at t = 0 …
    throttle.windowAnnounced(); // … and its 429 leaves at once
    throttle.roundAfterAnnouncementOver();
    clock.advance(100);
    // Arrived 10 ms after the 429 left, decided 100 ms after: on the wire, no violation.
    expect(throttle.tryTake(clock.nowMs - 90)).toMatchObject({ allowed: false, violation: false });
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: true });
  });

  it('admits in the grace when the bucket has refilled meanwhile', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle(
      { burst: 1, refillPerSecond: 1000 },
      { now: clock.now, violationGraceMs: 5 },
    );
    throttle.tryTake();
    expect(throttle.tryTake().allowed).toBe(false); // 0 tokens, window 1 s
    clock.advance(2); // 2 tokens' worth, capped at 1
    expect(throttle.tryTake().allowed).toBe(true);
  });

  it('keeps tokens capped when limits drop at runtime and reports snapshot and header values', () => {
    const clock = new FakeClock();
    const throttle = new TokenBucketThrottle({ burst: 10, refillPerSecond: 2 }, { now: clock.now });
    takeN(throttle, 3);
    expect(throttle.rateLimitHeaderValues()).toEqual({ allowed: 10, count: 3, resetSeconds: 2 });
    throttle.setLimits({ burst: 4, refillPerSecond: 1 });
    expect(throttle.snapshot()).toEqual({ burst: 4, refillPerSecond: 1, tokens: 4, windowOpenUntil: null });
    throttle.reset();
    expect(throttle.tokens()).toBe(4);
  });

  it('computes the ideal duration of n requests', () => {
    expect(idealDurationSeconds(500, { burst: 50, refillPerSecond: 8 })).toBeCloseTo(56.25);
    expect(idealDurationSeconds(40, { burst: 50, refillPerSecond: 8 })).toBe(0);
    expect(idealDurationSeconds(1000, null)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { idealDurationSeconds } from '../../../simulator/throttle';
import {
  INCREASE_EVERY_MS,
  changeLimits,
  initialPacer,
  recordSuccess,
  recordThrottle,
  reserve,
} from '../../../workflows/pacing';
import { simulate } from './pacing-sim';

describe('pacer rules', () => {
  it('is unpaced while learning, then measures the refill between two 429s', () => {
    const pacer = initialPacer({}, 0);
    for (let i = 0; i < 50; i++) expect(reserve(pacer, 0)).toBe(0);
    recordThrottle(pacer, 1_000); // the burst is spent
    expect(pacer.mode).toBe('learning');
    for (let i = 0; i < 16; i++) recordSuccess(pacer);
    recordThrottle(pacer, 3_000); // 16 successes in 2 s: refill 8/s
    expect(pacer.mode).toBe('learned');
    expect(pacer.estimatedPerSecond).toBe(8);
    expect(pacer.ratePerSecond).toBeCloseTo(8 * 0.97);
  });

  it('treats 429s close together as one event', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 1_000);
    for (let i = 0; i < 10; i++) recordSuccess(pacer);
    recordThrottle(pacer, 2_000);
    const rate = pacer.ratePerSecond;
    recordThrottle(pacer, 2_050);
    recordThrottle(pacer, 2_100);
    expect(pacer.ratePerSecond).toBe(rate);
    expect(pacer.windowStartedAt).toBe(2_000);
  });

  it('spaces requests at the rate and owes a token for each throttled request', () => {
    const pacer = initialPacer({ ratePerSecond: 4, burst: 2 }, 0);
    expect([reserve(pacer, 0), reserve(pacer, 0), reserve(pacer, 0), reserve(pacer, 0)]).toEqual([0, 0, 250, 500]);
    const later = initialPacer({ ratePerSecond: 4, burst: 1 }, 0);
    reserve(later, 0);
    recordThrottle(later, 100);
    expect(reserve(later, 100)).toBeGreaterThan(100 + 250); // the retry's token first
  });

  it('never goes above a configured rate, and comes down to a lower measured one', () => {
    const pacer = initialPacer({ ratePerSecond: 10 }, 0);
    recordThrottle(pacer, 1_000);
    for (let i = 0; i < 8; i++) recordSuccess(pacer);
    recordThrottle(pacer, 3_000); // the API refills 4/s, less than configured
    expect(pacer.ratePerSecond).toBeCloseTo(10 * 0.5); // at most halved at one 429
    for (let i = 0; i < 8; i++) recordSuccess(pacer);
    recordThrottle(pacer, 5_000);
    expect(pacer.ratePerSecond).toBeCloseTo(4 * 0.97);
    // A long quiet spell climbs back, never past the ceiling.
    for (let t = 5_000; t < 5_000 + 500 * INCREASE_EVERY_MS; t += INCREASE_EVERY_MS) reserve(pacer, t);
    expect(pacer.ratePerSecond).toBe(10);
  });

  it('follows limits changed while the job runs', () => {
    const pacer = initialPacer({}, 0);
    changeLimits(pacer, { ratePerSecond: 5 }, 0);
    expect(pacer).toMatchObject({ mode: 'configured', ratePerSecond: 5, ceilingPerSecond: 5 });
    changeLimits(pacer, { ratePerSecond: 2 }, 0);
    expect(pacer.ratePerSecond).toBe(2);
    changeLimits(pacer, {}, 0);
    expect(pacer.mode).toBe('learning');
    expect(pacer.ratePerSecond).toBeUndefined();
  });
});

/** The user report: 500 PUTs, about 50 then 429, refill 8/s. */
const REPORT = { requests: 500, api: { burst: 50, refillPerSecond: 8 }, concurrency: 5, latencyMs: 30, dispatchMs: 15 };
const idealMs = idealDurationSeconds(REPORT.requests, REPORT.api) * 1000;

describe('pacer against the simulator’s throttle (simulated time)', () => {
  it('learns the limit from 429s alone: within 15 % of the ideal, at most 2 % of requests throttled, no violation', () => {
    const result = simulate({ ...REPORT, limits: {} });
    expect(result.makespanMs / idealMs).toBeLessThanOrEqual(1.15);
    expect(result.throttled / result.sent).toBeLessThanOrEqual(0.02);
    expect(result.violations).toBe(0);
    expect(result.pacer.mode).toBe('learned');
  });

  it('with the limit configured: within 5 % of the ideal and no 429 at all', () => {
    const result = simulate({ ...REPORT, limits: { ratePerSecond: 8, burst: 50 } });
    expect(result.makespanMs / idealMs).toBeLessThanOrEqual(1.05);
    expect(result.throttled).toBe(0);
  });

  it('learns a limit that drops mid-job', () => {
    const result = simulate({
      ...REPORT,
      api: { burst: 50, refillPerSecond: 16 },
      limits: {},
      dropAt: { share: 0.3, refillPerSecond: 4 },
    });
    // 50 in the burst, 100 more at 16/s, the remaining 350 at 4/s.
    const piecewiseIdealMs = (100 / 16 + 350 / 4) * 1000;
    expect(result.makespanMs / piecewiseIdealMs).toBeLessThanOrEqual(1.15);
    expect(result.throttled / result.sent).toBeLessThanOrEqual(0.03);
    expect(result.violations).toBe(0);
  });
});

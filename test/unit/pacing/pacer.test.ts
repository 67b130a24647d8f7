import { describe, expect, it } from 'vitest';
import { idealDurationSeconds } from '../../../tools/simulator/throttle';
import {
  MAX_PROVISIONAL_STEP,
  MIN_RATE,
  PROBE_EVERY_MS,
  PROVISIONAL_PROBE_EVERY_MS,
  RATE_MARGIN,
  changeLimits,
  CONFIGURED_RATE_MARGIN,
  FIRST_MARGIN,
  initialPacer,
  recordSuccess,
  recordThrottle,
  reserve,
} from '../../../pacing/pacer';
import { simulate } from './tenant-model';

describe('pacer rules', () => {
  it('is unpaced while learning, then measures the refill over one Retry-After cycle', () => {
    const pacer = initialPacer({}, 0);
    for (let i = 0; i < 50; i++) expect(reserve(pacer, 0)).toBe(0);
    recordThrottle(pacer, 1_000, 1_000); // the burst is spent
    expect(pacer.mode).toBe('learning');
    expect(reserve(pacer, 1_000)).toBe(1_000); // still unpaced: the cycle measures what the API refills
    for (let i = 0; i < 10; i++) recordSuccess(pacer);
    recordThrottle(pacer, 2_250, 1_000); // 10 successes in 1.25 s: refill 8/s
    expect(pacer.mode).toBe('learned');
    expect(pacer.estimatedPerSecond).toBe(8);
    expect(pacer.ratePerSecond).toBeCloseTo(8 * FIRST_MARGIN);
  });

  it('measures later windows only when long enough, slowing down a little meanwhile', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 0, 1_000);
    for (let i = 0; i < 10; i++) recordSuccess(pacer);
    recordThrottle(pacer, 1_250, 1_000);
    const learned = pacer.ratePerSecond!;
    for (let i = 0; i < 3; i++) recordSuccess(pacer);
    recordThrottle(pacer, 2_000, 1_000); // 0.75 s, 3 successes: no measurement
    expect(pacer.ratePerSecond).toBeCloseTo(learned * 0.85);
    expect(pacer.windowStartedAt).toBe(1_250);
    for (let i = 0; i < 21; i++) recordSuccess(pacer);
    recordThrottle(pacer, 4_250, 1_000); // 24 successes in 3 s
    expect(pacer.estimatedPerSecond).toBe(8);
    expect(pacer.ratePerSecond).toBeCloseTo(8 * 0.97);
  });

  it('probes quickly above a first measurement that came out low, until a later 429 measures it', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 0, 1_000);
    for (let i = 0; i < 6; i++) recordSuccess(pacer);
    recordThrottle(pacer, 1_000, 1_000); // 6/s measured; say the API refills 8/s
    expect(pacer.provisionalProbes).toBe(0);
    const steps: number[] = [];
    for (let t = 1_000; t <= 25_000; t += 100) {
      reserve(pacer, t);
      if (steps.at(-1) !== pacer.ratePerSecond) steps.push(pacer.ratePerSecond!);
    }
    // Back to the measurement first, then steps of 5, 10, 20, 20 … %: past 8/s well inside the 24 s.
    expect(steps[0]).toBeCloseTo(6 * FIRST_MARGIN);
    expect(pacer.ratePerSecond).toBeGreaterThan(8);
    for (let i = 1; i < steps.length; i++)
      expect(steps[i]! / steps[i - 1]!).toBeLessThanOrEqual(1 + MAX_PROVISIONAL_STEP + 1e-9);
    // The 429 that comes of it measures a long window: no more quick probes, the rate settles under the refill.
    for (let i = 0; i < 192; i++) recordSuccess(pacer);
    recordThrottle(pacer, 25_000, 1_000);
    expect(pacer.estimatedPerSecond).toBe(8);
    expect(pacer.provisionalProbes).toBeUndefined();
    expect(pacer.ratePerSecond).toBeCloseTo(8 * 0.97);
    reserve(pacer, 25_000 + PROVISIONAL_PROBE_EVERY_MS);
    expect(pacer.ratePerSecond).toBeCloseTo(8 * 0.97);
  });

  it('does not let unmeasured 429s take the rate below one request per Retry-After', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 0, 1_000);
    recordSuccess(pacer);
    recordThrottle(pacer, 1_050, 1_000); // the first cycle: about 1/s
    const learned = pacer.ratePerSecond!;
    // A 429 every 1.2 s with a success between: too few successes (under 8) to measure.
    for (let t = 2_250; t < 9_000; t += 1_200) {
      recordSuccess(pacer);
      recordThrottle(pacer, t, 1_000);
    }
    expect(pacer.ratePerSecond).toBeCloseTo(Math.min(learned, RATE_MARGIN));
  });

  it('takes one request per Retry-After when the first cycle counted no success', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 0, 1_000);
    recordThrottle(pacer, 1_200, 1_000); // a retry of the burst's last requests, throttled again
    expect(pacer.mode).toBe('learned');
    expect(pacer.ratePerSecond).toBeCloseTo(RATE_MARGIN);
  });

  it('after a long spell in which nothing went through, climbs back quickly once requests succeed again', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 0, 1_000);
    for (let i = 0; i < 20; i++) recordSuccess(pacer);
    recordThrottle(pacer, 1_000, 1_000); // 20/s measured
    // Ten minutes of 429s to every probe, Retry-After 1 s: each long window measures nothing, the rate falls.
    let t = 1_000;
    while (t < 601_000) {
      t = Math.max(t + 1_000, reserve(pacer, t));
      recordThrottle(pacer, t, 1_000);
    }
    expect(pacer.ratePerSecond).toBeCloseTo(MIN_RATE);
    expect(pacer.starvedRetryAfterMs).toBe(1_000);
    // The throttle lifts: every request succeeds. From one request per Retry-After, quick probes (5, 10, then 20 %
    // every 3 s), not 2 % every 10 s from the floor.
    const liftedAt = t;
    let sent = 0;
    while (sent < 100) {
      t = Math.max(t + 1, reserve(pacer, t));
      recordSuccess(pacer, 1, t);
      sent++;
    }
    expect(pacer.provisionalProbes).toBeGreaterThan(0);
    // From the floor by the slow probe alone, 100 requests would take over half an hour.
    expect(t - liftedAt).toBeLessThan(90_000);
    expect(pacer.ratePerSecond).toBeGreaterThan(2);
  });

  it('treats 429s close together as one event', () => {
    const pacer = initialPacer({}, 0);
    recordThrottle(pacer, 1_000, 1_000);
    for (let i = 0; i < 30; i++) recordSuccess(pacer);
    recordThrottle(pacer, 4_000, 1_000);
    const rate = pacer.ratePerSecond;
    recordThrottle(pacer, 4_050);
    recordThrottle(pacer, 4_100);
    expect(pacer.ratePerSecond).toBe(rate);
    expect(pacer.windowStartedAt).toBe(4_000);
  });

  it('spaces requests at the rate and owes a token for each throttled request', () => {
    // 5/s with a burst of 3 is planned with slack: 4.9/s, 2 at once.
    const pacer = initialPacer({ ratePerSecond: 5, burst: 3 }, 0);
    expect([reserve(pacer, 0), reserve(pacer, 0), reserve(pacer, 0), reserve(pacer, 0)]).toEqual([0, 0, 205, 409]);
    const later = initialPacer({ ratePerSecond: 4, burst: 1 }, 0);
    reserve(later, 0);
    recordThrottle(later, 100);
    expect(reserve(later, 100)).toBeGreaterThan(100 + 250); // the retry's token first
  });

  it('never goes above a configured rate, and comes down to a lower measured one', () => {
    const pacer = initialPacer({ ratePerSecond: 10 }, 0);
    recordThrottle(pacer, 1_000);
    for (let i = 0; i < 12; i++) recordSuccess(pacer);
    recordThrottle(pacer, 4_000); // the API refills 4/s, less than configured
    expect(pacer.ratePerSecond).toBeCloseTo(10 * CONFIGURED_RATE_MARGIN * 0.5); // at most halved at one 429
    for (let i = 0; i < 12; i++) recordSuccess(pacer);
    recordThrottle(pacer, 7_000);
    expect(pacer.ratePerSecond).toBeCloseTo(4 * 0.97);
    // A long quiet spell climbs back, never past the ceiling.
    for (let t = 5_000; t < 5_000 + 500 * PROBE_EVERY_MS; t += PROBE_EVERY_MS) reserve(pacer, t);
    expect(pacer.ratePerSecond).toBe(10 * CONFIGURED_RATE_MARGIN);
  });

  it('follows limits changed while the job runs', () => {
    const pacer = initialPacer({}, 0);
    changeLimits(pacer, { ratePerSecond: 5 }, 0);
    expect(pacer).toMatchObject({ mode: 'configured', ratePerSecond: 4.9, ceilingPerSecond: 4.9, burst: 4 });
    changeLimits(pacer, { ratePerSecond: 2 }, 0);
    expect(pacer.ratePerSecond).toBe(2 * CONFIGURED_RATE_MARGIN);
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

  it('learns limits from 5/s to 50/s at latencies from 5 to 200 ms within the targets', () => {
    for (const refillPerSecond of [5, 8, 20, 50]) {
      for (const latencyMs of [5, 50, 200]) {
        // Only where the window, not the API, is the limit would the ideal be out of reach.
        if (refillPerSecond * ((latencyMs + REPORT.dispatchMs) / 1000) > REPORT.concurrency) continue;
        const api = { burst: 50, refillPerSecond };
        const requests = 50 + refillPerSecond * 60;
        const result = simulate({ ...REPORT, requests, api, latencyMs, limits: {} });
        const label = `${refillPerSecond}/s at ${latencyMs} ms`;
        expect(result.makespanMs / (idealDurationSeconds(requests, api) * 1000), label).toBeLessThanOrEqual(1.15);
        expect(result.throttled / result.sent, label).toBeLessThanOrEqual(0.02);
        expect(result.violations, label).toBe(0);
      }
    }
  });

  it('at 1 request per second, learned from 429s alone, stays within 15 % of the ideal', () => {
    const api = { burst: 5, refillPerSecond: 1 };
    const result = simulate({ ...REPORT, requests: 100, api, latencyMs: 20, limits: {} });
    expect(result.makespanMs / (idealDurationSeconds(100, api) * 1000)).toBeLessThanOrEqual(1.15);
    expect(result.violations).toBe(0);
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

import { describe, expect, it } from 'vitest';
import { jobIdeal, ratioToIdeal, requestsFor, throttleIdealSeconds } from '../../../tools/bench/ideal';
import { runTimeoutMs, scenarioIdeal, scenarios } from '../../../tools/bench/scenarios';

const userReport = { burst: 50, refillPerSecond: 8 };

describe('ideal makespan', () => {
  it('counts PUTs per schedule, batches never crossing one', () => {
    expect(requestsFor([500], 1)).toBe(500);
    expect(requestsFor([500], 25)).toBe(20);
    expect(requestsFor([167, 167, 166], 25)).toBe(21);
  });

  it('is the burst at once, then one request per refill', () => {
    expect(throttleIdealSeconds(500, userReport)).toBe(56.25);
    expect(throttleIdealSeconds(50, userReport)).toBe(0);
    expect(throttleIdealSeconds(500, null)).toBe(0);
  });

  it('is piecewise when the limit drops mid-job', () => {
    const drop = { afterMs: 9_750, to: { burst: 20, refillPerSecond: 2 } };
    // 20 + 8 × 9.75 = 98 sent before the drop, 52 left at 2/s.
    expect(throttleIdealSeconds(150, { burst: 20, refillPerSecond: 8 }, drop)).toBe(35.75);
    // Done before the drop: the drop changes nothing.
    expect(throttleIdealSeconds(60, { burst: 20, refillPerSecond: 8 }, drop)).toBe(5);
  });

  it("is the slowest tenant's, with a ratio only where the throttle sets it", () => {
    const tenant = { latencyMs: 0, concurrency: 5 };
    const ideal = jobIdeal([
      { ...tenant, requests: 500, throttle: userReport },
      { ...tenant, requests: 500, throttle: { burst: 50, refillPerSecond: 16 } },
    ]);
    expect(ideal).toEqual({ idealMs: 56_250, throttleBound: true });
    expect(ratioToIdeal(61_875, ideal)).toBe(1.1);

    const unthrottled = jobIdeal([{ requests: 1000, throttle: null, latencyMs: 5, concurrency: 20 }]);
    expect(unthrottled).toEqual({ idealMs: 250, throttleBound: false });
    expect(ratioToIdeal(10_000, unthrottled)).toBeNull();
  });

  it('gives the documented ideals of the full scenarios', () => {
    const ideals = Object.fromEntries(scenarios(false).map((s) => [s.id, scenarioIdeal(s).idealMs]));
    expect(ideals).toEqual({ a: 56_250, b: 80, c: 20_000, d: 18_750, e: 125, f: 22_000 });
  });

  it('stops a run at 1.5 × the ideal + 20 s, or 20 PUTs a second when that is longer', () => {
    const timeouts = Object.fromEntries(scenarios(false).map((s) => [s.id, runTimeoutMs(s)]));
    expect(timeouts).toMatchObject({ a: 250_000, c: 125_000, d: 48_125, e: 250_000 });
  });
});

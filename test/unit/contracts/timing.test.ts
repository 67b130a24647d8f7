import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';
import {
  DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_LEASE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SCHEDULE_TO_START_MS,
  GIVE_BACK_WAIT_MS,
  HOLD_HEARTBEAT_THROTTLE_MS,
  LEGACY_PUT_HEARTBEAT_TIMEOUT_MS,
  MAX_GATE_WAIT_MS,
  PUT_FIRST_HEARTBEAT_MS,
  PUT_HEARTBEAT_EVERY_MS,
  PUT_HEARTBEAT_THROTTLE_MS,
  PUT_HEARTBEAT_TIMEOUT_MS,
  SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS,
  SERVE_TENANT_BEAT_MS,
  fenceMarginMs,
  leaseRenewEveryMs,
  putBatchStartToCloseMs,
} from '../../../contracts/timing';

/**
 * How often the SDK sends an activity's heartbeats: 0.8 × its heartbeat timeout, but never less often than the
 * Worker's `maxHeartbeatThrottleInterval` (WorkerOptions).
 */
function sdkThrottleMs(heartbeatTimeoutMs: number, maxThrottleMs: number): number {
  return Math.min(0.8 * heartbeatTimeoutMs, maxThrottleMs);
}

/** Lease timeouts in use: the default, and the shorter and longer ones of tests, fault scenarios and tuning. */
const LEASE_TIMEOUTS_MS = [1_000, 3_000, 5_000, DEFAULT_LEASE_TIMEOUT_MS, 30_000, 60_000];

describe('the lease and its hold', () => {
  it('a job asks for the lease timeout a lease has without one', () => {
    expect(DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS).toBe(DEFAULT_LEASE_TIMEOUT_MS);
  });

  it("the Worker's throttle, not the SDK's 0.8 × timeout, spaces a hold's heartbeats: two per timeout", () => {
    expect(HOLD_HEARTBEAT_THROTTLE_MS).toBeLessThan(0.8 * DEFAULT_LEASE_TIMEOUT_MS);
    expect(sdkThrottleMs(DEFAULT_LEASE_TIMEOUT_MS, HOLD_HEARTBEAT_THROTTLE_MS)).toBe(HOLD_HEARTBEAT_THROTTLE_MS);
    // Fault scenario 11 asks the same with the worst event-loop delay added to the throttle.
    expect(2 * HOLD_HEARTBEAT_THROTTLE_MS).toBeLessThanOrEqual(DEFAULT_LEASE_TIMEOUT_MS);
  });

  it('a serveTenant hold has a beat ready whenever the SDK may send one', () => {
    expect(SERVE_TENANT_BEAT_MS).toBeLessThanOrEqual(HOLD_HEARTBEAT_THROTTLE_MS);
    const worstGap =
      SERVE_TENANT_BEAT_MS + sdkThrottleMs(DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS, HOLD_HEARTBEAT_THROTTLE_MS);
    expect(2 * worstGap).toBeLessThanOrEqual(DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS);
  });

  it.each(LEASE_TIMEOUTS_MS)('the fence margin lies inside a lease timeout of %i ms', (timeoutMs) => {
    expect(fenceMarginMs(timeoutMs)).toBeGreaterThan(0);
    expect(fenceMarginMs(timeoutMs)).toBeLessThan(timeoutMs);
  });

  it.each(LEASE_TIMEOUTS_MS)('one late renewal never lets a lease of %i ms lapse', (timeoutMs) => {
    // A renewal answered proves the lease for the timeout less the margin: two renewals at least fall in it.
    expect(timeoutMs - fenceMarginMs(timeoutMs)).toBeGreaterThanOrEqual(2 * leaseRenewEveryMs(timeoutMs));
  });

  it.each(LEASE_TIMEOUTS_MS)("the SDK's own heartbeat of a hold goes out within a timeout of %i ms", (timeoutMs) => {
    const sdkGap = Math.max(sdkThrottleMs(timeoutMs, HOLD_HEARTBEAT_THROTTLE_MS), leaseRenewEveryMs(timeoutMs));
    expect(sdkGap).toBeLessThan(timeoutMs);
  });

  it('a holder giving the lease back waits out a request of the default timeout', () => {
    expect(GIVE_BACK_WAIT_MS).toBeGreaterThan(DEFAULT_REQUEST_TIMEOUT_MS);
  });
});

describe("a batch's write", () => {
  it('a job requests with the default request timeout', () => {
    expect(DEFAULT_JOB_OPTIONS.requestTimeoutMs).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
  });

  it.each([
    ['on the lease', PUT_HEARTBEAT_TIMEOUT_MS],
    ['on a serveTenant hold', LEGACY_PUT_HEARTBEAT_TIMEOUT_MS],
  ])('an attempt %s beats at least twice per heartbeat timeout, through the throttle', (_, timeoutMs) => {
    expect(PUT_HEARTBEAT_EVERY_MS).toBeLessThanOrEqual(PUT_HEARTBEAT_THROTTLE_MS);
    expect(PUT_HEARTBEAT_THROTTLE_MS).toBeLessThan(0.8 * timeoutMs);
    const worstGap = PUT_HEARTBEAT_EVERY_MS + sdkThrottleMs(timeoutMs, PUT_HEARTBEAT_THROTTLE_MS);
    expect(2 * worstGap).toBeLessThanOrEqual(timeoutMs);
  });

  it("an attempt's first beat goes out within half its heartbeat timeout, and no later than the SDK would send it", () => {
    expect(PUT_FIRST_HEARTBEAT_MS).toBeLessThanOrEqual(PUT_HEARTBEAT_TIMEOUT_MS / 2);
    expect(PUT_FIRST_HEARTBEAT_MS).toBeLessThanOrEqual(PUT_HEARTBEAT_THROTTLE_MS);
  });

  it("an attempt's start-to-close covers the longest gate wait and three requests of its timeout", () => {
    for (const requestTimeoutMs of [1_000, DEFAULT_REQUEST_TIMEOUT_MS, 600_000]) {
      const startToClose = putBatchStartToCloseMs(requestTimeoutMs);
      expect(startToClose).toBeGreaterThan(MAX_GATE_WAIT_MS + 3 * requestTimeoutMs);
      // A Genesys batch keeps its margin back and still has time to wait for its update.
      expect(startToClose - SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS).toBeGreaterThan(MAX_GATE_WAIT_MS);
    }
    // The margin holds a last read-back of the default request timeout.
    expect(SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS).toBeGreaterThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MS);
  });

  it('a batch waits on a dead holder longer than the lease takes to move', () => {
    expect(DEFAULT_SCHEDULE_TO_START_MS).toBeGreaterThan(DEFAULT_LEASE_TIMEOUT_MS);
  });
});

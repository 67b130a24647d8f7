/**
 * The fastest time the simulator's limits allow for a job: the lower bound every system is measured against.
 * Pure arithmetic, unit-tested in test/unit/bench/ideal.test.ts.
 */
import type { ThrottleLimits } from '../simulator/config';
import { idealDurationSeconds } from '../simulator/throttle';

/** A tenant's throttle falls to `to` this many ms after the job's first PUT. */
export interface LimitDrop {
  afterMs: number;
  to: ThrottleLimits;
}

export interface TenantLoad {
  /** PUTs the tenant needs (batches). */
  requests: number;
  /** null = unthrottled. */
  throttle: ThrottleLimits | null;
  drop?: LimitDrop;
  /** Fixed latency of every PUT, ms. */
  latencyMs: number;
  /** PUTs in flight at once. */
  concurrency: number;
}

/** PUTs for schedules of these sizes: batches never cross a schedule (contracts/plan.ts). */
export function requestsFor(scheduleSizes: readonly number[], batchSize: number): number {
  return scheduleSizes.reduce((sum, size) => sum + Math.ceil(size / batchSize), 0);
}

/**
 * Seconds a perfect sender needs at the throttle: the burst at once, then one request per refill. With a drop,
 * piecewise: until the drop the sender has drained the bucket, so afterwards only the new refill rate counts.
 */
export function throttleIdealSeconds(requests: number, throttle: ThrottleLimits | null, drop?: LimitDrop): number {
  const undisturbed = idealDurationSeconds(requests, throttle);
  if (!throttle || !drop) return undisturbed;
  const dropAt = drop.afterMs / 1000;
  if (undisturbed <= dropAt) return undisturbed;
  const sentBeforeDrop = throttle.burst + throttle.refillPerSecond * dropAt;
  return dropAt + (requests - sentBeforeDrop) / drop.to.refillPerSecond;
}

/**
 * Seconds from the first to the last of `requests` at fixed windows of `limit.requests` each, a window opening with
 * the first request after the previous one ended: the last request's window opens no sooner than (windows − 1) ×
 * the window's length after the first.
 */
export function fixedWindowIdealSeconds(requests: number, limit: { requests: number; windowSeconds: number }): number {
  if (requests <= 0) return 0;
  return (Math.ceil(requests / limit.requests) - 1) * limit.windowSeconds;
}

/** Seconds the requests take on the wire alone, `concurrency` at a time: the bound when nothing throttles. */
export function latencyBoundSeconds(load: TenantLoad): number {
  return (load.requests * load.latencyMs) / 1000 / load.concurrency;
}

export interface Ideal {
  /** The job's lower bound: its slowest tenant's. */
  idealMs: number;
  /**
   * True when the throttle sets the bound. False when every request fits in the bursts (or nothing is
   * throttled): the bound is then latency alone, and a ratio to it would measure orchestration overhead, which
   * the bench reports as activities per second instead.
   */
  throttleBound: boolean;
}

export function jobIdeal(tenants: readonly TenantLoad[]): Ideal {
  let idealMs = 0;
  let throttleBound = false;
  for (const tenant of tenants) {
    const throttleMs = throttleIdealSeconds(tenant.requests, tenant.throttle, tenant.drop) * 1000;
    if (throttleMs > 0) throttleBound = true;
    idealMs = Math.max(idealMs, throttleMs, latencyBoundSeconds(tenant) * 1000);
  }
  return { idealMs: Math.round(idealMs), throttleBound };
}

/** Makespan ÷ ideal, or null where the ideal is not set by the throttle (see {@link Ideal}). */
export function ratioToIdeal(makespanMs: number, ideal: Ideal): number | null {
  if (!ideal.throttleBound || ideal.idealMs <= 0) return null;
  return Math.round((makespanMs / ideal.idealMs) * 1000) / 1000;
}

/**
 * The tenant's pacer: when may the next PUT of a tenant go, across every worker process. It lives in the tenant
 * workflow (deterministic: it sees only event times and counts), so its state is durable, survives
 * continue-as-new, and shows in the progress query.
 *
 * The API's throttle is a token bucket we cannot see: it answers 429 with Retry-After and nothing else. So:
 * - Until the first 429s, requests go as fast as the window allows: the API's initial burst is used at once.
 * - A 429 means the API's bucket is empty at that moment. Between two such moments, every request that
 *   succeeded was paid for by the bucket's refill, so successes ÷ elapsed time is the refill rate. The pacer
 *   then sends just under it (multiplicative decrease to the estimate) and creeps up slowly while no 429 comes
 *   (additive increase), so it finds a raised limit and learns a lowered one at the next 429.
 * - A configured rate (and burst) is a ceiling: the pacer starts there and never goes above it.
 *
 * Each request takes a token of the pacer's own bucket and is given a "not before" time; the worker process
 * holds the request until then.
 */
import type { PacerLimits, PacerState } from '../contracts/job';

/** Sends this share of the estimated refill rate: a little under, so the API's bucket never quite runs dry. */
export const RATE_MARGIN = 0.97;
/** 429s closer together than this answered requests that were already on the wire together: one event. */
export const THROTTLE_CLUSTER_MS = 500;
/** A window shorter than this gives too noisy an estimate; it only extends the cluster. */
export const MIN_ESTIMATE_WINDOW_MS = 800;
/** While no 429 comes, the rate grows by this share of itself… */
export const INCREASE_STEP = 0.02;
/** …this often. */
export const INCREASE_EVERY_MS = 10_000;
/** At one 429 the rate falls to no less than this share of itself. */
export const MAX_DECREASE = 0.5;
/** The pacer never plans slower than this (requests per second). */
export const MIN_RATE = 0.05;

export function initialPacer(limits: PacerLimits, now: number): PacerState {
  if (limits.ratePerSecond === undefined) {
    return { mode: 'learning', burst: 1, tokens: 1, updatedAt: now, windowSuccesses: 0 };
  }
  const burst = Math.max(1, limits.burst ?? limits.ratePerSecond);
  return {
    mode: 'configured',
    ratePerSecond: limits.ratePerSecond,
    ceilingPerSecond: limits.ratePerSecond,
    burst,
    tokens: burst,
    updatedAt: now,
    windowSuccesses: 0,
    rateChangedAt: now,
  };
}

/** New limits set while the job runs (`setLimits`): the ceiling moves; a learned rate above it comes down. */
export function changeLimits(state: PacerState, limits: PacerLimits, now: number): void {
  refill(state, now);
  if (limits.ratePerSecond === undefined) {
    delete state.ceilingPerSecond;
    if (state.mode === 'configured') state.mode = state.estimatedPerSecond ? 'learned' : 'learning';
    if (state.mode === 'learning') delete state.ratePerSecond;
    return;
  }
  state.ceilingPerSecond = limits.ratePerSecond;
  if (limits.burst !== undefined) state.burst = Math.max(1, limits.burst);
  if (state.mode === 'learning' || state.ratePerSecond === undefined || state.ratePerSecond > limits.ratePerSecond) {
    state.ratePerSecond = limits.ratePerSecond;
  }
  if (state.mode === 'learning') {
    state.mode = 'configured';
    state.burst = Math.max(1, limits.burst ?? limits.ratePerSecond);
  }
  state.tokens = Math.min(state.tokens, state.burst);
  state.rateChangedAt = now;
}

/**
 * Takes a token for one request and returns the epoch ms before which it must not be sent (`now` when it may
 * go at once).
 */
export function reserve(state: PacerState, now: number): number {
  increaseIfQuiet(state, now);
  if (state.ratePerSecond === undefined) return now;
  refill(state, now);
  state.tokens -= 1;
  if (state.tokens >= 0) return now;
  // The deficit is paid by the refill: the request goes when its token will have been earned.
  return now + Math.ceil((-state.tokens / state.ratePerSecond) * 1000);
}

/** A request succeeded: it was paid for by the API's bucket. */
export function recordSuccess(state: PacerState, count = 1): void {
  state.windowSuccesses += count;
}

/** A request met a 429 at `at` (epoch ms). */
export function recordThrottle(state: PacerState, at: number): void {
  refill(state, at);
  const clustered = state.lastThrottleAt !== undefined && at - state.lastThrottleAt < THROTTLE_CLUSTER_MS;
  state.lastThrottleAt = at;
  // The throttled request will be retried: it owes a token.
  state.tokens = Math.min(state.tokens, 0) - 1;
  if (clustered) return;

  const windowStart = state.windowStartedAt;
  if (windowStart !== undefined && at - windowStart >= MIN_ESTIMATE_WINDOW_MS) {
    const estimate = state.windowSuccesses / ((at - windowStart) / 1000);
    state.estimatedPerSecond = estimate;
    // A window in which the job was not sending all the time (paused, window-bound) underestimates: never
    // fall by more than half at one 429, so a bad estimate costs little and a real drop takes a few 429s.
    const floor = state.ratePerSecond !== undefined ? state.ratePerSecond * MAX_DECREASE : MIN_RATE;
    const planned = Math.max(MIN_RATE, floor, estimate * RATE_MARGIN);
    state.ratePerSecond = Math.min(planned, state.ceilingPerSecond ?? Infinity, state.ratePerSecond ?? Infinity);
    if (state.mode === 'learning') state.mode = 'learned';
    // The catch-up after a Retry-After window: about one second of requests, as the API refilled meanwhile.
    if (state.mode === 'learned') state.burst = Math.max(1, state.ratePerSecond);
    state.rateChangedAt = at;
  }
  state.windowStartedAt = at;
  state.windowSuccesses = 0;
}

/** Additive increase: a quiet spell lets the rate climb toward the ceiling (or beyond a learned estimate). */
function increaseIfQuiet(state: PacerState, now: number): void {
  if (state.ratePerSecond === undefined || state.rateChangedAt === undefined) return;
  const ceiling = state.ceilingPerSecond ?? Infinity;
  if (state.ratePerSecond >= ceiling) return;
  const quietSince = Math.max(state.rateChangedAt, state.lastThrottleAt ?? -Infinity);
  if (now - quietSince < INCREASE_EVERY_MS) return;
  refill(state, now);
  const step = INCREASE_STEP * (state.estimatedPerSecond ?? state.ratePerSecond);
  state.ratePerSecond = Math.min(ceiling, state.ratePerSecond + step);
  if (state.mode === 'learned') state.burst = Math.max(1, state.ratePerSecond);
  state.rateChangedAt = now;
}

function refill(state: PacerState, now: number): void {
  if (state.ratePerSecond !== undefined && now > state.updatedAt) {
    state.tokens = Math.min(state.burst, state.tokens + ((now - state.updatedAt) / 1000) * state.ratePerSecond);
  }
  state.updatedAt = Math.max(state.updatedAt, now);
}

/**
 * A tenant's pacer: when may the tenant's next request go. It lives beside the gate in the one worker process
 * that serves the tenant (see `gate.ts`), so it sees every request of the tenant and every answer the moment it
 * arrives. Its view (`PacingView`) is what crosses Temporal: in each batch's answer, for progress, and in the
 * beats of the hold on the tenant's lease, to seed the next process that holds it. Pure: time comes in as arguments.
 *
 * The API's throttle is a token bucket we cannot see: it answers 429 with Retry-After and nothing else. So:
 * - Until the first 429, requests go as fast as the window allows: the API's initial burst is spent at once.
 * - A 429 means the API's bucket is empty at that moment. Between two such moments every request that succeeded
 *   was paid by the bucket's refill, so successes ÷ elapsed time is the refill rate.
 * - The first measurement is one Retry-After cycle: after the first 429's window, requests go unpaced again until
 *   the next 429; what the API refilled during the window and meanwhile is exactly what succeeded. It counts few
 *   requests, so the pacer plans 90 % of it.
 * - Measured, it sends just under the refill, and while no 429 comes it creeps up (quickly back up to the
 *   measurement if a 429 pushed it below, slowly beyond it), so a raised limit is found and a lowered one is
 *   measured over the long window since the last 429.
 * - A configured rate (and burst) is a ceiling: the pacer starts there and never goes above it.
 *
 * Each request takes a token of the pacer's own bucket; the gate holds it until the token is earned.
 */
import type { PacerLimits, PacerMode, PacingView } from '../contracts/pacing';

/** State of a tenant's pacer, kept in the process that serves the tenant; never crosses Temporal. */
export interface PacerState {
  mode: PacerMode;
  /** Requests per second the pacer plans for; undefined = unpaced (still learning). */
  ratePerSecond?: number;
  /** The configured ceiling, if any. */
  ceilingPerSecond?: number;
  /** Capacity of the pacer's bucket, in requests. */
  burst: number;
  /** Tokens in the pacer's bucket; below zero while retries of throttled requests are owed. */
  tokens: number;
  /** Epoch ms the tokens were last brought up to date. */
  updatedAt: number;
  /** Start of the current estimate window: the last 429 that was not part of a cluster. */
  windowStartedAt?: number;
  /** Requests that succeeded since `windowStartedAt`. */
  windowSuccesses: number;
  /** Last 429 seen (clusters included). */
  lastThrottleAt?: number;
  /** Last time the rate changed (for the additive increase). */
  rateChangedAt?: number;
  /** Set while the only measurement is the first, short one: the count of quick upward probes since. */
  provisionalProbes?: number;
  /** The latest refill rate measured between two 429s. */
  estimatedPerSecond?: number;
  /**
   * Set when a whole window went by without a success (the API let nothing through: throttled for a long spell),
   * which measures no refill: the Retry-After its 429s gave, ms (0: none). The first success after that climbs
   * back from one request per Retry-After with the quick provisional probes.
   */
  starvedRetryAfterMs?: number;
}

/** Sends this share of the measured refill rate: a little under, so the API's bucket never quite runs dry. */
export const RATE_MARGIN = 0.97;
/** The first measurement, over one Retry-After cycle, counts few successes: plan this share of it. */
export const FIRST_MARGIN = 0.9;
/** 429s closer together than this answered requests that were already on the wire together: one event. */
export const THROTTLE_CLUSTER_MS = 500;
/**
 * A measurement needs a window this long with this many successes (or a window of `LONG_WINDOW_MS`): successes
 * are counted as their results reach the workflow, a little after the fact, and a few counted on the wrong side
 * of a 429 must not swing the estimate. A shorter window stays open across the 429: the bucket was empty at both
 * ends either way.
 */
export const MIN_ESTIMATE_WINDOW_MS = 2_500;
export const MIN_ESTIMATE_SUCCESSES = 8;
export const LONG_WINDOW_MS = 20_000;
/** A 429 too soon after the last one to measure anything still takes the rate down by this factor. */
export const UNMEASURED_DECREASE = 0.85;
/** At one measured 429 the rate falls to no less than this share of itself. */
export const MAX_DECREASE = 0.5;
/**
 * While no 429 comes the rate grows: quickly back up to the measured rate when it was pushed below it, slowly
 * beyond it, probing for a raised limit at the cost of an occasional 429.
 */
export const RECOVERY_STEP = 0.1;
export const RECOVERY_EVERY_MS = 5_000;
export const PROBE_STEP = 0.02;
export const PROBE_EVERY_MS = 10_000;
/**
 * The first measurement is provisional: one short cycle, a few successes counted a little early or late, can be
 * a quarter off. Until a later 429 measures a longer window, the pacer probes upwards quickly (each step twice
 * the last, up to `MAX_PROVISIONAL_STEP`): a rate measured too low would otherwise hold for the whole job, while
 * one too high soon meets the 429 that measures it properly.
 */
export const PROVISIONAL_STEP = 0.05;
export const MAX_PROVISIONAL_STEP = 0.2;
export const PROVISIONAL_PROBE_EVERY_MS = 3_000;
/** The pacer never plans slower than this (requests per second). */
export const MIN_RATE = 0.05;

/**
 * A configured limit is planned with a little slack: a request sent a few hundred ms early (a busy worker, a
 * workflow task that ran late) must still find a token in the API's bucket.
 */
export const CONFIGURED_RATE_MARGIN = 0.98;
export const CONFIGURED_BURST_MARGIN = 0.9;

function plannedBurst(limits: PacerLimits & { ratePerSecond: number }): number {
  return Math.max(1, Math.floor((limits.burst ?? limits.ratePerSecond) * CONFIGURED_BURST_MARGIN));
}

export function initialPacer(limits: PacerLimits, now: number): PacerState {
  if (limits.ratePerSecond === undefined) {
    return { mode: 'learning', burst: 1, tokens: 1, updatedAt: now, windowSuccesses: 0 };
  }
  const burst = plannedBurst({ ...limits, ratePerSecond: limits.ratePerSecond });
  return {
    mode: 'configured',
    ratePerSecond: limits.ratePerSecond * CONFIGURED_RATE_MARGIN,
    ceilingPerSecond: limits.ratePerSecond * CONFIGURED_RATE_MARGIN,
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
    if (state.mode === 'configured') state.mode = state.estimatedPerSecond !== undefined ? 'learned' : 'learning';
    if (state.mode === 'learning') delete state.ratePerSecond;
    return;
  }
  const ceiling = limits.ratePerSecond * CONFIGURED_RATE_MARGIN;
  state.ceilingPerSecond = ceiling;
  if (state.mode === 'learning') state.mode = 'configured';
  if (state.mode === 'configured') state.burst = plannedBurst({ ...limits, ratePerSecond: limits.ratePerSecond });
  setRate(state, Math.min(state.ratePerSecond ?? Infinity, ceiling), now);
}

/**
 * Takes a token for one request and returns the epoch ms before which it must not be sent (`now` when it may
 * go at once).
 */
export function reserve(state: PacerState, now: number): number {
  grow(state, now);
  if (state.ratePerSecond === undefined) return now;
  refill(state, now);
  state.tokens -= 1;
  if (state.tokens >= 0) return now;
  // The deficit is paid by the refill: the request goes when its token will have been earned.
  return now + Math.ceil((-state.tokens / state.ratePerSecond) * 1000);
}

/**
 * Requests that the API answered without a 429: paid by its bucket.
 * @param now when they were answered (epoch ms): after a spell in which nothing went through, the rate starts
 *   climbing back from then
 */
export function recordSuccess(state: PacerState, count = 1, now?: number): void {
  state.windowSuccesses += count;
  // The first success after a spell in which nothing went through: the rate fell to the floor without measuring
  // anything. It starts again from what the Retry-After said the API takes (one request per window) and climbs as
  // after a first measurement (quick probes up to the next 429), not by the slow probe that takes hours from the
  // floor.
  const retryAfterMs = state.starvedRetryAfterMs;
  if (retryAfterMs === undefined || count === 0) return;
  delete state.starvedRetryAfterMs;
  state.provisionalProbes = 0;
  if (now !== undefined && state.ratePerSecond !== undefined)
    setRate(state, Math.max(state.ratePerSecond, retryAfterPace(retryAfterMs || undefined)), now);
}

/**
 * A request met a 429 at `at` (epoch ms).
 * @param retryAfterMs the API's Retry-After, when it gave one
 */
export function recordThrottle(state: PacerState, at: number, retryAfterMs?: number): void {
  refill(state, at);
  const clustered = state.lastThrottleAt !== undefined && at - state.lastThrottleAt < THROTTLE_CLUSTER_MS;
  state.lastThrottleAt = at;
  // The throttled request will be retried: it owes a token.
  state.tokens = Math.min(state.tokens, 0) - 1;
  if (clustered) return;

  const windowStart = state.windowStartedAt;
  if (windowStart === undefined) {
    // The first 429: the initial burst is spent; the first measurement starts.
    state.windowStartedAt = at;
    state.windowSuccesses = 0;
    return;
  }
  const span = at - windowStart;
  // The first cycle: the whole Retry-After window and the unpaced sending after it until this 429.
  const firstCycle = state.mode === 'learning' && span >= (retryAfterMs ?? 1000);
  const measurable =
    firstCycle ||
    (span >= MIN_ESTIMATE_WINDOW_MS && state.windowSuccesses >= MIN_ESTIMATE_SUCCESSES) ||
    span >= LONG_WINDOW_MS;
  if (!measurable) {
    // Too soon to measure (the window stays open); the pace still comes down a little meanwhile, but not below
    // one request per Retry-After: the API says it takes one then, and at low rates (a 429 every second or two,
    // too few successes to measure) these small steps would otherwise compound.
    if (state.ratePerSecond !== undefined) {
      const floor = Math.min(state.ratePerSecond, retryAfterPace(retryAfterMs));
      setRate(state, Math.max(floor, state.ratePerSecond * UNMEASURED_DECREASE), at);
    }
    return;
  }
  const estimate = state.windowSuccesses / (span / 1000);
  state.estimatedPerSecond = estimate;
  // A window in which the job was not sending all the time (paused, window-bound) underestimates: never fall by
  // more than half at one 429, so a bad estimate costs little and a real drop takes a few 429s.
  const floor = state.ratePerSecond !== undefined ? state.ratePerSecond * MAX_DECREASE : MIN_RATE;
  if (state.mode === 'learning') state.mode = 'learned';
  // A first cycle that counted no success (the burst's last requests throttled apart, results late) says
  // nothing about the refill: the Retry-After still says one request per window goes.
  const firstRate = Math.max(estimate * FIRST_MARGIN, retryAfterPace(retryAfterMs));
  setRate(state, firstCycle ? firstRate : Math.max(floor, estimate * RATE_MARGIN), at);
  if (firstCycle) state.provisionalProbes = 0;
  else delete state.provisionalProbes;
  if (state.windowSuccesses === 0) state.starvedRetryAfterMs = retryAfterMs ?? 0;
  state.windowStartedAt = at;
  state.windowSuccesses = 0;
}

/** One request per Retry-After window (a little under): what the API says it takes at least. */
function retryAfterPace(retryAfterMs: number | undefined): number {
  return retryAfterMs ? (1000 / retryAfterMs) * RATE_MARGIN : MIN_RATE;
}

/** Additive increase in quiet spells. */
function grow(state: PacerState, now: number): void {
  if (state.ratePerSecond === undefined || state.rateChangedAt === undefined) return;
  if (state.ratePerSecond >= (state.ceilingPerSecond ?? Infinity)) return;
  const quietSince = Math.max(state.rateChangedAt, state.lastThrottleAt ?? -Infinity);
  const target = (state.estimatedPerSecond ?? 0) * RATE_MARGIN;
  const recovering = state.ratePerSecond < target;
  const provisional = state.provisionalProbes;
  if (recovering) {
    if (now - quietSince >= RECOVERY_EVERY_MS)
      setRate(state, Math.min(target, state.ratePerSecond * (1 + RECOVERY_STEP)), now);
  } else if (provisional !== undefined) {
    if (now - quietSince < PROVISIONAL_PROBE_EVERY_MS) return;
    const step = Math.min(MAX_PROVISIONAL_STEP, PROVISIONAL_STEP * 2 ** provisional);
    setRate(state, state.ratePerSecond * (1 + step), now);
    state.provisionalProbes = provisional + 1;
  } else if (now - quietSince >= PROBE_EVERY_MS) {
    setRate(state, state.ratePerSecond * (1 + PROBE_STEP), now);
  }
}

/** A new planned rate within [MIN_RATE, ceiling]; while not configured, the burst is one second of it. */
function setRate(state: PacerState, rate: number, now: number): void {
  refill(state, now);
  state.ratePerSecond = Math.min(state.ceilingPerSecond ?? Infinity, Math.max(MIN_RATE, rate));
  // The catch-up after a Retry-After window: about one second of requests, as the API refilled meanwhile.
  if (state.mode !== 'configured') state.burst = Math.max(1, state.ratePerSecond);
  state.tokens = Math.min(state.tokens, state.burst);
  state.rateChangedAt = now;
}

function refill(state: PacerState, now: number): void {
  if (state.ratePerSecond !== undefined && now > state.updatedAt) {
    state.tokens = Math.min(state.burst, state.tokens + ((now - state.updatedAt) / 1000) * state.ratePerSecond);
  }
  state.updatedAt = Math.max(state.updatedAt, now);
}

/**
 * A pacer that carries on from what was learned before (the view kept by the tenant workflow), within today's
 * limits: after a hand-over to another process or a continue-as-new, the tenant is not learned again from scratch.
 */
export function resumePacer(view: PacingView | undefined, limits: PacerLimits, now: number): PacerState {
  const state = initialPacer(limits, now);
  if (!view || view.mode === 'learning' || view.ratePerSecond === undefined) return state;
  if (view.estimatedPerSecond !== undefined) state.estimatedPerSecond = view.estimatedPerSecond;
  if (state.mode === 'learning') state.mode = 'learned';
  setRate(state, view.ratePerSecond, now);
  return state;
}

/** The pacer as progress shows it and as the next holder of the tenant's lease starts from it. */
export function pacingView(state: PacerState, cooldownUntil?: number, lastWindowMs?: number): PacingView {
  const { mode, ratePerSecond, estimatedPerSecond, burst, lastThrottleAt } = state;
  return {
    mode,
    burst,
    ...(ratePerSecond !== undefined && { ratePerSecond }),
    ...(estimatedPerSecond !== undefined && { estimatedPerSecond }),
    ...(cooldownUntil !== undefined && { cooldownUntil }),
    ...(lastThrottleAt !== undefined && { lastThrottleAt }),
    ...(lastWindowMs !== undefined && { lastWindowMs }),
  };
}

/**
 * A tenant's pacing as it crosses Temporal: the view of the pacer in the process holding the tenant (`PacingView`),
 * sent up with each batch's answer and each beat of the hold, shown by progress and handed to the next holder; and
 * the limits that process is told to pace by (`LimitsChange`). The pacer's own state stays in that process
 * (`pacing/pacer.ts`).
 */

/** Where a tenant's pacer has its rate from (see `PacingView.mode`). */
export type PacerMode = 'learning' | 'learned' | 'configured';

/** The limits a pacer follows: the tenant's configured rate and burst, when it has them. */
export interface PacerLimits {
  ratePerSecond?: number;
  burst?: number;
}

/**
 * The tenant's pacer as the process holding the tenant sees it (`pacing/pacer.ts`): shown by progress, and what the
 * next holder of the tenant's lease starts from (see `HoldBeat`).
 */
export interface PacingView {
  /** `learning` until two 429s have measured the API's refill, then `learned`; `configured` with a set rate. */
  mode: PacerMode;
  /** Requests per second planned now; absent while learning (unpaced). */
  ratePerSecond?: number;
  /** The API's refill rate as last measured between two 429s. */
  estimatedPerSecond?: number;
  /** Requests that may go at once after a pause. */
  burst: number;
  /** The end of the open Retry-After window (epoch ms), if one is open. */
  cooldownUntil?: number;
  /** The last 429 met (epoch ms). */
  lastThrottleAt?: number;
  /** How long the last 429 closed the tenant (its Retry-After, or the default hold), ms. */
  lastWindowMs?: number;
}

/** The tenant's limits as the job has them now, so the serving process follows `setLimits` changes. */
export interface LimitsChange extends PacerLimits {
  revision: number;
}

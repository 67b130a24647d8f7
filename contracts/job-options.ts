/**
 * How a job runs: the options the client sets (`wfm-bulk start` and its flags), stored in the job's input and
 * passed on in each tenant workflow's input; the write activity gets the ones it needs in its own input. The
 * tuning is for tests and unusual deployments.
 */
import { DEFAULT_REQUEST_TIMEOUT_MS } from './timing';

/** Options of a job that the client may set; defaults in `DEFAULT_JOB_OPTIONS`. */
export interface JobOptions {
  /** Assignments per PUT (1 allowed). */
  batchSize: number;
  /** Attempts per batch for faults (5xx, connection errors, timeouts) before it counts as failed; 429s spend none. */
  maxAttempts: number;
  /** Longest a batch may go on being throttled (429s, cooldowns) before it fails with `throttle-budget-exhausted`, ms. */
  throttleBudgetMs: number;
  /** Per-request HTTP timeout, milliseconds. */
  requestTimeoutMs: number;
  /** Tenants of the job running at once; the others wait their turn (`queued`). */
  maxActiveTenants: number;
  /**
   * A plan (`wfm-bulk plan`), not a write: each batch is read against the live schedules and every row classified
   * (`PlanClass`), its class recorded where a failure would be; nothing is written.
   */
  dryRun?: boolean;
}

export const DEFAULT_JOB_OPTIONS: JobOptions = {
  batchSize: 25,
  maxAttempts: 20,
  throttleBudgetMs: 6 * 3_600_000,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  maxActiveTenants: 200,
};

/** Exactly the job options of `options`, which may carry more (a job id, CLI flags): what a job's input stores. */
export function jobOptionsOf(options: JobOptions): JobOptions {
  const { batchSize, maxAttempts, throttleBudgetMs, requestTimeoutMs, maxActiveTenants, dryRun } = options;
  return {
    batchSize,
    maxAttempts,
    throttleBudgetMs,
    requestTimeoutMs,
    maxActiveTenants,
    ...(dryRun === true && { dryRun }),
  };
}

/** Knobs for tests and unusual deployments; the defaults suit production. */
export interface JobTuning {
  /** Tenant workflows continue as new past this many history events (default 8,000). */
  historyEventLimit?: number;
  /** The job workflow continues as new past this many history events (default 8,000: some 1,300 tenants). */
  jobHistoryEventLimit?: number;
  /**
   * A process that Temporal has not heard from for this long loses the tenant's lease to another (default
   * `DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS`, 10 s); it stops writing a fifth of this earlier. The lease takes it from
   * the job that starts it.
   */
  heartbeatTimeoutMs?: number;
  /** How long a tenant's login may keep failing before the tenant fails (default 2 min; see `LeaseTuning`). */
  loginBudgetMs?: number;
  /** A batch no process picked up for this long goes back to the lease's holder (default 60 s). */
  scheduleToStartMs?: number;
}

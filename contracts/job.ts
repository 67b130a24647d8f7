/**
 * What crosses Temporal: workflow inputs and results, activity inputs and results, progress snapshots.
 * Everything here ends up in workflow history, so it holds references and counts, never assignments in bulk
 * and never a secret.
 */
import type { LeaseDirective, LeaseEpoch } from './lease';
import type { TenantLimits } from './tenants';

export type InputFormat = 'csv' | 'json' | 'ndjson';

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
}

export const DEFAULT_JOB_OPTIONS: JobOptions = {
  batchSize: 25,
  maxAttempts: 20,
  throttleBudgetMs: 6 * 3_600_000,
  requestTimeoutMs: 30_000,
  maxActiveTenants: 200,
};

/** Exactly the job options of `options`, which may carry more (a job id, CLI flags): what a job's input stores. */
export function jobOptionsOf(options: JobOptions): JobOptions {
  const { batchSize, maxAttempts, throttleBudgetMs, requestTimeoutMs, maxActiveTenants } = options;
  return { batchSize, maxAttempts, throttleBudgetMs, requestTimeoutMs, maxActiveTenants };
}

/** One tenant's share of a job: a reference to its stored items, never the items themselves. */
export interface TenantPlan {
  tenantId: string;
  /** Claim-check key of the tenant's items (NDJSON of `StoredItem`, grouped by schedule). */
  itemsRef: string;
  total: number;
  /** Items per schedule, in stored order: with the batch size it fixes every batch (see `planBatches`). */
  scheduleSizes: number[];
  batchCount: number;
  limits: TenantLimits;
}

/** Steering state a tenant workflow starts with; later changes arrive as signals. */
export interface TenantControl {
  paused: boolean;
  cancel?: FailureReason;
}

/** What a tenant workflow carries into its next run when it continues as new. */
export interface TenantCarry {
  runNumber: number;
  /** Batches to send again first: they were in flight on a process that stopped serving the tenant. */
  redo: number[];
  nextBatch: number;
  applied: number;
  failed: number;
  throttled: number;
  /** Failures as runs begun by 0.1.0 recorded them (batch ranges); empty in later runs, which use `failureLog`. */
  failures: FailureRecord[];
  failureLog?: FailureLog;
  limits: TenantLimits;
  /** Bumped at each `setLimits`, so the serving process applies each change once. */
  limitsRevision: number;
  /** The serving process's pacer as last reported: seeds the next process that serves the tenant. */
  pacing?: PacingView;
}

export interface TenantWorkflowInput {
  jobId: string;
  plan: TenantPlan;
  options: JobOptions;
  control: TenantControl;
  carry?: TenantCarry;
  tuning?: JobTuning;
}

export interface JobInput {
  jobId: string;
  source: {
    /** File name as the user gave it (no directory), for reports and the Web UI. */
    fileName: string;
    format: InputFormat;
    /** Claim-check key of the original file, so reports can repeat rows in the input's format. */
    inputRef: string;
    rows: number;
  };
  options: JobOptions;
  tenants: TenantPlan[];
  tuning?: JobTuning;
}

/** Knobs for tests and unusual deployments; the defaults suit production. */
export interface JobTuning {
  /** Tenant workflows continue as new past this many history events (default 8,000). */
  historyEventLimit?: number;
  /**
   * A process that Temporal has not heard from for this long loses the tenant's lease to another (default 10 s);
   * it stops writing a fifth of this earlier. The lease takes it from the job that starts it.
   */
  heartbeatTimeoutMs?: number;
  /** How long a tenant's login may keep failing before the tenant fails (default 2 min; see `LeaseTuning`). */
  loginBudgetMs?: number;
  /** A batch no process picked up for this long goes back to the lease's holder (default 60 s). */
  scheduleToStartMs?: number;
}

/**
 * The serving process beats its hold every second (sent at most every 2 s); silent this long, it is presumed dead
 * and the tenant moves. Checked against the worst event-loop delay of a saturated worker by fault scenario 11.
 */
export const DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS = 10_000;

/** Why assignments did not land, as the API (or the job) said it. */
export interface FailureReason {
  /** HTTP status when the API answered. */
  status?: number;
  /** The API's error code, or one of ours: `cancelled`, `retries-exhausted`, `tenant-stopped`, `invalid-item`. */
  code: string;
  message: string;
}

/**
 * Failed assignments, compactly: whole batches `fromBatch..toBatch`, or some items of one batch
 * (`offsets` within it). The report expands these against the stored items.
 */
export interface FailureRecord {
  fromBatch: number;
  toBatch: number;
  offsets?: number[];
  count: number;
  reason: FailureReason;
}

/** Items `start` (inclusive) to `end` of a tenant's stored items failed for `reason`. */
export interface FailedRange {
  start: number;
  end: number;
  reason: FailureReason;
}

/**
 * A tenant's failures at any count, within a bound: the latest ranges in the workflow (merged when neighbours
 * share a reason), older ones moved to the claim-check store in blocks (`stored`: refs, each a JSON array of
 * `FailedRange`), so inputs, results and histories stay small whatever fails and however each item's reason reads.
 */
export interface FailureLog {
  stored: string[];
  recent: FailedRange[];
}

export type TenantStatus =
  /** The job has not started the tenant yet: it waits for one of its `maxActiveTenants` places. */
  | 'queued'
  /** No worker process serves the tenant yet (none has taken it, or the one that had it stopped). */
  | 'waiting-for-worker'
  | 'running'
  | 'paused'
  | 'cooling-down'
  | 'stopping'
  | 'completed'
  | 'completed-with-failures'
  | 'failed'
  | 'cancelled';

export type JobStatus = 'running' | 'completed' | 'completed-with-failures' | 'failed' | 'cancelled';

/** State of a tenant's pacer (pacing/pacer.ts), kept by the process that serves the tenant. */
export type PacerMode = 'learning' | 'learned' | 'configured';

export interface PacerLimits {
  ratePerSecond?: number;
  burst?: number;
}

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

export interface PutBatchInput {
  jobId: string;
  tenantId: string;
  itemsRef: string;
  batchSize: number;
  /** The batch's place in the tenant's plan (for logs and metrics). */
  batchIndex: number;
  /**
   * The batch's items: positions `start` (inclusive) to `end` in the tenant's stored items, as the tenant
   * workflow planned them, so the activity sends exactly what the workflow counts. Absent in inputs written by
   * 0.1.0, whose activities found their items by re-planning from `batchSize` and `batchIndex`.
   */
  items?: { start: number; end: number };
  /**
   * More items refused one by one than this, and the activity moves them to the claim-check store itself, returning
   * a ref (see `StoredFailures`). Absent (0.1.0 workflows): every failure comes back inline.
   */
  storeItemFailuresOver?: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  throttleBudgetMs: number;
  limits: LimitsChange;
  /**
   * Runs begun by 0.5.0: the tenant's pacing as the workflow knew it when it sent the batch, a Retry-After window
   * included (`TenantRuntime.adopt`). Later inputs carry `lease` instead.
   */
  pacing?: PacingView;
  /**
   * The tenant's lease as the tenant workflow knows it when it sends the batch: the epoch it sends to and the
   * lease's directive (its revision is the one `limits` carries). Absent in inputs of runs begun by 0.5.0 and
   * earlier, which are served without the lease.
   */
  lease?: { epoch: LeaseEpoch; directive: LeaseDirective };
}

/** Asks a worker process to serve a tenant of a job: it holds the tenant until cancelled. */
export interface ServeTenantInput {
  jobId: string;
  tenantId: string;
  /** The tenant workflow's run that asks, so its answer is not mistaken by a later run. */
  runId: string;
  limits: LimitsChange;
  /** What the tenant's pacer had learned before, so a new process carries on from there. */
  pacing?: PacingView;
}

/** Sent by the process that took a tenant: where its PUTs go from now on. */
export interface TenantServedSignal {
  runId: string;
  /** The task queue of this tenant in that process. */
  taskQueue: string;
  /** Which worker process (its identity), for progress and the Web UI. */
  worker: string;
  /** Scopes of the tenant's token, as the process's access check found them. */
  scopes: string[];
}

/** Sent by the serving process when the tenant's gate closes for a Retry-After window. */
export interface TenantThrottledSignal {
  runId: string;
  pacing: PacingView;
}

export interface ItemFailure {
  offset: number;
  reason: FailureReason;
}

/** Failed items of a batch moved to the claim-check store as one failure-log block. */
export interface StoredFailures {
  ref: string;
  count: number;
}

/**
 * The API's final answer for one batch: what landed, what was refused and why. With `storedFailures`, `failures`
 * is empty and `count` 0: every failed item of the batch is in the block.
 */
export type BatchOutcome =
  | { outcome: 'done'; applied: number; failures: ItemFailure[]; storedFailures?: StoredFailures }
  /**
   * The rest of the batch (`count` items) was refused as a whole (404 schedule, 400 without item detail, 413);
   * `failures` are items refused one by one before that.
   */
  | {
      outcome: 'rejected';
      reason: FailureReason;
      count: number;
      failures: ItemFailure[];
      /** The schedule itself is unknown: its other batches would be refused too and are not sent. */
      scheduleMissing?: boolean;
      storedFailures?: StoredFailures;
    }
  /** The tenant can no longer write at all (403 missing permission): stop the tenant. */
  | {
      outcome: 'tenant-forbidden';
      reason: FailureReason;
      count: number;
      failures: ItemFailure[];
      storedFailures?: StoredFailures;
    };

/** A batch's outcome, with how many 429s it met on its way (over all its attempts) and the tenant's pacer now. */
export type PutBatchResult = BatchOutcome & { throttled: number; pacing: PacingView };

export interface TenantProgress {
  jobId: string;
  tenantId: string;
  status: TenantStatus;
  total: number;
  applied: number;
  failed: number;
  pending: number;
  inFlight: number;
  batchCount: number;
  batchesDone: number;
  throttled: number;
  cooldownUntil?: number;
  limits: TenantLimits;
  pacing: PacingView;
  paused: boolean;
  stopReason?: FailureReason;
  /** Run of the tenant workflow (continue-as-new starts a new one). */
  runNumber: number;
  /** The worker process serving the tenant now, if one does. */
  worker?: string;
}

export interface TenantResult {
  tenantId: string;
  status: TenantStatus;
  total: number;
  applied: number;
  failed: number;
  throttled: number;
  /** Failures as runs begun by 0.1.0 recorded them; `wfm-bulk report` reads both. */
  failures: FailureRecord[];
  failureLog?: FailureLog;
  stopReason?: FailureReason;
  /** How the tenant was paced at the end (what the pacer learned). */
  pacing?: PacingView;
}

/**
 * What a tenant workflow knows of its items at any moment (read by query, also from a run that ended without a
 * result): every item not applied and not in `failures` is in an unfinished batch or not sent yet.
 */
export interface TenantAccount {
  applied: number;
  throttled: number;
  /** Items that failed so far, with their reasons (as 0.1.0 recorded them, then in the failure log). */
  failures: FailureRecord[];
  failureLog?: FailureLog;
  /** Items of the batches out (or due to be sent again) whose outcome is not known, as ranges. */
  unfinished: { start: number; end: number }[];
  /** The first item of the batches not sent yet (`total` when all were sent). */
  nextItem: number;
}

export interface JobProgress {
  jobId: string;
  status: JobStatus;
  paused: boolean;
  cancelRequested: boolean;
  total: number;
  tenants: {
    tenantId: string;
    total: number;
    limits: TenantLimits;
    /** Not started yet: waiting for one of the job's `maxActiveTenants` places. */
    queued: boolean;
    done?: Omit<TenantResult, 'failures' | 'failureLog'>;
  }[];
}

export interface JobResult {
  jobId: string;
  status: JobStatus;
  total: number;
  applied: number;
  failed: number;
  /** Per tenant, without failure detail (that stays in each tenant workflow's result). */
  tenants: Omit<TenantResult, 'failures' | 'failureLog'>[];
}

/**
 * What crosses Temporal: workflow inputs and results, activity inputs and results, progress snapshots.
 * Everything here ends up in workflow history, so it holds references and counts, never assignments in bulk
 * and never a secret.
 */
import type { TenantLimits } from './tenants';

export type InputFormat = 'csv' | 'json' | 'ndjson';

/** Options of a job that the client may set; defaults in `DEFAULT_JOB_OPTIONS`. */
export interface JobOptions {
  /** Assignments per PUT (1 allowed). */
  batchSize: number;
  /** Attempts per batch for retryable failures (429, 5xx, timeouts) before it counts as failed. */
  maxAttempts: number;
  /** Per-request HTTP timeout, milliseconds. */
  requestTimeoutMs: number;
}

export const DEFAULT_JOB_OPTIONS: JobOptions = { batchSize: 25, maxAttempts: 20, requestTimeoutMs: 30_000 };

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
  preflightDone: boolean;
  nextBatch: number;
  applied: number;
  failed: number;
  throttled: number;
  failures: FailureRecord[];
  limits: TenantLimits;
  cooldownUntil?: number;
  pacer: PacerState;
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
  /** An activity whose worker stops heartbeating for this long is retried elsewhere (default 10 s). */
  heartbeatTimeoutMs?: number;
}

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

export type TenantStatus =
  | 'preflight'
  | 'running'
  | 'paused'
  | 'cooling-down'
  | 'stopping'
  | 'completed'
  | 'completed-with-failures'
  | 'failed'
  | 'cancelled';

export type JobStatus = 'running' | 'completed' | 'completed-with-failures' | 'failed' | 'cancelled';

/** The tenant workflow's pacer (workflows/pacing.ts) keeps this state; it is carried across continue-as-new. */
export type PacerMode = 'learning' | 'learned' | 'configured';

export interface PacerLimits {
  ratePerSecond?: number;
  burst?: number;
}

/** Serializable: carried across continue-as-new and returned by the progress query. */
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

/** When a PUT may go, as the tenant workflow's pacer planned it; the worker process holds it until then. */
export interface Pacing {
  /** Epoch ms before which this request must not be sent (its slot at the tenant's rate). */
  notBefore?: number;
  /** The rate the pacer plans now, if any: spaces the retries of requests throttled together. */
  ratePerSecond?: number;
  /** Epoch ms before which no request of the tenant may go out (an open Retry-After window). */
  cooldownUntil?: number;
}

/** The pacer as the progress query shows it (see workflows/pacing.ts). */
export interface PacingView {
  /** `learning` until two 429s have measured the API's refill, then `learned`; `configured` with a set rate. */
  mode: PacerMode;
  /** Requests per second planned now; absent while learning (unpaced). */
  ratePerSecond?: number;
  /** The API's refill rate as last measured between two 429s. */
  estimatedPerSecond?: number;
  /** Requests that may go at once after a pause. */
  burst: number;
  cooldownUntil?: number;
}

export interface PutBatchInput {
  jobId: string;
  tenantId: string;
  itemsRef: string;
  batchSize: number;
  batchIndex: number;
  requestTimeoutMs: number;
  pacing: Pacing;
}

export interface ItemFailure {
  offset: number;
  reason: FailureReason;
}

/** The API's final answer for one batch: what landed, what was refused and why. */
/** Every outcome also tells how many PUTs the API answered without a 429 (the pacer counts them). */
export type PutBatchResult = { requests: number } & (
  | { outcome: 'done'; applied: number; failures: ItemFailure[] }
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
    }
  /** The tenant can no longer write at all (403 missing permission): stop the tenant. */
  | { outcome: 'tenant-forbidden'; reason: FailureReason; count: number; failures: ItemFailure[] }
);

export interface PreflightResult {
  ok: boolean;
  /** Scopes the token carries, for the progress view. */
  scopes: string[];
  reason?: FailureReason;
}

/** Sent by an activity to its tenant workflow when the API answers 429, so the whole tenant holds off. */
export interface ThrottledSignal {
  /** Epoch ms the 429 arrived. */
  at: number;
  /** Retry-After in ms, or undefined when the API gave none that could be read. */
  retryAfterMs?: number;
}

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
}

export interface TenantResult {
  tenantId: string;
  status: TenantStatus;
  total: number;
  applied: number;
  failed: number;
  throttled: number;
  failures: FailureRecord[];
  stopReason?: FailureReason;
  /** How the tenant was paced at the end (what the pacer learned). */
  pacing?: PacingView;
}

export interface JobProgress {
  jobId: string;
  status: JobStatus;
  paused: boolean;
  cancelRequested: boolean;
  total: number;
  tenants: { tenantId: string; total: number; limits: TenantLimits; done?: Omit<TenantResult, 'failures'> }[];
}

export interface JobResult {
  jobId: string;
  status: JobStatus;
  total: number;
  applied: number;
  failed: number;
  /** Per tenant, without failure detail (that stays in each tenant workflow's result). */
  tenants: Omit<TenantResult, 'failures'>[];
}

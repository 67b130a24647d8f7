/**
 * The tenant workflow's exchange with its job: the input the job starts each tenant with (its plan, the job's
 * options, the steering state), what a run carries into the next when it continues as new, the progress and
 * account its queries answer, and the result it ends with. Like everything that crosses Temporal, it holds
 * references and counts, never assignments in bulk and never a secret.
 */
import type { FailureReason, TenantFailures } from './failures';
import type { JobOptions, JobTuning } from './job-options';
import type { PacingView } from './pacing';
import type { ItemChunks } from './plan';
import type { TenantLimits } from './tenants';

/** One tenant's share of a job: references to its stored items, never the items themselves. */
export interface TenantPlan {
  tenantId: string;
  /**
   * Claim-check keys of the tenant's items (NDJSON of `StoredItem`, grouped by schedule), in chunks. Jobs started
   * before chunks have `itemsRef` instead: all the items in one blob.
   */
  itemChunks?: ItemChunks;
  itemsRef?: string;
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

/** What a tenant's batches came to so far: the counters its workflow carries, shows and returns. */
export interface TenantCounts {
  /** Items the API took. */
  applied: number;
  /** Items that failed, whatever the reason (the reasons are in `TenantFailures`). */
  failed: number;
  /** 429s the tenant's batches met, over all their attempts. */
  throttled: number;
}

/** What a tenant workflow carries into its next run when it continues as new. */
export interface TenantCarry extends TenantCounts, TenantFailures {
  runNumber: number;
  /** Batches to send again first: they were in flight on a process that stopped serving the tenant. */
  redo: number[];
  nextBatch: number;
  limits: TenantLimits;
  /** Bumped at each `setLimits`, so the serving process applies each change once. */
  limitsRevision: number;
  /**
   * Runs begun before the lease (patch `tenant-lease`): the serving process's pacer as last reported, which seeds
   * the next process that serves the tenant. A run on the lease drops it: the lease keeps the tenant's pacing.
   */
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

export interface TenantProgress extends TenantCounts {
  jobId: string;
  tenantId: string;
  status: TenantStatus;
  total: number;
  pending: number;
  inFlight: number;
  batchCount: number;
  batchesDone: number;
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

export interface TenantResult extends TenantCounts, TenantFailures {
  tenantId: string;
  status: TenantStatus;
  total: number;
  stopReason?: FailureReason;
  /** How the tenant was paced at the end (what the pacer learned). */
  pacing?: PacingView;
}

/**
 * What a tenant workflow knows of its items at any moment (read by query, also from a run that ended without a
 * result): every item not applied and not in `failures` is in an unfinished batch or not sent yet.
 */
export interface TenantAccount extends Pick<TenantCounts, 'applied' | 'throttled'>, TenantFailures {
  /** Items of the batches out (or due to be sent again) whose outcome is not known, as ranges. */
  unfinished: { start: number; end: number }[];
  /** The first item of the batches not sent yet (`total` when all were sent). */
  nextItem: number;
}

/** Every claim-check key of a tenant's items, chunked or not. */
export function storedItemRefs(plan: Pick<TenantPlan, 'itemChunks' | 'itemsRef'>): string[] {
  return plan.itemChunks ? plan.itemChunks.refs : plan.itemsRef ? [plan.itemsRef] : [];
}

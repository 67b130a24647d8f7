/**
 * One batch's write: the input a tenant workflow sends with each `putBatch` activity to the process holding the
 * tenant, and the answer that comes back (what landed, what was refused and why, the 429s met, the pacer's view).
 */
import type { FailureReason, ItemFailure } from './failures';
import type { LeaseDirective, LeaseEpoch } from './lease';
import type { LimitsChange, PacingView } from './pacing';
import type { BatchChunks } from './plan';

export interface PutBatchInput {
  jobId: string;
  tenantId: string;
  /** The chunks of the tenant's stored items that hold the batch's `items` (jobs started with chunks). */
  chunks?: BatchChunks;
  /** The tenant's stored items in one blob (jobs started before chunks). */
  itemsRef?: string;
  /**
   * What an earlier activity of this batch recorded (its last heartbeat details) when it ended without an answer,
   * its process having lost the lease: the writer takes up from there as a retry of that activity would (a
   * Genesys update it started is awaited, not started again).
   */
  resumeFrom?: unknown;
  batchSize: number;
  /** The batch's place in the tenant's plan (for logs and metrics). */
  batchIndex: number;
  /**
   * The batch's items: positions `start` (inclusive) to `end` in the tenant's stored items, as the tenant
   * workflow planned them, so the activity sends exactly what the workflow counts. Absent in inputs written by
   * workflow code older than this field (an attempt may outlive an upgrade), whose activities found their items by
   * re-planning from `batchSize` and `batchIndex`.
   */
  items?: { start: number; end: number };
  /**
   * More items refused one by one than this, and the activity moves them to the claim-check store itself, returning
   * a ref (see `StoredFailures`). Absent in runs without the failure log (patch `bounded-failure-log`): every
   * failure comes back inline.
   */
  storeItemFailuresOver?: number;
  requestTimeoutMs: number;
  /** A plan: the writer reads and classifies each row (`PlanClass`, as the row's failure reason), writing nothing. */
  dryRun?: boolean;
  maxAttempts: number;
  throttleBudgetMs: number;
  limits: LimitsChange;
  /**
   * Runs begun before the lease (patch `tenant-lease`): the tenant's pacing as the workflow knew it when it sent
   * the batch, a Retry-After window included (`TenantRuntime.adopt`). Runs on the lease send `lease` instead.
   */
  pacing?: PacingView;
  /**
   * The tenant's lease as the tenant workflow knows it when it sends the batch: the epoch it sends to and the
   * lease's directive (its revision is the one `limits` carries). Absent in inputs of runs begun before the lease
   * (patch `tenant-lease`), which are served without it.
   */
  lease?: { epoch: LeaseEpoch; directive: LeaseDirective };
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

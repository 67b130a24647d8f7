/**
 * Why assignments did not land, and how a tenant's failures stay compact wherever they cross Temporal: in the
 * batch's answer (`batch.ts`), the tenant workflow's carry, result and account (`tenant.ts`), the lease's refusal
 * (`lease.ts`). Older ranges of a failure log live in the claim-check store (`failure-blocks.ts`), which the
 * client's `report` and `retry` read back.
 */

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

/** One item of a batch refused on its own: its offset within the batch. */
export interface ItemFailure {
  offset: number;
  reason: FailureReason;
}

/** A tenant's failures so far, as its workflow carries, returns and shows them; `wfm-bulk report` reads both. */
export interface TenantFailures {
  /**
   * Batch records, as a run that began without the failure log (patch `bounded-failure-log`) keeps them, carried
   * on into its later runs; empty otherwise.
   */
  failures: FailureRecord[];
  failureLog?: FailureLog;
}

/**
 * The seam between `putBatch` and the ways a tenant's assignments reach its API (the tenant's `writer` in the
 * tenants file): `putBatch` loads the batch's rows, picks the writer, heartbeats and decides what Temporal retries;
 * a writer only writes the rows, through the tenant's requests (`http/gated-request.ts`), and says what became of them.
 */
import type { StoredItem } from '../../contracts/assignment';
import type { BatchOutcome, PutBatchInput } from '../../contracts/batch';
import type { TenantRequests } from '../http/gated-request';

/** What the attempt's heartbeat carries, beaten by `putBatch`: a writer's record for the next attempt, if any. */
export interface HeartbeatProgress {
  details?: unknown;
  /**
   * What came before this attempt: the previous attempt's last heartbeat, or, for a batch sent again after its
   * process lost the lease, its earlier activity's (`PutBatchInput.resumeFrom`).
   */
  readonly earlier?: unknown;
}

/**
 * An attempt's progress as it starts: what its previous attempt beat last, else what an earlier activity of the
 * batch recorded (`resumeFrom`).
 */
export function startingProgress(heartbeatDetails: unknown, resumeFrom: unknown): HeartbeatProgress {
  const earlier = heartbeatDetails ?? resumeFrom;
  return { details: earlier, earlier };
}

/** One batch of one tenant, as `putBatch` hands it to the tenant's writer. */
export interface WriterBatch {
  input: PutBatchInput;
  /** The schedule every row of the batch belongs to. */
  scheduleId: string;
  /** The batch's rows; a row's index here is its offset within the batch, as failures name it. */
  rows: readonly StoredItem[];
  /** Beaten every `PUT_HEARTBEAT_EVERY_MS` while the attempt runs. */
  progress: HeartbeatProgress;
}

export interface Writer {
  /**
   * Writes the batch. Final answers of the API are returned as data; retryable trouble is thrown (`Throttled`,
   * `Fault`, `GateWaitTooLong`, a retryable `ApplicationFailure`) for `putBatch` to decide on.
   */
  write(requests: TenantRequests, batch: WriterBatch): Promise<BatchOutcome>;
}

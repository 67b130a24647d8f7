/**
 * Keeping failures compact in workflow state: a failure log of item ranges (neighbours with one reason merged, the
 * older ranges moved to the claim-check store past a bound); runs begun before it (patch `bounded-failure-log`)
 * keep batch records to the end: a run of whole batches failing for the same reason is one record.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { FailureLog, FailureReason, FailureRecord, ItemFailure } from '../contracts/failures';
import { tenantFatalFailureTypes } from '../contracts/names';
import type { BatchRange } from '../contracts/plan';

function sameReason(a: FailureReason, b: FailureReason): boolean {
  return a.code === b.code && a.status === b.status && a.message === b.message;
}

/** Records that batches `fromBatch..toBatch` (all their `count` items) failed for `reason`. */
export function addBatchFailure(
  records: FailureRecord[],
  fromBatch: number,
  toBatch: number,
  count: number,
  reason: FailureReason,
): void {
  if (count <= 0) return;
  const last = records[records.length - 1];
  if (last && !last.offsets && last.toBatch + 1 === fromBatch && sameReason(last.reason, reason)) {
    last.toBatch = toBatch;
    last.count += count;
    return;
  }
  records.push({ fromBatch, toBatch, count, reason });
}

/** Records items of one batch the API refused, one record per distinct reason. */
export function addItemFailures(records: FailureRecord[], batch: number, failures: readonly ItemFailure[]): void {
  const byReason: FailureRecord[] = [];
  for (const failure of failures) {
    const record = byReason.find((r) => sameReason(r.reason, failure.reason));
    if (record) {
      record.offsets!.push(failure.offset);
      record.count++;
    } else {
      byReason.push({ fromBatch: batch, toBatch: batch, offsets: [failure.offset], count: 1, reason: failure.reason });
    }
  }
  records.push(...byReason);
}

/** Ranges a failure log keeps in the workflow; past this, they move to the claim-check store as one block. */
export const FAILURE_LOG_BOUND = 200;

/** Adds items `start..end` failed for `reason`, merged into the last range when it continues it with that reason. */
export function addFailedRange(log: FailureLog, start: number, end: number, reason: FailureReason): void {
  if (end <= start) return;
  const last = log.recent[log.recent.length - 1];
  if (last && last.end === start && sameReason(last.reason, reason)) {
    last.end = end;
    return;
  }
  log.recent.push({ start, end, reason });
}

/** The items of batches whose outcome is not known (any order) and of every batch from `nextBatch` on, as ranges. */
export function unfinishedRanges(
  batches: readonly BatchRange[],
  unfinished: readonly number[],
  nextBatch: number,
): { start: number; end: number }[] {
  const ranges = [...unfinished].sort((a, b) => a - b).map((batch) => ({ ...batches[batch]! }));
  if (nextBatch < batches.length) ranges.push({ ...batches[nextBatch]!, end: batches[batches.length - 1]!.end });
  return ranges.map(({ start, end }) => ({ start, end }));
}

/** The last heartbeat details of an activity that timed out (what its attempts recorded), if any. */
export function lastRecordOf(error: unknown): unknown {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof TimeoutFailure ? (cause.lastHeartbeatDetails ?? undefined) : undefined;
}

/**
 * The reason a batch or the tenant's hold failed after Temporal gave up retrying, from the activity's own
 * failure (a reason it attached, else its type and message), and whether nothing more of the tenant can succeed.
 */
export function reasonOfFailure(error: unknown): { reason: FailureReason; fatal: boolean } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? 'activity-failed';
    const attached = cause.details?.[0] as Partial<FailureReason> | undefined;
    const reason =
      typeof attached?.code === 'string' && typeof attached.message === 'string'
        ? (attached as FailureReason)
        : { code: type, message: cause.message };
    return { reason, fatal: tenantFatalFailureTypes.includes(type) };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { reason: { code: 'activity-failed', message }, fatal: false };
}

/**
 * Keeping failures compact in workflow state: a run of whole batches failing for the same reason is one
 * record, however many batches it spans, so a tenant whose every batch fails stays a few bytes of history.
 */
import type { FailureReason, FailureRecord, ItemFailure } from '../contracts/job';
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

/**
 * Records every batch whose outcome is not known (`unfinished`, any order) and every batch from `nextBatch` on
 * as failed for `reason`; returns how many items that is.
 */
export function addUnfinishedFailures(
  records: FailureRecord[],
  batches: readonly BatchRange[],
  unfinished: readonly number[],
  nextBatch: number,
  reason: FailureReason,
): number {
  const sizeOf = (batch: number) => batches[batch]!.end - batches[batch]!.start;
  let count = 0;
  for (const batch of [...unfinished].sort((a, b) => a - b)) {
    addBatchFailure(records, batch, batch, sizeOf(batch), reason);
    count += sizeOf(batch);
  }
  if (nextBatch < batches.length) {
    let remaining = 0;
    for (let batch = nextBatch; batch < batches.length; batch++) remaining += sizeOf(batch);
    addBatchFailure(records, nextBatch, batches.length - 1, remaining, reason);
    count += remaining;
  }
  return count;
}

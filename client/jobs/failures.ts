/**
 * From a tenant's compact failure records back to the assignments they stand for, with the input line each
 * came from: the raw material of a failure report and of a job that retries the failed ones.
 */
import type { StoredItem } from '../../contracts/assignment';
import type { FailedRange, FailureLog, FailureReason } from '../../contracts/failures';
import { storedItemRefs, type TenantPlan, type TenantResult } from '../../contracts/tenant';
import { planBatches } from '../../contracts/plan';
import { decodeStoredItems } from '../../contracts/stored-items';
import type { BlobStore } from '../../store/blob-store';
import { decodeFailureBlock } from '../../contracts/failure-blocks';

export interface FailedAssignment extends StoredItem {
  tenantId: string;
  reason: FailureReason;
}

export async function failedAssignments(
  store: BlobStore,
  plan: Pick<TenantPlan, 'tenantId' | 'itemsRef' | 'itemChunks' | 'scheduleSizes'>,
  batchSize: number,
  result: Pick<TenantResult, 'failures' | 'failureLog'>,
): Promise<FailedAssignment[]> {
  const ranges = await failedRanges(store, result.failureLog);
  if (result.failures.length === 0 && ranges.length === 0) return [];
  const items: StoredItem[] = [];
  for (const ref of storedItemRefs(plan)) items.push(...decodeStoredItems(await store.get(ref)));
  const failed: FailedAssignment[] = [];
  const add = (position: number, reason: FailureReason) => {
    const item = items[position];
    if (!item) throw new Error(`tenant ${plan.tenantId}: a failure names item ${position}, beyond its ${items.length}`);
    failed.push({ ...item, tenantId: plan.tenantId, reason });
  };
  // As runs without the failure log (patch `bounded-failure-log`) recorded them: batch ranges, or offsets in a batch.
  const batches = result.failures.length > 0 ? planBatches(plan.scheduleSizes, batchSize) : [];
  for (const record of result.failures) {
    for (let batch = record.fromBatch; batch <= record.toBatch; batch++) {
      const range = batches[batch];
      if (!range) throw new Error(`tenant ${plan.tenantId}: failure record names batch ${batch}, beyond the plan`);
      const positions = record.offsets
        ? record.offsets.map((offset) => range.start + offset)
        : Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
      for (const position of positions) add(position, record.reason);
    }
  }
  for (const { start, end, reason } of ranges)
    for (let position = start; position < end; position++) add(position, reason);
  return failed;
}

/** Every range of a failure log: the blocks in the claim-check store, then the ones the workflow kept. */
async function failedRanges(store: BlobStore, log: FailureLog | undefined): Promise<FailedRange[]> {
  if (!log) return [];
  const ranges: FailedRange[] = [];
  for (const ref of log.stored) ranges.push(...decodeFailureBlock(ref, await store.get(ref)));
  return [...ranges, ...log.recent];
}

/**
 * From a tenant's compact failure records back to the assignments they stand for, with the input line each
 * came from: the raw material of a failure report and of a job that retries the failed ones.
 */
import type { StoredItem } from '../../contracts/assignment';
import type { FailureReason, FailureRecord, TenantPlan } from '../../contracts/job';
import { planBatches } from '../../contracts/plan';
import { decodeStoredItems } from '../../contracts/stored-items';
import type { BlobStore } from '../../store/blob-store';

export interface FailedAssignment extends StoredItem {
  tenantId: string;
  reason: FailureReason;
}

export async function failedAssignments(
  store: BlobStore,
  plan: Pick<TenantPlan, 'tenantId' | 'itemsRef' | 'scheduleSizes'>,
  batchSize: number,
  failures: readonly FailureRecord[],
): Promise<FailedAssignment[]> {
  if (failures.length === 0) return [];
  const items = decodeStoredItems(await store.get(plan.itemsRef));
  const batches = planBatches(plan.scheduleSizes, batchSize);
  const failed: FailedAssignment[] = [];
  for (const record of failures) {
    for (let batch = record.fromBatch; batch <= record.toBatch; batch++) {
      const range = batches[batch];
      if (!range) throw new Error(`tenant ${plan.tenantId}: failure record names batch ${batch}, beyond the plan`);
      const positions = record.offsets
        ? record.offsets.map((offset) => range.start + offset)
        : Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
      for (const position of positions)
        failed.push({ ...items[position]!, tenantId: plan.tenantId, reason: record.reason });
    }
  }
  return failed;
}

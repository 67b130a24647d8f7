/**
 * Moves a block of a tenant's failure log to the claim-check store (sealed like the input when payloads are
 * encrypted), so the workflow keeps a ref instead of the ranges: its state, results and history stay small however
 * many items fail, each with its own reason.
 */
import { encodeFailureBlock } from '../contracts/failure-blocks';
import type { FailedRange } from '../contracts/failures';
import type { BlobStore } from '../store/blob-store';

export interface StoreFailuresInput {
  jobId: string;
  tenantId: string;
  ranges: FailedRange[];
}

export function createStoreFailures(store: BlobStore) {
  return async function storeFailures({ jobId, ranges }: StoreFailuresInput): Promise<string> {
    // Under the job's own key, so the block goes when the job's retention ends (`wfm-bulk gc`).
    return store.put(encodeFailureBlock(ranges), jobId);
  };
}

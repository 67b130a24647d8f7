/**
 * A tenant's stored items, read once per process and kept while batches of it run: a 20,000-item tenant is
 * read from the store once, not once per batch.
 */
import type { StoredItem } from '../contracts/assignment';
import { planBatches, scheduleSizes, type BatchRange } from '../contracts/plan';
import { decodeStoredItems } from '../contracts/stored-items';
import type { BlobStore } from '../store/blob-store';

export interface TenantItems {
  items: StoredItem[];
  scheduleIds: string[];
  batchesOf(batchSize: number): BatchRange[];
}

/** Bounded so a long-lived worker serving many jobs does not keep every input it ever saw. */
const MAX_CACHED = 200;

export class StoredItemsCache {
  private readonly cache = new Map<string, Promise<TenantItems>>();

  constructor(private readonly store: BlobStore) {}

  get(ref: string): Promise<TenantItems> {
    let entry = this.cache.get(ref);
    if (entry) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(ref);
    } else {
      entry = this.load(ref);
      entry.catch(() => this.cache.delete(ref));
    }
    this.cache.set(ref, entry);
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }

  private async load(ref: string): Promise<TenantItems> {
    const items = decodeStoredItems(await this.store.get(ref));
    const scheduleIds = items.map((item) => item.scheduleId);
    const sizes = scheduleSizes(scheduleIds);
    const plans = new Map<number, BatchRange[]>();
    return {
      items,
      scheduleIds,
      batchesOf(batchSize) {
        let plan = plans.get(batchSize);
        if (!plan) plans.set(batchSize, (plan = planBatches(sizes, batchSize)));
        return plan;
      },
    };
  }
}

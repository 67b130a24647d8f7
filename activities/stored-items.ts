/**
 * A tenant's stored items, read once per process and kept while batches of it run: a 20,000-item tenant is
 * read from the store once, not once per batch.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import pLimit from 'p-limit';
import { ENV } from '../config/environment';
import type { StoredItem } from '../contracts/assignment';
import { planBatches, scheduleSizes, type BatchRange } from '../contracts/plan';
import { decodeStoredItemsInSlices } from '../contracts/stored-items';
import type { BlobStore } from '../store/blob-store';

export interface TenantItems {
  items: StoredItem[];
  scheduleIds: string[];
  batchesOf(batchSize: number): BatchRange[];
}

/**
 * Default bound of the cache, in MB of stored items: what a worker keeps at most, counted as the items' NDJSON;
 * decoded, they take about 1.5 times that on the heap. 128 MB holds about 600,000 items.
 */
export const DEFAULT_ITEMS_CACHE_MB = 128;

/** `WFM_ITEMS_CACHE_MB`: a whole number of MB from 1 to 65,536; unset: the default. */
export function itemsCacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[ENV.WFM_ITEMS_CACHE_MB]?.trim();
  if (!value) return DEFAULT_ITEMS_CACHE_MB * 1024 * 1024;
  const mb = Number(value);
  if (!Number.isInteger(mb) || mb < 1 || mb > 65_536)
    throw new Error(
      `WFM_ITEMS_CACHE_MB must be a whole number of MB from 1 to 65536, not "${env[ENV.WFM_ITEMS_CACHE_MB]}"`,
    );
  return mb * 1024 * 1024;
}

/**
 * Tenants' items read and decoded at once: each read holds its whole blob until decoded, outside the bound, and
 * decoding is CPU that heartbeats and sockets wait behind.
 */
export const MAX_CONCURRENT_LOADS = 2;

interface Entry {
  items: Promise<TenantItems>;
  /** Size of the stored items, once read; 0 while the read is under way. */
  bytes: number;
}

/**
 * Bounded by bytes, least recently used first out, so a long-lived worker serving many jobs keeps what its running
 * tenants need and not every input it ever saw, however big each one is. The entry just read always stays, even
 * alone over the bound: its tenant's batches are running now.
 */
export class StoredItemsCache {
  private readonly cache = new Map<string, Entry>();
  private total = 0;
  private readonly loads = pLimit(MAX_CONCURRENT_LOADS);

  constructor(
    private readonly store: BlobStore,
    private readonly maxBytes = DEFAULT_ITEMS_CACHE_MB * 1024 * 1024,
  ) {}

  /** Bytes of stored items held now. */
  get bytes(): number {
    return this.total;
  }

  /** Refs held now, least recently used first. */
  get refs(): string[] {
    return [...this.cache.keys()];
  }

  get(ref: string): Promise<TenantItems> {
    const cached = this.cache.get(ref);
    if (cached) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(ref);
      this.cache.set(ref, cached);
      return cached.items;
    }
    // The callbacks run once the read settles, by when `entry` is this one (still cached unless evicted).
    const entry: Entry = {
      bytes: 0,
      items: this.loads(() => this.load(ref)).then(
        ({ items, bytes }) => {
          if (this.cache.get(ref) === entry) {
            entry.bytes = bytes;
            this.total += bytes;
            this.evict(ref);
          }
          return items;
        },
        (error: unknown) => {
          if (this.cache.get(ref) === entry) this.cache.delete(ref);
          throw error;
        },
      ),
    };
    this.cache.set(ref, entry);
    return entry.items;
  }

  /** Drops least recently used entries (never `keep`, nor reads under way) until the cache is within its bound. */
  private evict(keep: string): void {
    for (const [ref, entry] of this.cache) {
      if (this.total <= this.maxBytes) return;
      if (ref === keep || entry.bytes === 0) continue;
      this.cache.delete(ref);
      this.total -= entry.bytes;
    }
  }

  private async load(ref: string): Promise<{ items: TenantItems; bytes: number }> {
    const stored = await this.store.get(ref);
    const items = await decodeStoredItemsInSlices(stored, () => nextTurn());
    const scheduleIds = items.map((item) => item.scheduleId);
    const sizes = scheduleSizes(scheduleIds);
    const plans = new Map<number, BatchRange[]>();
    return {
      bytes: stored.length,
      items: {
        items,
        scheduleIds,
        batchesOf(batchSize) {
          let plan = plans.get(batchSize);
          if (!plan) plans.set(batchSize, (plan = planBatches(sizes, batchSize)));
          return plan;
        },
      },
    };
  }
}

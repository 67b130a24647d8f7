/**
 * A tenant's stored items, read once per process and kept as stored while batches of it run: a chunk is read from
 * the store once, not once per batch, and each batch decodes only its own items.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import pLimit from 'p-limit';
import { ENV } from '../config/environment';
import { planBatches, scheduleSizes, type BatchRange } from '../contracts/plan';
import { EncodedItems } from '../contracts/stored-items';
import type { BlobStore } from '../store/blob-store';

export interface TenantItems {
  items: EncodedItems;
  /**
   * The batches of a whole input (the form before chunks) at `batchSize`, planned from its items' schedules, once:
   * a chunked input's batches come with the batch.
   */
  batchesOf(batchSize: number): Promise<BatchRange[]>;
}

/**
 * Default bound of the cache, in MB of stored items: what a worker keeps at most, held as stored (NDJSON), the
 * memory it takes. 128 MB holds about 600,000 items.
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

/** Tenants' items read at once: each read holds its blob outside the bound until it is in. */
export const MAX_CONCURRENT_LOADS = 2;

/**
 * An entry nothing asked for this long is let go, bound or not. A chunk goes as soon as the batch holding its last
 * item is written (`release`); this is for the rest: a tenant stopped or cancelled midway, a chunk read again by a
 * retry. Longer than a running tenant ever leaves its current chunk unasked (at 200 tenants, a few seconds).
 */
export const ITEMS_IDLE_MS = 60_000;

interface Entry {
  items: Promise<TenantItems>;
  /** Size of the stored items, once read; 0 while the read is under way. */
  bytes: number;
  /** When it was last asked for (`now()`). */
  usedAt: number;
}

export interface StoredItemsCacheOptions {
  /** Bytes of stored items held at most; default `DEFAULT_ITEMS_CACHE_MB`. */
  maxBytes?: number;
  /** An entry unused this long is let go; default `ITEMS_IDLE_MS`. */
  idleMs?: number;
  now?: () => number;
}

/**
 * Bounded by bytes, least recently used first out, so a long-lived worker serving many jobs keeps what its running
 * tenants need and not every input it ever saw, however big each one is; and an entry left unused for `idleMs` goes
 * too, so it holds what its batches use now, not what the bound allows. The entry just read always stays, even alone
 * over the bound: its tenant's batches are running now.
 */
export class StoredItemsCache {
  private readonly cache = new Map<string, Entry>();
  private total = 0;
  private readonly loads = pLimit(MAX_CONCURRENT_LOADS);
  private readonly maxBytes: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  /** Lets idle entries go while nothing asks for any; runs only while the cache holds something. */
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: BlobStore,
    options: StoredItemsCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_ITEMS_CACHE_MB * 1024 * 1024;
    this.idleMs = options.idleMs ?? ITEMS_IDLE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Bytes of stored items held now. */
  get bytes(): number {
    return this.total;
  }

  /** Refs held now, least recently used first. */
  get refs(): string[] {
    return [...this.cache.keys()];
  }

  get(ref: string): Promise<TenantItems> {
    const now = this.now();
    this.dropIdle(now);
    const cached = this.cache.get(ref);
    if (cached) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(ref);
      cached.usedAt = now;
      this.cache.set(ref, cached);
      return cached.items;
    }
    // The callbacks run once the read settles, by when `entry` is this one (still cached unless evicted).
    const entry: Entry = {
      bytes: 0,
      usedAt: now,
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
    this.sweepWhileHolding();
    return entry.items;
  }

  /** Drops `ref` now if it is held and read (a read under way stays: its batch is waiting for it). */
  release(ref: string): void {
    const entry = this.cache.get(ref);
    if (!entry || entry.bytes === 0) return;
    this.cache.delete(ref);
    this.total -= entry.bytes;
  }

  /** Stops the sweeper; the entries stay. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Drops the entries unused for `idleMs`, oldest first (the map's order), never a read under way. */
  private dropIdle(now: number): void {
    for (const [ref, entry] of this.cache) {
      if (now - entry.usedAt < this.idleMs) return;
      this.release(ref);
    }
  }

  private sweepWhileHolding(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.dropIdle(this.now());
      if (this.cache.size === 0) this.close();
    }, this.idleMs / 3);
    // A cache never keeps its process alive.
    this.sweeper.unref();
  }

  /** Drops least recently used entries (never `keep`, nor reads under way) until the cache is within its bound. */
  private evict(keep: string): void {
    for (const ref of this.cache.keys()) {
      if (this.total <= this.maxBytes) return;
      if (ref !== keep) this.release(ref);
    }
  }

  private async load(ref: string): Promise<{ items: TenantItems; bytes: number }> {
    const items = new EncodedItems(await this.store.get(ref));
    let sizes: Promise<number[]> | undefined;
    const plans = new Map<number, BatchRange[]>();
    return {
      bytes: items.bytesHeld,
      items: {
        items,
        async batchesOf(batchSize) {
          // Every item decoded to learn its schedule, the event loop free between slices.
          sizes ??= items.decodeInSlices(() => nextTurn()).then((all) => scheduleSizes(all.map((i) => i.scheduleId)));
          let plan = plans.get(batchSize);
          if (!plan) plans.set(batchSize, (plan = planBatches(await sizes, batchSize)));
          return plan;
        },
      },
    };
  }
}

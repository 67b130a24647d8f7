/**
 * The worker's cache of tenant items is bounded by bytes, least recently used out, an entry unused for a while
 * let go, read two at a time, kept as stored and decoded a batch at a time; a blob not found is looked for again for a few seconds before the batch fails, with
 * the store named; one sealed under a key the worker lacks is a retryable fault named for what it is.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityDeps } from '../../activities/deps';
import { codecFromEnv } from '../../codec/data-converter';
import { itemsCacheBytesFromEnv, MAX_CONCURRENT_LOADS, StoredItemsCache } from '../../activities/stored-items';
import { TenantRuntimes } from '../../activities/tenant-runtime';
import { decodeStoredItems, EncodedItems, encodeStoredItems } from '../../contracts/stored-items';
import { failureTypes } from '../../contracts/names';
import { FileBlobStore, type BlobStore } from '../../store/blob-store';
import { EncryptedBlobStore } from '../../store/encrypted-blob-store';

/** A store that counts its reads. */
function counting(store: BlobStore): BlobStore & { reads: string[] } {
  const reads: string[] = [];
  return Object.assign(Object.create(store) as BlobStore, {
    reads,
    get: (key: string) => {
      reads.push(key);
      return store.get(key);
    },
  });
}

const items = (prefix: string, count: number) =>
  encodeStoredItems(
    Array.from({ length: count }, (_, i) => ({
      line: i + 1,
      scheduleId: 's1',
      assignment: { id: `${prefix}-${i}`, userId: 'u', start: '2027-01-01T08:00:00Z', end: '2027-01-01T16:00:00Z' },
    })),
  );

/** What the cache counts for a blob: its bytes and where its lines are. */
const held = (blob: Buffer) => new EncodedItems(blob).bytesHeld;

describe('stored items of a worker', () => {
  let dir: string;
  let files: FileBlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-items-'));
    files = new FileBlobStore(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('are cached within a byte bound, least recently used out, the entry just read kept even alone', async () => {
    const blobs = { a: items('a', 10), b: items('b', 10), c: items('c', 10), big: items('big', 100) };
    const refs = Object.fromEntries(
      await Promise.all(Object.entries(blobs).map(async ([name, blob]) => [name, await files.put(blob, 'job')])),
    ) as Record<keyof typeof blobs, string>;
    const store = counting(files);
    const bound = held(blobs.a) + held(blobs.b) + 10; // two of the small ones
    const cache = new StoredItemsCache(store, { maxBytes: bound });

    const [first, again] = await Promise.all([cache.get(refs.a), cache.get(refs.a)]);
    expect(first).toBe(again); // one read for concurrent batches
    expect(first.items.slice(0, first.items.length).map((item) => item.assignment.id)).toContain('a-9');
    await cache.get(refs.b);
    await cache.get(refs.a); // a is now the most recently used
    await cache.get(refs.c); // over the bound: b goes, not a
    expect(cache.refs).toEqual([refs.a, refs.c]);
    expect(cache.bytes).toBe(held(blobs.a) + held(blobs.c));
    expect(cache.bytes).toBeLessThanOrEqual(bound);
    expect(store.reads).toEqual([refs.a, refs.b, refs.c]);

    await cache.get(refs.big); // bigger than the whole bound: kept alone while its tenant runs
    expect(cache.refs).toEqual([refs.big]);
    await cache.get(refs.big);
    expect(store.reads.filter((ref) => ref === refs.big)).toHaveLength(1);
  });

  it('are let go once unused for the idle time, bound or not, also while nothing asks for any', async () => {
    const blobs = { a: items('a', 10), b: items('b', 10) };
    const refs = { a: await files.put(blobs.a, 'job'), b: await files.put(blobs.b, 'job') };
    const store = counting(files);
    let now = 0;
    const cache = new StoredItemsCache(store, { idleMs: 3_000, now: () => now });
    try {
      await cache.get(refs.a);
      now = 2_000;
      await cache.get(refs.b);
      now = 2_800;
      await cache.get(refs.a); // used again: its idle time starts over
      now = 5_200; // b unused for 3.2 s, a for 2.4 s
      await cache.get(refs.a);
      expect(cache.refs).toEqual([refs.a]);
      expect(cache.bytes).toBe(held(blobs.a));
      await cache.get(refs.b); // read again when asked again
      expect(store.reads).toEqual([refs.a, refs.b, refs.b]);

      // With no one asking, the sweeper lets both go, then stops.
      now = 20_000;
      await new Promise((resolve) => setTimeout(resolve, 3_000 / 3 + 200));
      expect(cache.refs).toEqual([]);
      expect(cache.bytes).toBe(0);
    } finally {
      cache.close();
    }
  });

  it('are kept as stored and decoded a batch at a time; a bad line fails only the items on it, named', async () => {
    const blob = items('x', 1_000);
    const kept = new EncodedItems(blob);
    expect(kept.length).toBe(1_000);
    expect(kept.bytesHeld).toBe(blob.length + 1_000 * 8); // two 4-byte offsets an item
    expect(kept.slice(990, 2_000)).toEqual(decodeStoredItems(blob).slice(990));
    let pauses = 0;
    const pause = () => {
      pauses++;
      return Promise.resolve();
    };
    expect(await kept.decodeInSlices(pause, 250)).toEqual(decodeStoredItems(blob));
    expect(pauses).toBe(3); // four slices of 250

    // A whole input's batches are planned from every item's schedule, the event loop free between slices: a callback
    // queued before the plan runs before it ends.
    const big = items('y', 20_000);
    const inMemory = Object.assign(Object.create(files) as BlobStore, { get: () => Promise.resolve(big) });
    const cached = await new StoredItemsCache(inMemory).get('big');
    let planned = false;
    let ranDuringPlan = false;
    setImmediate(() => (ranDuringPlan = !planned));
    expect(await cached.batchesOf(5_000).then((plan) => ((planned = true), plan))).toHaveLength(4);
    expect(ranDuringPlan).toBe(true);

    const lines = blob.toString('utf8').split('\n');
    lines[600] = '{"line": "six hundred"}';
    const bad = new EncodedItems(Buffer.from(lines.join('\n')));
    expect(bad.slice(550, 600)).toHaveLength(50);
    expect(() => bad.slice(600, 650)).toThrow(/stored items, line 601/);
    const notUtf8 = Buffer.concat([blob.subarray(0, 10), Buffer.from([0xff]), blob.subarray(10)]);
    expect(() => new EncodedItems(notUtf8).slice(0, 1)).toThrow(/stored items, line 1:/);
  });

  it(`are read and decoded at most ${MAX_CONCURRENT_LOADS} at once`, async () => {
    const refs = await Promise.all([1, 2, 3, 4, 5].map((n) => files.put(items(`c${n}`, 5), 'job')));
    let reading = 0;
    let most = 0;
    const store = Object.assign(Object.create(files) as BlobStore, {
      get: async (key: string) => {
        most = Math.max(most, ++reading);
        await new Promise((resolve) => setTimeout(resolve, 20));
        reading--;
        return files.get(key);
      },
    });
    const cache = new StoredItemsCache(store);
    const all = await Promise.all(refs.map((ref) => cache.get(ref)));
    expect(all.map((tenant) => tenant.items.length)).toEqual([5, 5, 5, 5, 5]);
    expect(most).toBe(MAX_CONCURRENT_LOADS);
  });

  it('bound comes from WFM_ITEMS_CACHE_MB', () => {
    expect(itemsCacheBytesFromEnv({})).toBe(128 * 1024 * 1024);
    expect(itemsCacheBytesFromEnv({ WFM_ITEMS_CACHE_MB: '16' })).toBe(16 * 1024 * 1024);
    expect(() => itemsCacheBytesFromEnv({ WFM_ITEMS_CACHE_MB: '0.5' })).toThrow(/WFM_ITEMS_CACHE_MB must be/);
  });

  it('are looked for again when not found, then fail for good naming the store', async () => {
    const deps = createActivityDeps({
      workerId: 'test',
      tenants: new TenantRuntimes({ loadTenants: () => new Map() }),
      store: files,
      serveTenantQueue: () => Promise.reject(new Error('not used')),
      notFoundRetryMs: [50, 100, 200],
    });
    // A blob that lands a moment after the first look (a copy, a store behind its writes) is found.
    const late = items('late', 3);
    const lateKey = (await files.put(late, 'late-job')).replace('late-job', 'late-job-2');
    setTimeout(() => void files.put(late, 'late-job-2'), 80);
    expect((await deps.items(lateKey)).items).toHaveLength(3);

    const started = Date.now();
    const error = await deps.items(`jobs/gone/sha256-${'2'.repeat(64)}`).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: failureTypes.inputUnavailable, nonRetryable: true });
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain('looked for 4 times');
  });

  it('sealed under a key this worker lacks: a retryable InputUnavailable naming the key, not a lost worker', async () => {
    const keyed = new EncryptedBlobStore(
      files,
      codecFromEnv({ WFM_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` }),
    );
    const ref = await keyed.put(items('sealed', 2), 'sealed-job');
    const deps = createActivityDeps({
      workerId: 'test',
      tenants: new TenantRuntimes({ loadTenants: () => new Map() }),
      store: new EncryptedBlobStore(files, codecFromEnv({})),
      serveTenantQueue: () => Promise.reject(new Error('not used')),
    });
    const error = await deps.items(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: failureTypes.inputUnavailable, nonRetryable: false });
    expect((error as Error).message).toMatch(/^stored input jobs\/sealed-job\/sha256-[0-9a-f]{64}: .*key id "k1"/);
  });
});

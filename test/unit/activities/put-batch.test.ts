/**
 * The PUT activity against hand-made APIs that make the gate's order visible: a 429 whose status line and
 * headers come before its body, and a login service that is slow to renew a refused token while a 429 is on its
 * way. In both, a request waiting meanwhile must go only after Retry-After.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { noopMetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivityDeps } from '../../../activities/deps';
import { createPutBatch } from '../../../activities/put-batch';
import { TenantRuntimes } from '../../../activities/tenant-runtime';
import type { PutBatchInput } from '../../../contracts/batch';
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';
import { failureTypes } from '../../../contracts/names';
import { encodeStoredItems } from '../../../contracts/stored-items';
import { resolveTenants, tenantsFileSchema } from '../../../contracts/tenants';
import { FileBlobStore, type BlobStore } from '../../../store/blob-store';

const RETRY_AFTER_S = 1;
const EPOCH = 7;
/** A client whose jobs record no store id, so the store check passes. */
const jobWithoutStoreId = {
  workflow: { getHandle: () => ({ describe: () => Promise.resolve({ memo: {} }) }) },
  withAbortSignal: <T>(_signal: AbortSignal, fn: () => Promise<T>) => fn(),
} as unknown as Client;

/** Stored items of schedule `s1`, one per id. */
const storedItems = (ids: string[]) =>
  ids.map((id, line) => ({
    line,
    scheduleId: 's1',
    assignment: { id, userId: 'u', start: '2027-01-01T08:00:00Z', end: '2027-01-01T16:00:00Z' },
  }));

/** `putBatch` of a process holding tenant `acme`'s lease (for the whole test), its API at `url`. */
function putBatchOn(url: string, store: BlobStore) {
  const tenants = resolveTenants(
    tenantsFileSchema.parse({
      defaults: { apiBaseUrl: url, loginUrl: url },
      tenants: [{ id: 'acme', clientId: 'acme-client', clientSecretEnv: 'ACME_SECRET' }],
    }),
  );
  const runtimes = new TenantRuntimes({
    loadTenants: () => tenants,
    env: { ACME_SECRET: 's' },
    meter: noopMetricMeter,
  });
  runtimes.get('acme').fence.hold('hold', EPOCH, Number.MAX_SAFE_INTEGER);
  return createPutBatch(
    createActivityDeps({
      workerId: 'test',
      tenants: runtimes,
      store,
      serveTenantQueue: () => Promise.reject(new Error('not used')),
    }),
  );
}

/** The input of batch `batchIndex` (of one item) of tenant `acme`. */
function batchInput(batchIndex: number, items: Pick<PutBatchInput, 'itemsRef' | 'chunks' | 'items'>): PutBatchInput {
  return {
    jobId: 'job',
    tenantId: 'acme',
    ...items,
    batchSize: 1,
    batchIndex,
    requestTimeoutMs: 5_000,
    maxAttempts: DEFAULT_JOB_OPTIONS.maxAttempts,
    throttleBudgetMs: DEFAULT_JOB_OPTIONS.throttleBudgetMs,
    limits: { revision: 1 },
    lease: { epoch: EPOCH, directive: { revision: 1, limits: { concurrency: 5 } } },
  };
}

/** Runs `putBatch` as Temporal would, for the batch of `input`. */
function runActivity(putBatch: ReturnType<typeof putBatchOn>, input: PutBatchInput) {
  const environment = new MockActivityEnvironment(
    { activityId: String(input.batchIndex), scheduledTimestampMs: Date.now() },
    { client: jobWithoutStoreId },
  );
  return environment.run(putBatch, input);
}

interface FakeApi {
  /** Arrival times of the PUTs, ms epoch. */
  arrivals: number[];
  /** When the first PUT's 429 status line and headers were sent. */
  throttledAt(): number;
}

interface FakeApiOptions {
  /** How long token requests after the first take, ms. */
  laterTokenDelayMs: number;
  /** The answer to the second PUT (a 401 sends its batch for a new token); later ones get 200. */
  secondPutStatus: 200 | 401;
  /** How long the first PUT waits before its 429 head, and then before its body, ms. */
  first429: { headAfterMs: number; bodyAfterMs: number };
}

describe('putBatch at the gate', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An API on a free port and a `putBatch` for one tenant of two single-item batches on it. */
  async function setUp(options: FakeApiOptions) {
    const arrivals: number[] = [];
    let throttledAt = 0;
    let tokens = 0;
    const server = http.createServer((request, response) => {
      if (request.url === '/oauth/token') {
        const delay = tokens++ === 0 ? 0 : options.laterTokenDelayMs;
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ access_token: `t${tokens}`, token_type: 'bearer', expires_in: 3_600 }));
        }, delay);
        return;
      }
      arrivals.push(Date.now());
      request.resume();
      if (arrivals.length > 1) {
        const status = arrivals.length === 2 ? options.secondPutStatus : 200;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(status === 200 ? '{}' : JSON.stringify({ message: 'Invalid login credentials.' }));
        return;
      }
      setTimeout(() => {
        response.writeHead(429, { 'retry-after': String(RETRY_AFTER_S), 'content-type': 'application/json' });
        response.flushHeaders();
        throttledAt = Date.now();
        setTimeout(
          () => response.end(JSON.stringify({ message: `Retry the request in [${RETRY_AFTER_S}] seconds` })),
          options.first429.bodyAfterMs,
        );
      }, options.first429.headAfterMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-put-batch-'));
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    });

    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = new FileBlobStore(dir);
    const itemsRef = await store.put(encodeStoredItems(storedItems(['a-1', 'a-2'])));
    const putBatch = putBatchOn(url, store);
    const run = (batchIndex: number) => runActivity(putBatch, batchInput(batchIndex, { itemsRef }));
    const api: FakeApi = { arrivals, throttledAt: () => throttledAt };
    return { api, run };
  }

  it('holds the tenant from the 429’s status line, before its body is read', async () => {
    const { api, run } = await setUp({
      laterTokenDelayMs: 0,
      secondPutStatus: 200,
      first429: { headAfterMs: 0, bodyAfterMs: 400 },
    });
    const first = run(0).catch((error: unknown) => error);
    // The second batch comes to the gate while the 429's body is still on its way.
    while (api.throttledAt() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = run(1);

    expect(await second).toMatchObject({ outcome: 'done', applied: 1 });
    expect(await first).toMatchObject({ type: 'RateLimited' });
    expect(api.arrivals).toHaveLength(2);
    expect(api.arrivals[1]! - api.throttledAt()).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
  });

  it('takes the token before the gate: a request waiting for a new token goes after a 429 that came meanwhile', async () => {
    // The first PUT's 429 comes 600 ms after it; the second is refused 401 at once, and its new token takes 800 ms.
    const { api, run } = await setUp({
      laterTokenDelayMs: 800,
      secondPutStatus: 401,
      first429: { headAfterMs: 600, bodyAfterMs: 0 },
    });
    const first = run(0).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = run(1);

    expect(await second).toMatchObject({ outcome: 'done', applied: 1 });
    expect(await first).toMatchObject({ type: 'RateLimited' });
    expect(api.arrivals).toHaveLength(3);
    expect(api.arrivals[1]!).toBeLessThan(api.throttledAt()); // the 401, before the window
    expect(api.arrivals[2]! - api.throttledAt()).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
  });
});

describe('putBatch and the items cache', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** An API that answers every PUT 200, and a store directory, both gone after the test. */
  async function apiAnsweringOk() {
    const server = http.createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        request.url === '/oauth/token'
          ? JSON.stringify({ access_token: 't', token_type: 'bearer', expires_in: 3_600 })
          : '{}',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-put-batch-'));
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dir };
  }

  it('lets a chunk go once the batch with its last item is written; a retry reads it again', async () => {
    const { url, dir } = await apiAnsweringOk();
    {
      const files = new FileBlobStore(dir);
      const chunks = [
        await files.put(encodeStoredItems(storedItems(['a-1', 'a-2']))),
        await files.put(encodeStoredItems(storedItems(['a-3', 'a-4']))),
      ];
      const reads: string[] = [];
      const store = Object.assign(Object.create(files) as BlobStore, {
        get: (key: string) => {
          reads.push(key);
          return files.get(key);
        },
      });
      const putBatch = putBatchOn(url, store);
      const batch = (index: number) =>
        batchInput(index, {
          chunks: { refs: [chunks[Math.floor(index / 2)]!], firstItem: Math.floor(index / 2) * 2 },
          items: { start: index, end: index + 1 },
        });

      expect(await runActivity(putBatch, batch(0))).toMatchObject({ outcome: 'done', applied: 1 });
      expect(await runActivity(putBatch, batch(1))).toMatchObject({ outcome: 'done', applied: 1 }); // chunk 0's last
      expect(reads).toEqual([chunks[0]]); // one read for both batches
      expect(await runActivity(putBatch, batch(2))).toMatchObject({ outcome: 'done', applied: 1 });
      await runActivity(putBatch, batch(2)); // chunk 1 is still held: its last item is not written yet
      await runActivity(putBatch, batch(1)); // a retry of a batch whose chunk was let go reads it again
      expect(reads).toEqual([chunks[0], chunks[1], chunks[0]]);
    }
  });

  it('writes a batch across two chunks; a stored line that is not an item fails only its batch, named', async () => {
    const { url, dir } = await apiAnsweringOk();
    const files = new FileBlobStore(dir);
    const second = encodeStoredItems(storedItems(['a-4', 'a-5', 'a-6']))
      .toString('utf8')
      .split('\n');
    second[1] = '{"line": "five"}';
    const chunks = [
      await files.put(encodeStoredItems(storedItems(['a-1', 'a-2', 'a-3']))),
      await files.put(Buffer.from(second.join('\n'))),
    ];
    const putBatch = putBatchOn(url, files);
    const batch = (index: number, start: number, end: number) =>
      batchInput(index, { chunks: { refs: chunks, firstItem: 0 }, items: { start, end } });

    expect(await runActivity(putBatch, batch(0, 1, 4))).toMatchObject({ outcome: 'done', applied: 3 });
    const failure = await runActivity(putBatch, batch(1, 4, 5)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ nonRetryable: true, type: failureTypes.inputUnavailable });
    expect((failure as Error).message).toMatch(/batch 1 .*stored items, line 2:/s);
    expect(await runActivity(putBatch, batch(2, 5, 6))).toMatchObject({ outcome: 'done', applied: 1 });
  });
});

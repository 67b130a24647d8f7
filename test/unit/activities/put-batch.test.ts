/**
 * The PUT activity against a hand-made API whose 429 sends its status line and headers at once and its body
 * later: the tenant's gate must hold from the headers, so a request waiting meanwhile goes only after Retry-After.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { noopMetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityDeps } from '../../../activities/deps';
import { createPutBatch } from '../../../activities/put-batch';
import { TenantRuntimes } from '../../../activities/tenant-runtime';
import { DEFAULT_JOB_OPTIONS, type PutBatchInput } from '../../../contracts/job';
import { encodeStoredItems } from '../../../contracts/stored-items';
import { resolveTenants, tenantsFileSchema } from '../../../contracts/tenants';
import { FileBlobStore } from '../../../store/blob-store';

const RETRY_AFTER_S = 1;
const BODY_DELAY_MS = 400;

describe('putBatch at the gate', () => {
  let server: http.Server;
  let dir: string;
  /** Arrival times of the PUTs, ms epoch. */
  const arrivals: number[] = [];
  let headersOf429At = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/oauth/token') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ access_token: 't', token_type: 'bearer', expires_in: 3600 }));
        return;
      }
      arrivals.push(Date.now());
      request.resume();
      if (arrivals.length === 1) {
        // The 429's head now, its body (which names the wait too) later.
        response.writeHead(429, { 'retry-after': String(RETRY_AFTER_S), 'content-type': 'application/json' });
        response.flushHeaders();
        headersOf429At = Date.now();
        setTimeout(
          () => response.end(JSON.stringify({ message: `Retry the request in [${RETRY_AFTER_S}] seconds` })),
          BODY_DELAY_MS,
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-put-batch-'));
  });
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the tenant from the 429’s status line, before its body is read', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tenants = resolveTenants(
      tenantsFileSchema.parse({
        defaults: { apiBaseUrl: url, loginUrl: url },
        tenants: [{ id: 'acme', clientId: 'acme-client', clientSecretEnv: 'ACME_SECRET' }],
      }),
    );
    const store = new FileBlobStore(dir);
    const itemsRef = await store.put(
      encodeStoredItems(
        ['a-1', 'a-2'].map((id, line) => ({
          line,
          scheduleId: 's1',
          assignment: { id, userId: 'u', start: '2027-01-01T08:00:00Z', end: '2027-01-01T16:00:00Z' },
        })),
      ),
    );
    const deps = createActivityDeps({
      workerId: 'test',
      tenants: new TenantRuntimes({ loadTenants: () => tenants, env: { ACME_SECRET: 's' }, meter: noopMetricMeter }),
      store,
      serveTenantQueue: () => Promise.reject(new Error('not used')),
    });
    const putBatch = createPutBatch(deps);
    const input = (batchIndex: number): PutBatchInput => ({
      jobId: 'job',
      tenantId: 'acme',
      itemsRef,
      batchSize: 1,
      batchIndex,
      requestTimeoutMs: 5_000,
      maxAttempts: DEFAULT_JOB_OPTIONS.maxAttempts,
      throttleBudgetMs: DEFAULT_JOB_OPTIONS.throttleBudgetMs,
      limits: { revision: 0 },
    });

    const first = new MockActivityEnvironment({ activityId: '1', scheduledTimestampMs: Date.now() }).run(
      putBatch,
      input(0),
    );
    const firstFailure = first.catch((error: unknown) => error);
    // The second batch arrives at the gate while the 429's body is still on its way.
    while (headersOf429At === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = new MockActivityEnvironment({ activityId: '2', scheduledTimestampMs: Date.now() }).run(
      putBatch,
      input(1),
    );

    expect(await second).toMatchObject({ outcome: 'done', applied: 1 });
    expect(await firstFailure).toMatchObject({ type: 'RateLimited' });
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - headersOf429At).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
  });
});

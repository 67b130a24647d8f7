/**
 * The Genesys writer against the simulator's `uploadKeyExpiredRate` fault: a 400 on `POST …/update` (an expired or
 * spent upload key) starts a fresh round with a new upload URL, and after a bounded number of rounds the batch's
 * rows fail with the platform's message and the rounds tried.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { noopMetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivityDeps } from '../../../activities/deps';
import { TenantRequests } from '../../../activities/http/gated-request';
import { TenantRuntimes } from '../../../activities/tenant-runtime';
import { ScheduleUpdateWriter } from '../../../activities/writers/schedule-update/writer';
import type { StoredItem } from '../../../contracts/assignment';
import type { BatchOutcome, PutBatchInput } from '../../../contracts/batch';
import { resolveTenants, tenantsFileSchema } from '../../../contracts/tenants';
import { FileBlobStore } from '../../../store/blob-store';
import { startSimulator, type RunningSimulator } from '../../../tools/simulator';

const WEEK = '2027-01-04';
/** With seed 14, org `acme`'s first `uploadKeyExpiredRate` draw is 0.046, the next two 0.781 and 0.646. */
const FIRST_KEY_ONLY = { seed: 14, rate: 0.5 };

/** Four shifts of four agents in schedule `s1` of business unit `bu-1`. */
const ROWS: StoredItem[] = Array.from({ length: 4 }, (_, line) => ({
  line,
  scheduleId: 's1',
  businessUnitId: 'bu-1',
  weekId: WEEK,
  assignment: {
    id: `r-${line}`,
    userId: `user-${line}`,
    start: `${WEEK}T08:00:00Z`,
    end: `${WEEK}T16:00:00Z`,
    activityCodeId: 'ac-work',
  },
}));

describe('the Genesys writer after a 400 on the update', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** Writes {@link ROWS} as one batch to a simulated org with the fault at `rate`; returns the outcome and stats. */
  async function writeOnce(seed: number, rate: number) {
    const sim: RunningSimulator = await startSimulator({
      seed,
      orgs: [
        {
          id: 'acme',
          throttle: null,
          buSchedules: {
            processingDelayMs: 0,
            answerCompleteWhenImmediate: true,
            faults: { uploadKeyExpiredRate: rate },
          },
        },
      ],
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-fresh-upload-'));
    cleanups.push(async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    });
    const tenants = resolveTenants(
      tenantsFileSchema.parse({
        tenants: [
          {
            id: 'acme',
            apiBaseUrl: sim.url,
            loginUrl: sim.url,
            clientId: 'acme-client',
            clientSecretEnv: 'ACME_SECRET',
            writer: 'genesys-schedule-update',
            genesys: { notifications: 'poll', pollSeconds: 0.1, completionTimeoutSeconds: 2 },
          },
        ],
      }),
    );
    const runtimes = new TenantRuntimes({
      loadTenants: () => tenants,
      env: { ACME_SECRET: 'acme-secret' },
      meter: noopMetricMeter,
    });
    const tenant = runtimes.get('acme');
    tenant.fence.hold('hold', 1, Number.MAX_SAFE_INTEGER);
    const deps = createActivityDeps({
      workerId: 'test',
      tenants: runtimes,
      store: new FileBlobStore(dir),
      serveTenantQueue: () => Promise.reject(new Error('not used')),
    });
    const environment = new MockActivityEnvironment({ activityId: '0', scheduledTimestampMs: Date.now() });
    const outcome: BatchOutcome = await environment.run(() => {
      const requests = new TenantRequests(tenant, deps, Context.current(), 5_000);
      const input = { tenantId: 'acme' } as PutBatchInput; // the writer reads only the tenant's id from it
      return new ScheduleUpdateWriter().write(requests, { input, scheduleId: 's1', rows: ROWS, progress: {} });
    });
    const stats = sim.state.stats().orgs.acme!.scheduleApi;
    const held = sim.state
      .requireOrg('acme')
      .buSchedules.snapshot()
      .flatMap((schedule) => schedule.agents);
    return { outcome, stats, held };
  }

  it('lands the batch after a fresh upload round when the first update is refused 400', async () => {
    const { outcome, stats, held } = await writeOnce(FIRST_KEY_ONLY.seed, FIRST_KEY_ONLY.rate);
    expect(stats).toMatchObject({ updatesRefused: 1, uploadUrlsIssued: 2, updatesStarted: 1, updatesCompleted: 1 });
    expect(outcome).toEqual({ outcome: 'done', applied: ROWS.length, failures: [] });
    expect(held.map((agent) => agent.userId).sort()).toEqual(ROWS.map((row) => row.assignment.userId));
  });

  it('fails the rows with the platform’s message and the rounds tried when every update is refused 400', async () => {
    const { outcome, stats, held } = await writeOnce(FIRST_KEY_ONLY.seed, 1);
    // The first round and two fresh ones, none started.
    expect(stats).toMatchObject({ updatesRefused: 3, uploadUrlsIssued: 3, updatesStarted: 0 });
    expect(outcome).toMatchObject({ outcome: 'rejected', count: ROWS.length, failures: [] });
    expect(outcome.outcome === 'rejected' && outcome.reason).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringMatching(
        /answered 400: uploadKey \S+ has expired \(after 3 upload rounds, each with its own upload key\)$/,
      ) as unknown,
    });
    expect(held).toEqual([]);
  });
});

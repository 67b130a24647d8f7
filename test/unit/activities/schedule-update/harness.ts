/**
 * The Genesys writer run as `putBatch` runs it, one batch at a time, against a simulated org: the tenant's runtime
 * (its gate and token cache, the lease's fence held), the worker's deps and a mock activity context.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { noopMetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivityDeps } from '../../../../activities/deps';
import { TenantRequests } from '../../../../activities/http/gated-request';
import { TenantRuntimes } from '../../../../activities/tenant-runtime';
import { startingProgress, type HeartbeatProgress } from '../../../../activities/writers/writer';
import { ScheduleUpdateWriter } from '../../../../activities/writers/schedule-update/writer';
import type { StoredItem } from '../../../../contracts/assignment';
import type { BatchOutcome, PutBatchInput } from '../../../../contracts/batch';
import { resolveTenants, tenantsFileSchema } from '../../../../contracts/tenants';
import { FileBlobStore } from '../../../../store/blob-store';
import { startSimulator, type RunningSimulator } from '../../../../tools/simulator';

export const WEEK = '2027-01-04';

/** `count` shifts of distinct agents `user-0..` in schedule `s1` of business unit `bu-1`, Tuesday 08:00-16:00. */
export function shiftRows(count: number, change: (row: StoredItem, index: number) => StoredItem = (row) => row) {
  return Array.from({ length: count }, (_, line) =>
    change(
      {
        line,
        scheduleId: 's1',
        businessUnitId: 'bu-1',
        weekId: WEEK,
        assignment: {
          id: `r-${line}`,
          userId: `user-${line}`,
          start: '2027-01-05T08:00:00Z',
          end: '2027-01-05T16:00:00Z',
          activityCodeId: 'ac-work',
        },
      },
      line,
    ),
  );
}

/** Business unit `bu-1` described, with agents `user-0..user-(agents-1)` and codes `ac-work` and `ac-break`. */
export function describedUnit(agents: number, timeZone = 'UTC') {
  return {
    id: 'bu-1',
    timeZone,
    startDayOfWeek: 'Monday' as const,
    activityCodes: [{ id: 'ac-work' }, { id: 'ac-break', countsAsPaidTime: false }],
    managementUnits: [{ id: 'mu-1', users: Array.from({ length: agents }, (_, i) => `user-${i}`) }],
  };
}

/** Every shift the simulated org holds, as `userId start` (start normalized), duplicates included. */
export function heldShifts(world: WriterWorld): string[] {
  return world.sim.state
    .requireOrg('acme')
    .buSchedules.snapshot()
    .flatMap((schedule) =>
      schedule.agents.flatMap((agent) =>
        agent.shifts.map((shift) => `${agent.userId} ${new Date(shift.startDate).toISOString()}`),
      ),
    );
}

export interface WriterWorld {
  sim: RunningSimulator;
  /** Writes `rows` as one batch (a plan when `dryRun`), as attempt `attempt` with the heartbeat `details` given. */
  write(
    rows: readonly StoredItem[],
    options?: { dryRun?: boolean; heartbeatDetails?: unknown; progress?: HeartbeatProgress },
  ): Promise<BatchOutcome>;
  close(): Promise<void>;
}

/**
 * A simulator with org `acme` as configured (`org` merged into `{ id: 'acme', throttle: null }`) and the writer's
 * tenant on it, polling every `pollSeconds`.
 */
export async function writerWorld(
  org: Record<string, unknown>,
  genesys: { pollSeconds?: number; completionTimeoutSeconds?: number } = {},
  seed = 1,
): Promise<WriterWorld> {
  const sim = await startSimulator({ seed, orgs: [{ id: 'acme', throttle: null, ...org }] });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-writer-'));
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
          genesys: { notifications: 'poll', pollSeconds: 0.1, completionTimeoutSeconds: 2, ...genesys },
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
  const writer = new ScheduleUpdateWriter();
  return {
    sim,
    async write(rows, options = {}) {
      const environment = new MockActivityEnvironment({
        activityId: '0',
        scheduledTimestampMs: Date.now(),
        currentAttemptScheduledTimestampMs: Date.now(),
        startToCloseTimeoutMs: 60_000,
        ...(options.heartbeatDetails !== undefined && { heartbeatDetails: options.heartbeatDetails }),
      });
      return environment.run(() => {
        const requests = new TenantRequests(tenant, deps, Context.current(), 5_000);
        // The writer reads only the tenant's id and the plan flag from the input.
        const input = { tenantId: 'acme', ...(options.dryRun && { dryRun: true }) } as PutBatchInput;
        return writer.write(requests, {
          input,
          scheduleId: rows[0]!.scheduleId,
          rows,
          progress: options.progress ?? startingProgress(options.heartbeatDetails, undefined),
        });
      });
    },
    async close() {
      runtimes.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * How a tenant's PUTs are executed, on a real dev server: throttling spends no attempt, a job runs at most
 * `maxActiveTenants` tenants at once, Workers exist only for tenants with work, a tenant added to the tenants
 * file is served without a restart, and a tenant no worker serves fails at once with a reason that says so.
 */
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTenantsFile } from '../../config/tenants-file';
import type { JobProgress } from '../../contracts/job';
import { jobProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { waitFor } from '../../tools/harness/wait';
import type { bulkJob } from '../../workflows';
import { assignmentRows, createWorld, type World } from '../helpers/world';

function rowsOf(world: World, name: string, count: number, prefix = 'a') {
  const tenantId = world.tenant(name);
  return assignmentRows(tenantId, [`${tenantId}-s1`], count, prefix);
}

describe('throttling and the attempt budget', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      // The API says "retry after 1 s" but refills one request every 3 s: a batch meets 429 after 429.
      orgs: [{ id: 'acme', throttle: { burst: 1, refillPerSecond: 1 / 3, retryAfterSeconds: 1 } }],
      limits: { acme: { concurrency: 2 } },
    });
  });
  afterAll(() => world?.close());

  it('lands every batch however many 429s it meets, with only 2 attempts for faults', async () => {
    const tenantId = world.tenant('acme');
    const input = await world.startJobFromRows(rowsOf(world, 'acme', 6), { batchSize: 1, maxAttempts: 2 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 6, failed: 0 });
    const stats = world.sim.state.stats().orgs[tenantId]!;
    expect(stats.violations).toBe(0);

    // Some batch needed more attempts than the fault budget: all but its last were 429s.
    const history = await world.client.workflow.getHandle(tenantWorkflowId(input.jobId, tenantId)).fetchHistory();
    const attempts = (history.events ?? [])
      .map((event: temporal.api.history.v1.IHistoryEvent) => event.activityTaskStartedEventAttributes?.attempt ?? 0)
      .filter((attempt) => attempt > 0);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3);
    expect(result.tenants[0]!.throttled).toBe(stats.status429);
  });
});

describe('tenants of a job, and the Workers that serve them', () => {
  let world: World;
  /** Tenants the worker's tenants file does not list (yet). */
  const unlisted = new Set<string>();
  beforeAll(async () => {
    world = await createWorld({
      orgs: ['acme', 'globex', 'initech', 'hooli'].map((id) => ({ id, throttle: null, faults: { latencyMs: 20 } })),
      workers: false,
    });
    unlisted.add(world.tenant('initech')).add(world.tenant('hooli'));
    await world.startWorkers({
      idleCloseMs: 300,
      loadTenants: () => {
        const tenants = loadTenantsFile(world.tenantsFile);
        for (const id of unlisted) tenants.delete(id);
        return tenants;
      },
    });
  });
  afterAll(() => world?.close());

  it('runs at most maxActiveTenants tenants at once, the others queued, and opens a Worker per active tenant', async () => {
    expect(world.workers!.openTenantQueues).toBe(0); // a tenants file costs nothing until its tenants have work
    const names = ['acme', 'globex'];
    unlisted.delete(world.tenant('initech'));
    const rows = [...names, 'initech'].flatMap((name) => rowsOf(world, name, 40));
    const input = await world.startJobFromRows(rows, { batchSize: 1, maxActiveTenants: 1 });
    const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    let mostActive = 0;
    let mostQueues = 0;
    let sawQueued = false;
    let progress: JobProgress;
    do {
      progress = await job.query(jobProgressQuery);
      const active = progress.tenants.filter((tenant) => !tenant.queued && !tenant.done).length;
      mostActive = Math.max(mostActive, active);
      mostQueues = Math.max(mostQueues, world.workers!.openTenantQueues);
      sawQueued ||= progress.tenants.some((tenant) => tenant.queued);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (progress.status === 'running');
    const result = await job.result();
    expect(result).toMatchObject({ status: 'completed', applied: 120, failed: 0 });
    expect(mostActive).toBe(1);
    expect(sawQueued).toBe(true);
    // Workers only for the job's tenants, never for the fourth in the tenants file; each closes once its tenant's
    // lease let go of it (a moment after its job left, so one may still be open when the next starts).
    expect(mostQueues).toBeGreaterThanOrEqual(1);
    expect(mostQueues).toBeLessThanOrEqual(3);
    await waitFor('idle tenant Workers closed', () => world.workers!.openTenantQueues === 0, 30_000);
  });

  it('fails a tenant that no worker serves at once, with a reason that says so; the others complete', async () => {
    const rows = [...rowsOf(world, 'acme', 10, 'b'), ...rowsOf(world, 'hooli', 10, 'b')];
    const startedAt = Date.now();
    const input = await world.startJobFromRows(rows, { batchSize: 5 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(result).toMatchObject({ status: 'completed-with-failures', applied: 10, failed: 10 });
    const hooli = result.tenants.find((tenant) => tenant.tenantId === world.tenant('hooli'))!;
    expect(hooli.status).toBe('failed');
    expect(hooli.stopReason?.message).toMatch(/no worker serves tenant .*hooli.*tenants file/);
  });
});

/**
 * Containment: a tenant that ends without a result (terminated, as from the Web UI) is recorded by its job with
 * the reason, every other tenant goes on, and `status` and `report` account for every assignment of it. A job
 * that is terminated stops its tenants as a cancel does, and still accounts for everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelSignal } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import type { bulkJob } from '../../workflows';
import { collectFailures } from '../../client/jobs/report';
import { fetchJobView } from '../../client/jobs/view';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('containment', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        ...['acme', 'globex', 'initech'].map((id) => ({ id, throttle: null, faults: { latencyMs: 30 } })),
        // Every 429 holds the tenant for a minute.
        { id: 'umbrella', throttle: { burst: 3, refillPerSecond: 0.5, retryAfterSeconds: 60 } },
      ],
      limits: {
        acme: { concurrency: 3 },
        globex: { concurrency: 3 },
        initech: { concurrency: 3 },
        umbrella: { concurrency: 4 },
      },
    });
  });
  afterAll(() => world?.close());

  /** Ids of the tenant's assignments the API holds, of this test's rows (`prefix`). */
  const applied = (tenantId: string, prefix = '') =>
    new Set(world.sim.state.assignments(tenantId).flatMap((a) => (a.id.startsWith(prefix) ? [a.id] : [])));

  it('completes the job when one tenant is terminated, and accounts for every assignment of it', async () => {
    const [acme, globex, initech] = ['acme', 'globex', 'initech'].map((name) => world.tenant(name)) as [
      string,
      string,
      string,
    ];
    const rows = [acme, globex, initech].flatMap((tenant) => assignmentRows(tenant, [`${tenant}-s1`], 150, 'k'));
    const input = await world.startJobFromRows(rows, { batchSize: 1 });
    await waitFor('globex under way', () => applied(globex).size >= 20);
    await world.client.workflow
      .getHandle(tenantWorkflowId(input.jobId, globex))
      .terminate('an operator stopped this tenant');

    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result.status).toBe('completed-with-failures');
    expect(result.tenants.find((t) => t.tenantId === acme)).toMatchObject({ status: 'completed', applied: 150 });
    expect(result.tenants.find((t) => t.tenantId === initech)).toMatchObject({ status: 'completed', applied: 150 });
    const stopped = result.tenants.find((t) => t.tenantId === globex)!;
    expect(stopped).toMatchObject({ status: 'failed', total: 150, stopReason: { code: 'tenant-terminated' } });
    expect(stopped.stopReason?.message).toContain('terminated');
    expect(stopped.applied + stopped.failed).toBe(150);
    expect(stopped.applied).toBeGreaterThan(0); // as far as Temporal knows: the last answers may not have reached it
    // What the job counts as applied did land.
    expect(applied(globex).size).toBeGreaterThanOrEqual(stopped.applied);

    // The report names every assignment not counted applied, and nothing counted applied.
    const { failures } = await collectFailures(world.client, world.store, input.jobId);
    const reported = failures.filter((f) => f.tenantId === globex);
    expect(reported).toHaveLength(stopped.failed);
    expect(reported.every((f) => f.reason.code === 'tenant-terminated')).toBe(true);
    const ids = new Set(reported.map((f) => f.assignment.id));
    const globexRows = rows.filter((row) => row.tenantId === globex);
    // Every row is either reported or counted applied, never both: the unreported ones all landed.
    for (const row of globexRows) if (!ids.has(row.id)) expect(applied(globex).has(row.id)).toBe(true);
    expect(globexRows.length - ids.size).toBe(stopped.applied);
  });

  it('stops the tenants of a terminated job as a cancel does, and still accounts for every assignment', async () => {
    const [acme, globex] = ['acme', 'globex'].map((name) => world.tenant(name)) as [string, string];
    const rows = [acme, globex].flatMap((tenant) => assignmentRows(tenant, [`${tenant}-s2`], 150, 'j'));
    const input = await world.startJobFromRows(rows, { batchSize: 1 });
    await waitFor('both under way', () => applied(acme, 'j-').size >= 10 && applied(globex, 'j-').size >= 10);
    await world.client.workflow.getHandle(input.jobId).terminate('stopped by an operator');

    const view = await fetchJobView(world.client, input.jobId);
    expect(view.execution).toBe('TERMINATED');
    expect(view.status).toBe('cancelled');
    expect(view.applied + view.failed).toBe(300);
    for (const tenant of view.tenants) {
      expect(tenant.status).toBe('cancelled');
      expect(tenant.applied).toBeLessThan(150);
      expect(applied(tenant.tenantId, 'j-').size).toBeGreaterThanOrEqual(tenant.applied);
    }
    const { failures } = await collectFailures(world.client, world.store, input.jobId);
    expect(failures).toHaveLength(view.failed);
    expect(failures.every((f) => f.reason.code === 'cancelled')).toBe(true);
  });

  it('cancels batches waiting out a Retry-After instead of sending them after it', async () => {
    const umbrella = world.tenant('umbrella');
    const puts = () => world.sim.state.stats().orgs[umbrella]!.putRequests;
    const input = await world.startJobFromRows(assignmentRows(umbrella, [`${umbrella}-s1`], 30, 'w'), {
      batchSize: 1,
    });
    await waitFor('a 429', () => world.sim.state.stats().orgs[umbrella]!.status429 > 0);
    const putsAtCancel = puts();
    const windowEndsAt = Date.now() + 55_000;
    const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    await job.signal(cancelSignal, { reason: 'operator cancel' });
    const result = await job.result();

    // The tenant stopped within the Retry-After window, and nothing more was sent.
    expect(Date.now()).toBeLessThan(windowEndsAt);
    expect(puts()).toBe(putsAtCancel);
    const tenant = result.tenants[0]!;
    expect(tenant).toMatchObject({ status: 'cancelled', total: 30 });
    expect(tenant.applied).toBe(applied(umbrella, 'w-').size);
    expect(tenant.applied + tenant.failed).toBe(30);
  });
});

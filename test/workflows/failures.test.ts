/**
 * What the API refuses ends as a failure with its reason; nothing else is lost with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_SCOPE } from '../../contracts/names';
import type { bulkJob } from '../../workflows';
import { failedAssignments } from '../../client/jobs/failures';
import { assignmentRows, createWorld, type World } from '../helpers/world';

const USERS = Array.from({ length: 50 }, (_, i) => `user-${i + 1}`);

describe('failures with reasons', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', users: USERS, throttle: null },
        {
          id: 'globex',
          clients: [{ clientId: 'globex-reader', clientSecret: 'globex-reader-secret', scopes: ['wfm:schedule:read'] }],
        },
        { id: 'initech', throttle: null },
      ],
    });
  });
  afterAll(() => world?.close());

  it('fails a tenant without the write scope before any PUT, and the others complete', async () => {
    const acme = world.tenant('acme');
    const globex = world.tenant('globex');
    const rows = [...assignmentRows(acme, [`${acme}-s1`], 40), ...assignmentRows(globex, [`${globex}-s1`], 30)];
    const input = await world.startJobFromRows(rows);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();

    expect(result.status).toBe('completed-with-failures');
    expect(result.tenants.find((t) => t.tenantId === acme)).toMatchObject({ status: 'completed', applied: 40 });
    const globexSummary = result.tenants.find((t) => t.tenantId === globex)!;
    expect(globexSummary).toMatchObject({ status: 'failed', applied: 0, failed: 30 });
    expect(globexSummary.stopReason?.message).toContain(WRITE_SCOPE);
    expect(world.sim.state.stats().orgs[globex]!.putRequests).toBe(0);

    const tenant = await world.tenantResult(input.jobId, globex);
    expect(tenant.failures).toEqual([]);
    expect(tenant.failureLog).toMatchObject({
      stored: [],
      recent: [{ start: 0, end: 30, reason: { code: 'missing-scope' } }],
    });
  });

  it('reports exactly the items the API refuses and applies every good neighbour', async () => {
    const acme = world.tenant('acme');
    const good = assignmentRows(acme, [`${acme}-s1`, `${acme}-s2`], 100, 'ok');
    const bad = [7, 23, 24, 61].map((n) => ({ ...good[n]!, id: `bad-${n}`, userId: `ghost-${n}` }));
    const rows = [...good];
    bad.forEach((row, i) => rows.splice(10 + i * 20, 0, row));
    const input = await world.startJobFromRows(rows, { batchSize: 10 });
    const tenant = await world.tenantResult(input.jobId, acme);

    expect(tenant).toMatchObject({ status: 'completed-with-failures', applied: 100, failed: 4 });
    const applied = new Set(world.sim.state.assignments(acme).map((a) => a.id));
    for (const row of good) expect(applied.has(row.id)).toBe(true);
    for (const row of bad) expect(applied.has(row.id)).toBe(false);
    const failed = await failedAssignments(world.store, input.tenants[0]!, 10, tenant);
    expect(failed.map((f) => f.assignment.id).sort()).toEqual(bad.map((row) => row.id).sort());
    expect(failed.every((f) => f.reason.code === 'invalid-item' && /user/i.test(f.reason.message))).toBe(true);
    // Each points back at its line of the input (the rows were written one per line).
    for (const f of failed) expect(rows[f.line - 1]!.id).toBe(f.assignment.id);
  });

  it('fails every batch of an unknown schedule with one request, and the rest of the tenant lands', async () => {
    const initech = world.tenant('initech');
    const rows = [
      ...assignmentRows(initech, ['no-such-schedule'], 50, 'lost'),
      ...assignmentRows(initech, [`${initech}-s2`], 50, 'fine'),
    ];
    const before = world.sim.state.stats().orgs[initech]!.status404;
    const input = await world.startJobFromRows(rows, { batchSize: 5 });
    const tenant = await world.tenantResult(input.jobId, initech);

    expect(tenant).toMatchObject({ status: 'completed-with-failures', applied: 50, failed: 50 });
    const failed = await failedAssignments(world.store, input.tenants[0]!, 5, tenant);
    expect(failed.map((f) => f.assignment.id).sort()).toEqual(
      rows
        .slice(0, 50)
        .map((row) => row.id)
        .sort(),
    );
    expect(failed.every((f) => f.reason.status === 404)).toBe(true);
    // The window may have sent a few batches of the schedule before the first 404 came back, never all ten.
    expect(world.sim.state.stats().orgs[initech]!.status404 - before).toBeLessThanOrEqual(5);
  });
});

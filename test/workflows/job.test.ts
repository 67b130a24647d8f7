/**
 * The orchestration on a real dev server with the real Workers, against the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { jobProgressQuery, setLimitsSignal } from '../../contracts/messages';
import { jobHistories } from '../../tools/harness/histories';
import { assignmentRows, createWorld, type World } from '../helpers/world';

function sortById<T extends { id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.id.localeCompare(b.id));
}

/** What the simulator stored for a tenant, in the shape of input rows. */
function readBack(world: World, tenantId: string) {
  return sortById(
    world.sim.state
      .assignments(tenantId)
      .map(({ scheduleId, ...assignment }) => ({ tenantId, scheduleId, ...assignment })),
  );
}

describe('a bulk job across tenants', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: { burst: 10, refillPerSecond: 10 } },
        { id: 'globex', throttle: { burst: 10, refillPerSecond: 10 } },
        { id: 'initech', throttle: { burst: 10, refillPerSecond: 10 } },
      ],
      limits: { acme: { concurrency: 3 }, globex: { concurrency: 5 }, initech: { concurrency: 4 } },
    });
  });
  afterAll(() => world?.close());

  it('applies every assignment exactly, respects Retry-After and the concurrency caps', async () => {
    const rowsByTenant = ['acme', 'globex', 'initech'].map((name) => {
      const tenantId = world.tenant(name);
      const schedules = world.sim.state.config.orgs.find((org) => org.id === tenantId)!.schedules;
      return assignmentRows(tenantId, schedules, 300);
    });
    const input = await world.startJobFromRows(rowsByTenant.flat(), { batchSize: 2 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();

    expect(result).toMatchObject({ status: 'completed', total: 900, applied: 900, failed: 0 });
    const stats = world.sim.state.stats();
    rowsByTenant.forEach((rows, index) => {
      const tenantId = rows[0]!.tenantId;
      expect(readBack(world, tenantId)).toEqual(sortById(rows));
      const org = stats.orgs[tenantId]!;
      expect(org.status429).toBeGreaterThan(0); // the throttle was really met
      expect(org.violations).toBe(0);
      expect(org.peakConcurrency).toBeLessThanOrEqual([3, 5, 4][index]!);
      expect(org.crossOrgTokenUses).toBe(0);
    });

    // Between a 429 and the tenant's next request at least Retry-After passes (requests already on the wire
    // when the 429 left, within the simulator's grace or read in the round after it, were sent before the client
    // could know).
    const grace = world.sim.state.config.violationGraceMs;
    for (const rows of rowsByTenant) {
      const log = world.sim.state.requestLog(rows[0]!.tenantId);
      for (const [index, record] of log.entries()) {
        if (record.status !== 429 || record.endedAt === undefined || record.endedAt === null) continue;
        const windowEnd = record.endedAt + record.retryAfterSeconds! * 1000;
        const later = log.slice(index + 1).filter((next) => next.at > record.endedAt! + grace && !next.onTheWire);
        expect(later.every((next) => next.at >= windowEnd)).toBe(true);
      }
    }
  });

  it('reads a big tenant’s items chunk by chunk, batches across two chunks included', async () => {
    const acme = world.tenant('acme');
    const schedules = world.sim.state.config.orgs.find((org) => org.id === acme)!.schedules;
    // 2,100 items in one schedule, 48 a batch: batch 20 holds items 960-1008, in chunks 0 and 1.
    const rows = assignmentRows(acme, [schedules[0]!], 2_100, 'big');
    const input = await world.startJobFromRows(rows, { batchSize: 48 });
    expect(input.tenants[0]!.itemChunks?.refs).toHaveLength(3);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 2_100, failed: 0 });
    const stored = new Map(readBack(world, acme).map((row) => [row.id, row]));
    expect(rows.every((row) => JSON.stringify(stored.get(row.id)) === JSON.stringify(row))).toBe(true);
  });

  it('continues as new past its history limit, carrying the ended tenants and the steering', async () => {
    const names = ['acme', 'globex', 'initech'];
    const rows = names.flatMap((name) => {
      const tenantId = world.tenant(name);
      const schedules = world.sim.state.config.orgs.find((org) => org.id === tenantId)!.schedules;
      return assignmentRows(tenantId, schedules, 10);
    });
    // One tenant at a time and a run ends after a few events: a run per tenant or so.
    const input = await world.startJobFromRows(rows, {
      batchSize: 5,
      maxActiveTenants: 1,
      tuning: { jobHistoryEventLimit: 12 },
    });
    const handle = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    const initech = world.tenant('initech');
    // Taken by the first run (the first tenant takes longer than that), so it must cross every continue-as-new.
    await handle.signal(setLimitsSignal, { tenantId: initech, concurrency: 1 });
    const result = await handle.result();

    expect(result).toMatchObject({ status: 'completed', total: 30, applied: 30, failed: 0 });
    expect(result.tenants.map((tenant) => tenant.tenantId)).toEqual(names.map((name) => world.tenant(name)));
    expect(result.tenants.every((tenant) => tenant.status === 'completed' && tenant.applied === 10)).toBe(true);
    const jobRuns = (await jobHistories(world.client, input)).filter((run) => run.workflowId === input.jobId);
    expect(jobRuns.length).toBeGreaterThanOrEqual(2);
    // The last run (replayed to answer) has the change from the first.
    const progress = await handle.query(jobProgressQuery);
    expect(progress.tenants.find((tenant) => tenant.tenantId === initech)?.limits?.concurrency).toBe(1);
    expect(progress.tenants.every((tenant) => !tenant.queued && tenant.done)).toBe(true);
  });
});

/**
 * Any size: 100 tenants × 500 assignments, and one tenant with 20,000, run to the end without touching
 * Temporal's payload or history limits (claim check, continue-as-new).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import type { bulkJob } from '../../workflows';
import { failedAssignments } from '../../client/jobs/failures';
import { TEMPORAL_LIMITS, eventBytes, jobHistories } from '../../tools/harness/histories';
import { assignmentRows, createWorld, type World } from '../helpers/world';

async function expectWithinLimits(world: World, input: Parameters<typeof jobHistories>[1]) {
  for (const { workflowId, history } of await jobHistories(world.client, input)) {
    expect(history.events!.length, workflowId).toBeLessThan(TEMPORAL_LIMITS.historyWarnEvents);
    const largest = Math.max(...history.events!.map(eventBytes));
    expect(largest, workflowId).toBeLessThan(TEMPORAL_LIMITS.payloadBytes);
  }
}

describe('size', () => {
  describe('100 tenants × 500 assignments', () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld({
        orgs: Array.from({ length: 100 }, (_, i) => ({ id: `t${i + 1}`, throttle: null })),
      });
    });
    afterAll(() => world?.close());

    it('completes every tenant', async () => {
      const rows = Array.from({ length: 100 }, (_, i) => {
        const tenantId = world.tenant(`t${i + 1}`);
        return assignmentRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], 500);
      }).flat();
      const input = await world.startJobFromRows(rows);
      const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
      expect(result).toMatchObject({ status: 'completed', total: 50_000, applied: 50_000, failed: 0 });
      const stats = world.sim.state.stats().orgs;
      expect(Object.values(stats).reduce((sum, org) => sum + org.assignmentsApplied, 0)).toBe(50_000);
      await expectWithinLimits(world, input);
    });
  });

  describe('one tenant with 20,000 assignments', () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld({ orgs: [{ id: 'big', throttle: null }], limits: { big: { concurrency: 10 } } });
    });
    afterAll(() => world?.close());

    it('completes, continuing as new to keep each run’s history bounded', async () => {
      const big = world.tenant('big');
      const rows = assignmentRows(big, [`${big}-s1`, `${big}-s2`, `${big}-s3`], 20_000);
      const input = await world.startJobFromRows(rows, { batchSize: 10 });
      const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
      expect(result).toMatchObject({ status: 'completed', applied: 20_000, failed: 0 });
      expect(world.sim.state.stats().orgs[big]!.assignmentsApplied).toBe(20_000);
      const progress = await world.client.workflow
        .getHandle(tenantWorkflowId(input.jobId, big))
        .query(tenantProgressQuery);
      expect(progress.runNumber).toBeGreaterThan(1);
      await expectWithinLimits(world, input);
    });
  });

  describe('one tenant whose 20,000 assignments are each refused with a reason of its own', () => {
    let world: World;
    beforeAll(async () => {
      // Only `user-1` exists: every row names another user, and the API's reason names it.
      world = await createWorld({
        orgs: [{ id: 'refusing', throttle: null, users: ['user-1'] }],
        limits: { refusing: { concurrency: 10 } },
      });
    });
    afterAll(() => world?.close());

    it('reports every failure with its reason, in small payloads and bounded histories', async () => {
      const tenantId = world.tenant('refusing');
      const rows = assignmentRows(tenantId, [`${tenantId}-s1`], 20_000).map((row, i) => ({
        ...row,
        userId: `ghost-${i}`,
      }));
      const input = await world.startJobFromRows(rows, { batchSize: 50 });
      const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
      expect(result).toMatchObject({ status: 'completed-with-failures', applied: 0, failed: 20_000 });

      const tenant = await world.tenantResult(input.jobId, tenantId);
      expect(JSON.stringify(tenant).length).toBeLessThan(200_000);
      expect(tenant.failureLog!.stored.length).toBeGreaterThan(50);
      const failed = await failedAssignments(world.store, input.tenants[0]!, 50, tenant);
      expect(failed).toHaveLength(20_000);
      const byId = new Map(failed.map((f) => [f.assignment.id, f.reason.message]));
      for (const [i, row] of rows.entries()) expect(byId.get(row.id), row.id).toContain(`ghost-${i} `);
      await expectWithinLimits(world, input);
    });
  });
});

/**
 * Steering a running job: pause, resume, limits, cancel (by signal and by Temporal), and continue-as-new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelSignal,
  pauseSignal,
  resumeSignal,
  setLimitsSignal,
  tenantProgressQuery,
} from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import type { bulkJob } from '../../workflows';
import { sleep, waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('steering a running job', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: null, faults: { latencyMs: 40 } },
        { id: 'globex', throttle: null, faults: { latencyMs: 40 } },
      ],
      limits: { acme: { concurrency: 4 }, globex: { concurrency: 4 } },
    });
  });
  afterAll(() => world?.close());

  const applied = (tenantId: string) => world.sim.state.stats().orgs[tenantId]!.assignmentsApplied;

  it('pauses and resumes every tenant', async () => {
    const acme = world.tenant('acme');
    const input = await world.startJobFromRows(assignmentRows(acme, [`${acme}-s1`], 200, 'p'), { batchSize: 1 });
    const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(input.jobId, acme));
    await waitFor('some progress', () => applied(acme) >= 20);
    await job.signal(pauseSignal);
    await waitFor('the tenant to pause', async () => (await tenant.query(tenantProgressQuery)).paused);
    await waitFor('in-flight batches to finish', async () => (await tenant.query(tenantProgressQuery)).inFlight === 0);
    const whilePaused = applied(acme);
    await sleep(600);
    expect(applied(acme)).toBe(whilePaused);
    expect((await tenant.query(tenantProgressQuery)).status).toBe('paused');

    await job.signal(resumeSignal);
    expect(await job.result()).toMatchObject({ status: 'completed', applied: 200 });
  });

  it('changes a tenant’s concurrency and rate while the job runs', async () => {
    const globex = world.tenant('globex');
    const input = await world.startJobFromRows(assignmentRows(globex, [`${globex}-s1`], 100, 'l'), { batchSize: 1 });
    const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    await waitFor('four in flight', () => world.sim.state.stats().orgs[globex]!.peakConcurrency >= 3);
    await job.signal(setLimitsSignal, { tenantId: globex, concurrency: 1, ratePerSecond: 10 });
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(input.jobId, globex));
    await waitFor('the new limits', async () => (await tenant.query(tenantProgressQuery)).limits.concurrency === 1);
    await sleep(500); // batches scheduled under the old limits drain
    const changedAt = Date.now();
    await job.result();

    const after = world.sim.state.requestLog(globex).filter((record) => record.at > changedAt);
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((record) => record.inFlightAtArrival === 0)).toBe(true);
    const spanSeconds = (after[after.length - 1]!.at - after[0]!.at) / 1000;
    expect(after.length - 1).toBeLessThanOrEqual(spanSeconds * 10 + 2);
  });

  for (const how of ['signal', 'temporal'] as const) {
    it(`cancels by ${how}: no new PUTs, what landed is reported applied, the rest not sent`, async () => {
      const acme = world.tenant('acme');
      const before = applied(acme);
      const input = await world.startJobFromRows(assignmentRows(acme, [`${acme}-s2`], 300, `c-${how}`), {
        batchSize: 1,
      });
      const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
      await waitFor('some progress', () => applied(acme) - before >= 30);
      if (how === 'signal') await job.signal(cancelSignal, { reason: 'operator said stop' });
      else await job.cancel();
      const result = await job.result();
      await sleep(300);

      expect(result.status).toBe('cancelled');
      expect(result.applied + result.failed).toBe(300);
      expect(result.failed).toBeGreaterThan(0);
      // Exactly what the API holds is reported as applied: nothing landed unreported, nothing reported unlanded.
      expect(applied(acme) - before).toBe(result.applied);
      const tenant = await world.tenantResult(input.jobId, acme);
      const ranges = tenant.failureLog!.recent;
      expect(ranges.every((f) => f.reason.code === 'cancelled')).toBe(true);
      if (how === 'signal') expect(ranges[0]!.reason.message).toContain('operator said stop');
    });
  }

  it('continues as new to bound history, carrying progress', async () => {
    const globex = world.tenant('globex');
    const input = await world.startJobFromRows(assignmentRows(globex, [`${globex}-s2`, `${globex}-s3`], 150, 'can'), {
      batchSize: 1,
      tuning: { historyEventLimit: 150 },
    });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 150, failed: 0 });
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(input.jobId, globex));
    const progress = await tenant.query(tenantProgressQuery);
    expect(progress.runNumber).toBeGreaterThan(2);
    const { events } = await tenant.fetchHistory();
    expect(events!.length).toBeLessThan(250);
  });
});

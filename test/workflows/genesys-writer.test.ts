/**
 * The Genesys writer through the simulator's schedule-update API: every row lands once in its schedule (read back
 * shift by shift), a re-run changes nothing, and conflicts, `Error` endings, lost events, dropped sockets, lost
 * answers and SIGKILLed workers cost neither a shift nor a duplicate.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { failedAssignments } from '../../client/jobs/failures';
import { heldShifts, rowShiftKey, shiftKey } from '../../tools/harness/world';
import { waitFor } from '../../tools/harness/wait';
import { createWorld, genesysRows, type GenesysRow, type World } from '../helpers/world';

// Short waits: a lost answer followed by an `Error` ending leaves nothing to wait for but the completion timeout.
const WRITER = {
  writer: 'genesys-schedule-update' as const,
  genesys: { pollSeconds: 0.2, completionTimeoutSeconds: 2 },
};

/** What the simulator's schedules hold for a tenant, one key per shift (agent, start, length, activity codes). */
function heldShiftKeys(world: World, tenantId: string): string[] {
  return heldShifts(world, tenantId)
    .map((shift) => shiftKey(shift, shift.activityCodeIds.join('+')))
    .sort();
}

function expectedShifts(rows: readonly GenesysRow[]): string[] {
  return rows.map(rowShiftKey).sort();
}

function scheduleStats(world: World, tenantId: string) {
  return world.sim.state.stats().orgs[tenantId]!;
}

describe('the Genesys writer', () => {
  let world: World;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: { burst: 20, refillPerSecond: 40 }, buSchedules: { processingDelayMs: 150 } },
        {
          id: 'globex',
          throttle: { burst: 10, refillPerSecond: 20 },
          buSchedules: {
            processingDelayMs: 100,
            faults: { errorRate: 0.25, dropEventRate: 0.3, closeSocketRate: 0.2, loseUpdateAnswerRate: 0.15 },
          },
        },
        { id: 'initech', buSchedules: { processingDelayMs: 400 } },
        // Uploads answered late: a window between an upload and its update in which to kill the worker.
        { id: 'hooli', buSchedules: { processingDelayMs: 100, faults: { uploadAnswerDelayMs: 2_000 } } },
        // Updates answered 400 as for an expired upload key: with seed 17, wayne's first draw (0.593) is refused and
        // its next two (0.971, 0.948) are not; vandelay's every one is.
        { id: 'wayne', buSchedules: { processingDelayMs: 100, faults: { uploadKeyExpiredRate: 0.6 } } },
        { id: 'vandelay', buSchedules: { processingDelayMs: 100, faults: { uploadKeyExpiredRate: 1 } } },
      ],
      writers: { acme: WRITER, globex: WRITER, initech: WRITER, hooli: WRITER, wayne: WRITER, vandelay: WRITER },
      limits: {
        acme: { concurrency: 4 },
        globex: { concurrency: 3 },
        initech: { concurrency: 3 },
        hooli: { concurrency: 2 },
        wayne: { concurrency: 2 },
        vandelay: { concurrency: 2 },
      },
      workers: false,
      // Fixed so the faults strike on every run: globex's first 15 updates (its 15 batches need at least that many)
      // draw 3 lost answers, 4 Error endings (one of them on a lost answer) and 3 dropped events.
      simulator: { seed: 17 },
    });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await world.stopWorkers();
  });
  afterAll(() => world?.close());

  it('lands every row once through schedule updates, and a re-run changes nothing', async () => {
    await world.startWorkers();
    const tenantId = world.tenant('acme');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], 120);
    const first = await world.startJobFromRows(rows, { batchSize: 20 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(first.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 120, failed: 0 });
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
    const stats = scheduleStats(world, tenantId);
    // Six batches, one update each: the two schedules' batches ran one at a time per schedule.
    expect(stats.scheduleApi.updatesCompleted).toBe(6);
    expect(stats.scheduleApi.updatesConflicted).toBe(0);
    expect(stats.violations).toBe(0);

    const again = await world.startJobFromRows(rows, { batchSize: 20 });
    const rerun = await world.client.workflow.getHandle<typeof bulkJob>(again.jobId).result();
    expect(rerun).toMatchObject({ status: 'completed', applied: 120, failed: 0 });
    expect(scheduleStats(world, tenantId).scheduleApi.updatesStarted).toBe(stats.scheduleApi.updatesStarted);
    expect(scheduleStats(world, tenantId).scheduleApi.uploadUrlsIssued).toBe(stats.scheduleApi.uploadUrlsIssued);
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
  });

  it('loses and doubles nothing through Error endings, lost events, dropped sockets and lost answers', async () => {
    await world.startWorkers();
    const tenantId = world.tenant('globex');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`, `${tenantId}-s3`], 150);
    const input = await world.startJobFromRows(rows, { batchSize: 10 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 150, failed: 0 });
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
    const stats = scheduleStats(world, tenantId).scheduleApi;
    // The faults did strike: the run went through them, not around them.
    expect(stats.updatesErrored).toBeGreaterThan(0);
    expect(stats.updateAnswersLost).toBeGreaterThan(0);
    expect(stats.eventsDropped).toBeGreaterThan(0);
    expect(scheduleStats(world, tenantId).violations).toBe(0);
  });

  it('neither loses nor doubles a shift when the worker is SIGKILLed while updates are processing', async () => {
    const tenantId = world.tenant('initech');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`, `${tenantId}-s3`], 90);
    const first = spawnWorker(world);
    workers.push(first);
    await first.ready;
    const input = await world.startJobFromRows(rows, { batchSize: 10, tuning: { heartbeatTimeoutMs: 3_000 } });
    const started = () => scheduleStats(world, tenantId).scheduleApi.updatesStarted;
    await waitFor('updates started and processing', () => started() >= 3, 60_000);
    await first.kill('SIGKILL');
    const killedWith = world.sim.state.requireOrg(tenantId).buSchedules.operationLog();
    expect(killedWith.some((operation) => operation.status === 'Processing')).toBe(true);

    workers.push(spawnWorker(world));
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 90, failed: 0 });
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
    expect(scheduleStats(world, tenantId).violations).toBe(0);
  });

  it('neither loses nor doubles a shift when the worker is SIGKILLed after an upload, before its update', async () => {
    const tenantId = world.tenant('hooli');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], 40);
    const first = spawnWorker(world);
    workers.push(first);
    await first.ready;
    const input = await world.startJobFromRows(rows, { batchSize: 10, tuning: { heartbeatTimeoutMs: 3_000 } });
    const api = () => scheduleStats(world, tenantId).scheduleApi;
    await waitFor('an upload kept, its answer not yet sent', () => api().uploadsAccepted >= 1, 60_000, 10);
    expect(api().updatesStarted).toBe(0);
    await first.kill('SIGKILL');

    workers.push(spawnWorker(world));
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 40, failed: 0 });
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
    // The orphaned uploads were never started; the rest each became one update.
    expect(api().uploadsAccepted).toBeGreaterThan(api().updatesStarted);
  });

  it('starts a fresh upload round when the update is refused 400, and the batch lands', async () => {
    await world.startWorkers();
    const tenantId = world.tenant('wayne');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`], 20);
    const input = await world.startJobFromRows(rows, { batchSize: 20 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 20, failed: 0 });
    expect(heldShiftKeys(world, tenantId)).toEqual(expectedShifts(rows));
    // One batch: its first update refused, the fresh round's (new upload URL, upload, update) started.
    expect(scheduleStats(world, tenantId).scheduleApi).toMatchObject({
      updatesRefused: 1,
      uploadUrlsIssued: 2,
      updatesStarted: 1,
    });
  });

  it('fails the rows naming the rounds tried when every update is refused 400', async () => {
    await world.startWorkers();
    const tenantId = world.tenant('vandelay');
    const rows = genesysRows(tenantId, [`${tenantId}-s1`], 10);
    const input = await world.startJobFromRows(rows, { batchSize: 10 });
    const tenant = await world.tenantResult(input.jobId, tenantId);
    expect(tenant).toMatchObject({ status: 'completed-with-failures', applied: 0, failed: 10 });
    const failed = await failedAssignments(world.store, input.tenants[0]!, 10, tenant);
    expect(failed).toHaveLength(10);
    for (const { reason } of failed)
      expect(reason).toMatchObject({ status: 400, message: expect.stringMatching(/after 3 upload rounds/) as unknown });
    // The first round and two fresh ones, none started.
    expect(scheduleStats(world, tenantId).scheduleApi).toMatchObject({
      updatesRefused: 3,
      uploadUrlsIssued: 3,
      updatesStarted: 0,
    });
    expect(heldShifts(world, tenantId)).toEqual([]);
  });
});

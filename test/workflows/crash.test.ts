/**
 * Worker processes die (SIGKILL) mid-job and come back: the job completes, the API holds exactly the input,
 * and no secret or token shows up in any workflow history or worker log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { historyText, jobHistories } from '../../tools/harness/histories';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { findSecrets, secretsOf } from '../../tools/harness/secrets';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('worker crash', () => {
  let world: World;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    world = await createWorld({
      orgs: ['acme', 'globex', 'initech'].map((id) => ({
        id,
        throttle: { burst: 20, refillPerSecond: 60 },
        faults: { latencyMs: 15 },
      })),
      workers: false,
    });
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
  });
  afterAll(() => world?.close());

  it('completes after the worker is SIGKILLed mid-job and restarted', async () => {
    const rows = ['acme', 'globex', 'initech'].flatMap((name) => {
      const tenantId = world.tenant(name);
      return assignmentRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], 200, 'k');
    });
    const first = spawnWorker(world);
    workers.push(first);
    await first.ready;
    const input = await world.startJobFromRows(rows, { batchSize: 1, tuning: { heartbeatTimeoutMs: 3_000 } });
    const appliedSoFar = () =>
      Object.values(world.sim.state.stats().orgs).reduce((sum, org) => sum + org.assignmentsApplied, 0);
    await waitFor('a third of the job', () => appliedSoFar() >= 200, 60_000);
    await first.kill('SIGKILL');
    const killedAt = appliedSoFar();
    expect(killedAt).toBeLessThan(600);

    const second = spawnWorker(world);
    workers.push(second);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();

    expect(result).toMatchObject({ status: 'completed', applied: 600, failed: 0 });
    for (const name of ['acme', 'globex', 'initech']) {
      const tenantId = world.tenant(name);
      const stored = world.sim.state
        .assignments(tenantId)
        .map(({ scheduleId, ...a }) => ({ tenantId, scheduleId, ...a }));
      const expected = rows.filter((row) => row.tenantId === tenantId);
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect(stored.sort(byId)).toEqual([...expected].sort(byId));
      expect(world.sim.state.stats().orgs[tenantId]!.violations).toBe(0);
    }

    // Secrets: nowhere in any history of the job, nor in either worker's output.
    expect(secretsOf(world).length).toBeGreaterThan(3);
    const texts: Record<string, string> = { 'first worker log': first.output(), 'second worker log': second.output() };
    for (const { workflowId, runId, history } of await jobHistories(world.client, input)) {
      texts[`history of ${workflowId} (${runId})`] = historyText(history);
    }
    expect(Object.keys(texts).length).toBeGreaterThanOrEqual(2 + 4);
    expect(findSecrets(world, texts)).toEqual([]);
  });
});

/**
 * A real worker process writes its log as JSON lines on stdout when told to (and by default when stdout is not a
 * terminal): every line parses, the SDK's lines about a job's PUTs carry job, tenant and batch, and no line
 * carries a client secret or an access token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { findSecrets } from '../../tools/harness/secrets';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('worker log', () => {
  let world: World;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    world = await createWorld({ orgs: [{ id: 'acme' }], workers: false });
  });
  afterAll(async () => {
    await worker?.kill();
    await world?.close();
  });

  it('is one JSON object per stdout line, with job, tenant and batch where known, and no secret', async () => {
    // DEBUG: the SDK's "Activity started/completed" lines, one pair per PUT, name each batch.
    worker = spawnWorker(world, { WFM_LOG_FORMAT: 'json', WFM_LOG_LEVEL: 'DEBUG' });
    let stdout = '';
    worker.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await worker.ready;

    const tenant = world.tenant('acme');
    const schedules = world.sim.state.config.orgs.find((org) => org.id === tenant)!.schedules;
    const input = await world.startJobFromRows(assignmentRows(tenant, schedules, 6), { batchSize: 2 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 6 });
    await worker.kill('SIGTERM');

    const lines = stdout.split('\n').filter((line) => line.length > 0);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    for (const record of records) {
      expect(typeof record.time).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error']).toContain(record.level);
      expect(typeof record.msg).toBe('string');
    }
    expect(records.find((record) => record.event === 'ready')).toMatchObject({ workerId: worker.workerId() });
    expect(records.find((record) => record.event === 'stopped')).toBeDefined();
    const puts = records.filter((record) => record.activityType === 'putBatch' && record.msg === 'Activity completed');
    expect(puts.map((record) => record.batch).sort()).toEqual([0, 1, 2]);
    for (const put of puts) expect(put).toMatchObject({ job: input.jobId, tenant });
    expect(findSecrets(world, { 'worker stdout': stdout, 'worker output': worker.output() })).toEqual([]);
  });
});

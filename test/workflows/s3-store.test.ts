/**
 * The real job end to end with its claim-check store in a real S3-compatible server (SeaweedFS, started here):
 * input, items and failure blocks in the bucket under the job's key, the report read back from it, retention by
 * `gc` against the real Temporal, and a worker with another store refusing the job's tenants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFailures } from '../../client/jobs/report';
import { describeJob, planGc } from '../../client/jobs/gc';
import { gcDocumentSchema } from '../../client/output/documents';
import { runCli } from '../../tools/harness/cli';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { startS3Server, type S3TestServer } from '../../tools/s3/server';
import type { BlobEntry } from '../../store/blob-store';
import type { bulkJob } from '../../workflows';
import { assignmentRows, createWorld, type World } from '../helpers/world';
import { storedItemRefs } from '../../contracts/tenant';

const DAY = 86_400_000;
const USERS = Array.from({ length: 50 }, (_, i) => `user-${i + 1}`);

async function blobsOf(world: World): Promise<BlobEntry[]> {
  const all: BlobEntry[] = [];
  for await (const entry of world.store.list()) all.push(entry);
  return all;
}

describe('a job with its store in S3', () => {
  let s3: S3TestServer;
  let world: World;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    s3 = await startS3Server();
    world = await createWorld({
      orgs: [{ id: 'acme', users: USERS, throttle: null }, { id: 'globex' }],
      storeEnv: s3.env('e2e'),
    });
  });
  afterAll(async () => {
    await worker?.kill();
    await world?.close();
    await s3?.stop();
  });

  it('runs end to end: items and failure blocks in the bucket under the job, the report read back', async () => {
    expect(world.store.location).toBe(`s3://${s3.bucket}/e2e/world-${world.suffix}/`);
    const acme = world.tenant('acme');
    const globex = world.tenant('globex');
    // Every other item refused, each with its own reason: more failed ranges than the workflow keeps inline.
    const acmeRows = assignmentRows(acme, [`${acme}-s1`, `${acme}-s2`], 500).map((row, i) =>
      i % 2 ? { ...row, userId: `ghost-${i}` } : row,
    );
    const globexRows = assignmentRows(globex, [`${globex}-s1`], 60);
    const input = await world.startJobFromRows([...acmeRows, ...globexRows], { batchSize: 20 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();

    expect(result).toMatchObject({ status: 'completed-with-failures', total: 560, applied: 310, failed: 250 });
    const acmeResult = await world.tenantResult(input.jobId, acme);
    expect(acmeResult.failureLog?.stored.length).toBeGreaterThan(0);
    const { failures } = await collectFailures(world.client, world.store, input.jobId);
    expect(failures.map((f) => f.assignment.id).sort()).toEqual(
      acmeRows
        .filter((_, i) => i % 2)
        .map((row) => row.id)
        .sort(),
    );

    const blobs = await blobsOf(world);
    expect(blobs.every((blob) => blob.jobId === input.jobId)).toBe(true);
    const keys = blobs.map((blob) => blob.key);
    expect(keys).toEqual(expect.arrayContaining([input.source.inputRef, ...input.tenants.flatMap(storedItemRefs)]));
    expect(keys).toEqual(expect.arrayContaining(acmeResult.failureLog!.stored));
  });

  it('gc keeps what running, recent and unstarted jobs need, and deletes a closed job’s blobs past the cut-off', async () => {
    const acme = world.tenant('acme');
    const done = await world.startJobFromRows(assignmentRows(acme, [`${acme}-s1`], 10));
    await world.client.workflow.getHandle<typeof bulkJob>(done.jobId).result();
    await world.stopWorkers();
    const running = await world.startJobFromRows(assignmentRows(acme, [`${acme}-s1`], 10, 'r'));
    const unstarted = `never-started-${world.suffix}`;
    await world.store.put(Buffer.from('stored by a client that has not started its job yet'), unstarted);
    const jobState = (jobId: string) => describeJob(world.client, jobId);

    // Today, with 30 days' retention: the job just closed keeps its blobs like every other.
    const today = await planGc(world.store, jobState, { olderThanMs: 30 * DAY });
    expect(today.jobs.flatMap((job) => job.remove)).toEqual([]);
    const states = Object.fromEntries(today.jobs.map((job) => [job.jobId, job.job.state]));
    expect(states).toMatchObject({ [done.jobId]: 'closed', [running.jobId]: 'running', [unstarted]: 'unknown' });

    // 31 days on: closed jobs (and the never-started one, by age) go; the running one stays whatever its age.
    const later = await planGc(world.store, jobState, { olderThanMs: 30 * DAY, now: new Date(Date.now() + 31 * DAY) });
    const removedJobs = new Set(later.jobs.filter((job) => job.remove.length > 0).map((job) => job.jobId));
    expect(removedJobs.has(done.jobId)).toBe(true);
    expect(removedJobs.has(unstarted)).toBe(true);
    expect(removedJobs.has(running.jobId)).toBe(false);

    // The command itself, as an operator runs it: a dry run deletes nothing.
    const cli = await runCli(['gc', '--older-than', '30d', '--dry-run', '--json'], world.env);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const document = gcDocumentSchema.parse(JSON.parse(cli.stdout));
    expect(document).toMatchObject({ kind: 'gc', dryRun: true, deleted: { blobs: 0 } });
    const text = await runCli(['gc', '--older-than', '30d'], world.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${world.store.location}: deleted 0 blob(s)`);
    const refused = await runCli(['gc', '--older-than', '2h'], world.env);
    expect(refused.code).toBe(2);

    await world.client.workflow.getHandle(running.jobId).terminate('test over');
    await world.startWorkers();
  });

  it('a worker process with another store refuses the job’s tenants, which fail naming the store', async () => {
    await world.stopWorkers();
    worker = spawnWorker(world, s3.env(`other-${world.suffix}`));
    await worker.ready;
    expect(worker.output()).toMatch(/store s3:\/\/.*\/other-.*\(id wfm-store-/);
    const globex = world.tenant('globex');
    const putsBefore = world.sim.state.stats().orgs[globex]!.putRequests;
    const input = await world.startJobFromRows(assignmentRows(globex, [`${globex}-s1`], 5));
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result.tenants[0]).toMatchObject({ status: 'failed', applied: 0 });
    expect(result.tenants[0]!.stopReason?.message).toMatch(/another claim-check store .* WFM_STORE_URL/);
    expect(world.sim.state.stats().orgs[globex]!.putRequests).toBe(putsBefore);
  });
});

/**
 * Records the replay fixtures of a release: `npm run replay:record -- <release>` runs a few jobs on a fresh dev
 * server with this checkout's workflow code and writes every history (job and tenants, every run) to
 * `test/replay/histories/<release>/`. Run it at each release, on the released commit, and commit the files:
 * from then on `npm test` replays them against every later change, so a change that would break jobs still
 * running on that release fails the tests instead of the jobs (see README, "Changing workflow code").
 *
 * The jobs cover what running jobs meet: throttling and learned pacing, steering (pause, limits, resume),
 * continue-as-new, API refusals (items, schedules, a tenant without access), faults that exhaust attempts, a
 * cancel with tenants still queued, and a tenant stopped on its own.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { JobInput } from '../../contracts/job';
import { cancelSignal, pauseSignal, resumeSignal, setLimitsSignal } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { jobHistories } from '../../harness/histories';
import { waitFor } from '../../harness/wait';
import { assignmentRows, createWorld, type World } from '../../harness/world';
import { startDevServer } from '../../scripts/dev-server';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';
import type { bulkJob } from '../../workflows';

const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');

/** Waits until `count` more PUTs of the tenant were applied than when it was called. */
async function morePutsApplied(world: World, tenantIds: string[], count: number) {
  const applied = () => tenantIds.reduce((sum, id) => sum + world.sim.state.stats().orgs[id]!.status2xx, 0);
  const before = applied();
  await waitFor(`${count} PUTs of ${tenantIds.join(', ')}`, () => applied() >= before + count);
}

const USERS = Array.from({ length: 50 }, (_, i) => `user-${i + 1}`);

/** A job meeting throttling, steering, a refused schedule and continue-as-new. */
async function throttledAndSteered(world: World): Promise<JobInput> {
  const acme = world.tenant('acme');
  const globex = world.tenant('globex');
  const rows = [
    ...assignmentRows(acme, [`${acme}-s1`], 80, 'r'),
    ...assignmentRows(globex, ['unknown-schedule'], 10, 'x'),
    ...assignmentRows(globex, [`${globex}-s1`], 100, 'r'),
  ];
  const input = await world.startJobFromRows(rows, { batchSize: 1, tuning: { historyEventLimit: 200 } });
  const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
  await morePutsApplied(world, [globex], 10);
  await job.signal(pauseSignal);
  await job.signal(setLimitsSignal, { tenantId: acme, concurrency: 2, ratePerSecond: 50 });
  await job.signal(resumeSignal);
  await job.result();
  return input;
}

/** A job whose API refuses items, a tenant without the write scope, and a tenant whose 503s exhaust attempts. */
async function refusalsAndFaults(world: World): Promise<JobInput> {
  const initech = world.tenant('initech');
  const hooli = world.tenant('hooli');
  const umbrella = world.tenant('umbrella');
  const good = assignmentRows(initech, [`${initech}-s1`], 30, 'ok');
  const ghosts = [3, 11, 12].map((n) => ({ ...good[n]!, id: `ghost-${n}`, userId: `ghost-${n}` }));
  const rows = [
    ...good,
    ...ghosts,
    ...assignmentRows(hooli, [`${hooli}-s1`], 10),
    ...assignmentRows(umbrella, [`${umbrella}-s1`], 12),
  ];
  const input = await world.startJobFromRows(rows, { batchSize: 5, maxAttempts: 2 });
  await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
  return input;
}

/** A job cancelled while one tenant runs and the others wait for a place. */
async function cancelledWithTenantsQueued(world: World): Promise<JobInput> {
  const names = ['acme', 'globex', 'initech'].map((name) => world.tenant(name));
  const rows = names.flatMap((tenant) => assignmentRows(tenant, [`${tenant}-s3`], 60, 'c'));
  const input = await world.startJobFromRows(rows, { batchSize: 1, maxActiveTenants: 1 });
  const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
  await morePutsApplied(world, names, 5);
  await job.signal(cancelSignal, { reason: 'recorded cancel' });
  await job.result();
  return input;
}

/** A job one of whose tenants is cancelled on its own (as from the Web UI) while the other goes on. */
async function tenantCancelledAlone(world: World): Promise<JobInput> {
  const acme = world.tenant('acme');
  const globex = world.tenant('globex');
  const rows = [...assignmentRows(acme, [`${acme}-s3`], 60, 't'), ...assignmentRows(globex, [`${globex}-s3`], 60)];
  const input = await world.startJobFromRows(rows, { batchSize: 1 });
  await morePutsApplied(world, [acme], 5);
  await world.client.workflow.getHandle(tenantWorkflowId(input.jobId, acme)).cancel();
  await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
  return input;
}

const { History } = temporal.api.history.v1;

/**
 * Proto3-style JSON (enum names, base64 bytes, 64-bit numbers as strings) read back by `History.fromObject`.
 * Written with the proto package itself: the SDK's `historyToJSON` fails when npm installs two copies of
 * protobufjs (it does here, for `@grpc/proto-loader`).
 */
function historyJson(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }));
}

const JOBS = { throttledAndSteered, refusalsAndFaults, cancelledWithTenantsQueued, tenantCancelledAlone };

async function main() {
  const release = process.argv[2];
  if (!release || !/^[\w.-]+$/.test(release)) {
    throw new Error('usage: npm run replay:record -- <release> (letters, digits, dots and dashes, e.g. 0.1.0)');
  }
  const server = await startDevServer();
  let world: World | undefined;
  try {
    world = await createWorld({
      address: server.address,
      orgs: [
        { id: 'acme', throttle: { burst: 5, refillPerSecond: 10 } },
        { id: 'globex', throttle: null, faults: { latencyMs: 10 } },
        { id: 'initech', users: USERS, throttle: null },
        {
          id: 'hooli',
          clients: [{ clientId: 'hooli-reader', clientSecret: 'hooli-reader-secret', scopes: ['wfm:schedule:read'] }],
        },
        { id: 'umbrella', throttle: null, faults: { serverErrorRate: 1 } },
      ],
    });
    const dir = path.join(HISTORIES_DIR, release);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [name, run] of Object.entries(JOBS)) {
      const input = await run(world);
      const histories = await jobHistories(world.client, input);
      for (const [index, { workflowId, history }] of histories.entries()) {
        const kind = workflowId === input.jobId ? 'job' : `tenant-${workflowId.slice(input.jobId.length + 1)}`;
        const file = path.join(
          dir,
          `${name}.${String(index).padStart(2, '0')}.${kind.replace(world.suffix, 'x')}.json`,
        );
        await writeFile(file, historyJson(history));
      }
      console.log(`${name}: ${histories.length} histories`);
    }
    console.log(`written to ${path.relative(PROJECT_ROOT, dir)}`);
  } finally {
    await world?.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

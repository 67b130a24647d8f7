/**
 * The jobs whose histories are a release's replay fixtures (`record.ts`), also run by the replay test so the
 * current code's own histories are checked the same way: throttling and learned pacing, steering, continue-as-new
 * (tenants and job), API refusals (items, schedules, a tenant without access), faults that exhaust attempts, a
 * cancel with tenants still queued, and a tenant cancelled on its own.
 */
import type { JobInput } from '../../contracts/job';
import { cancelSignal, pauseSignal, resumeSignal, setLimitsSignal } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, type World, type WorldOptions } from '../../tools/harness/world';
import type { bulkJob } from '../../workflows';

/** Waits until `count` more PUTs of the tenant were applied than when it was called. */
async function morePutsApplied(world: World, tenantIds: string[], count: number) {
  const applied = () => tenantIds.reduce((sum, id) => sum + world.sim.state.stats().orgs[id]!.status2xx, 0);
  const before = applied();
  await waitFor(`${count} PUTs of ${tenantIds.join(', ')}`, () => applied() >= before + count);
}

const USERS = Array.from({ length: 50 }, (_, i) => `user-${i + 1}`);

/** A job meeting throttling, steering, a refused schedule and continue-as-new. */
export async function throttledAndSteered(world: World): Promise<JobInput> {
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

/**
 * A job whose API refuses items, a tenant without the write scope, and a tenant whose 503s exhaust attempts; the
 * job continues as new between tenants.
 */
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
  // One tenant at a time and a short job history: the job continues as new between tenants.
  const input = await world.startJobFromRows(rows, {
    batchSize: 5,
    maxAttempts: 2,
    maxActiveTenants: 1,
    tuning: { jobHistoryEventLimit: 20 },
  });
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

/** The organisations the jobs need. */
export const RECORDED_ORGS: WorldOptions['orgs'] = [
  { id: 'acme', throttle: { burst: 5, refillPerSecond: 10 } },
  { id: 'globex', throttle: null, faults: { latencyMs: 10 } },
  { id: 'initech', users: USERS, throttle: null },
  {
    id: 'hooli',
    clients: [{ clientId: 'hooli-reader', clientSecret: 'hooli-reader-secret', scopes: ['wfm:schedule:read'] }],
  },
  { id: 'umbrella', throttle: null, faults: { serverErrorRate: 1 } },
];

export const RECORDED_JOBS = {
  throttledAndSteered,
  refusalsAndFaults,
  cancelledWithTenantsQueued,
  tenantCancelledAlone,
};

/**
 * 21. A worker process stalls (SIGSTOP: a long GC pause, a frozen VM) for longer than the lease timeout and then
 * wakes (SIGCONT): first the process holding the most tenants, then the process running the workflows. While it
 * sleeps its tenants' leases move to the others; once awake it writes nothing for a tenant it lost (its proof of
 * the lease ran out while it slept), nothing is written by two processes at once, and the job completes.
 */
import type { RequestRecord } from '../../simulator';
import type { WorkerProcess } from '../../harness/processes';
import { waitFor } from '../../harness/wait';
import { allAppliedCheck, leaseCheck, peakCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org, type Scene } from '../scene';
import { check, type Check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, SHORT_LEASE_JOB, openJob, rowsFor } from './common';

export interface StalledWorkerParams {
  perTenant: number;
}

const TENANTS = ['t1', 't2', 't3', 't4'];
const THROTTLE = { burst: 10, refillPerSecond: 4 };
/**
 * Many batches out at once, let through the gate one a second: a holder always has requests waiting in line,
 * due the moment it wakes, which it must not write once it has lost the lease.
 */
const CONCURRENCY = 6;
const RATE = 1;
const LATENCY_MS = 50;
/** Longer than the lease timeout, so the lease moves while the process sleeps. */
const STALL_MS = Math.round(2.5 * HEARTBEAT_TIMEOUT_MS);

/** What one stall did. */
interface Stall {
  who: string;
  worker: string;
  /** The tenants it held when it was stopped. */
  held: string[];
  stoppedAt: number;
  wokeAt: number;
}

export const stalledWorker: Scenario<StalledWorkerParams> = {
  id: 21,
  title: 'a worker process stalled past the lease timeout and woken: it writes nothing for tenants it lost',
  full: { perTenant: 100 },
  ci: { perTenant: 45 },
  run: (suite, params) =>
    inScene(
      suite,
      'stalled worker',
      {
        orgs: TENANTS.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })),
        limits: Object.fromEntries(
          TENANTS.map((name) => [name, { concurrency: CONCURRENCY, ratePerSecond: RATE, burst: 1 }]),
        ),
      },
      async (scene) => {
        const world = scene.world;
        const tenantIds = TENANTS.map((name) => world.tenant(name));
        const rows = rowsFor(world, TENANTS, params.perTenant, 's');
        // One process runs the workflows (and holds tenants too); two hold tenants only.
        const workflows = await scene.readyWorker();
        const {
          processes: others,
          before,
          input,
        } = await openJob(scene, rows, {
          processes: [1, 2].map(() => ({ WFM_WORKER_ROLE: 'tenants' })),
          job: SHORT_LEASE_JOB,
          until: { what: 'a quarter of the job', applied: rows.length * 0.25, of: tenantIds, timeoutMs: 300_000 },
        });
        const holders = await scene.leaseHolders(tenantIds);
        const heldBy = (process: WorkerProcess) => tenantIds.filter((id) => holders.get(id) === process.workerId());
        const busiest = [...others].sort((a, b) => heldBy(b).length - heldBy(a).length)[0]!;
        const first = heldBy(busiest).length > 0 ? busiest : workflows;
        const stalls: Stall[] = [
          await stall(scene, first, first === workflows ? 'the workflows’ process' : 'the busiest', tenantIds),
        ];

        await waitFor('half of the job', () => scene.applied(tenantIds) >= rows.length * 0.5, 300_000);
        stalls.push(await stall(scene, workflows, 'the workflows’ process', tenantIds));

        const measured = await measureJob(scene, input.jobId, rows, before, 900_000);
        await Promise.all([workflows, ...others].map((process) => process.kill('SIGTERM')));
        const { figures } = measured;
        const lostWrites = stalls.map((s) => writesAfterLosing(scene, s));

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANTS.length} tenants × ${params.perTenant} assignments, one PUT each, each tenant at ` +
              `${RATE}/s with ${CONCURRENCY} batches out at once (most waiting at the gate), ${LATENCY_MS} ms latency; ` +
              'one worker process running the workflows and holding tenants, two holding tenants only; lease ' +
              `timeout ${HEARTBEAT_TIMEOUT_MS / 1000} s.`,
            ...stalls.map(
              (s) => `SIGSTOP of ${s.who} (holding ${s.held.length} tenant(s)) for ${STALL_MS / 1000} s, then SIGCONT.`,
            ),
          ],
          checks: [
            ...stalls.map((s, index) => movedCheck(scene, s, index === 0)),
            check(
              'a woken process wrote nothing for a tenant it had lost',
              lostWrites.every((count) => count === 0),
              stalls.map((s, i) => `${s.who}: ${lostWrites[i]} request(s) after waking under an old lease`).join('; '),
            ),
            leaseCheck(scene, tenantIds),
            allAppliedCheck(measured, rows.length),
            peakCheck(scene, tenantIds, CONCURRENCY),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            'A holder writes only while Temporal has lately answered its renewal of the lease; its proof runs out a ' +
              'fifth of the lease timeout before Temporal may give the lease to another process, so a process that ' +
              'sleeps through that finds it out of date the moment it wakes, before it writes.',
            'While the workflows’ process slept, new holders could not claim the lease (the claim is an update of the ' +
              'lease workflow): their tenants waited, unwritten, until it woke.',
          ],
        };
      },
    ),
};

/** Stops `process` for `STALL_MS` and wakes it; what it held then. */
async function stall(scene: Scene, process: WorkerProcess, who: string, tenantIds: string[]): Promise<Stall> {
  const holders = await scene.leaseHolders(tenantIds);
  const worker = process.workerId();
  const held = tenantIds.filter((id) => holders.get(id) === worker);
  const stoppedAt = Date.now();
  await process.stall(STALL_MS);
  return { who, worker, held, stoppedAt, wokeAt: Date.now() };
}

/** Requests the stalled process wrote after it woke under a lease older than one another process wrote under. */
function writesAfterLosing(scene: Scene, stall: Stall): number {
  let count = 0;
  for (const tenantId of stall.held) {
    const log = scene.world.sim.state.requestLog(tenantId);
    const newest = (until: number) =>
      Math.max(0, ...log.filter((r) => r.at < until && r.worker !== stall.worker).map((r) => r.leaseEpoch ?? 0));
    count += log.filter(
      (r: RequestRecord) => r.worker === stall.worker && r.at >= stall.wokeAt && (r.leaseEpoch ?? 0) < newest(r.at),
    ).length;
  }
  return count;
}

/** The stalled process's tenants were written by another process while it slept (the lease moved). */
function movedCheck(scene: Scene, stall: Stall, tenantsOnly: boolean): Check {
  const moved = stall.held.filter((tenantId) =>
    scene.world.sim.state
      .requestLog(tenantId)
      .some((r) => r.worker !== stall.worker && r.at > stall.stoppedAt && r.at < stall.wokeAt + 5_000),
  );
  return check(
    `${stall.who} held tenants when it stopped, and another process wrote for them while it slept` +
      (tenantsOnly ? '' : ' (or once it woke: new holders claim through the workflows)'),
    stall.held.length > 0 && moved.length === stall.held.length,
    `held ${stall.held.length}, written by another process: ${moved.length}`,
  );
}

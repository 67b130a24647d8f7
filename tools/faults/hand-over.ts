/**
 * Killing the worker process that serves the most unfinished tenants of a job, and following where its tenants
 * go: the evidence for "a process that dies hands its tenants over within seconds".
 */
import type { WorkerProcess } from '../harness/processes';
import { waitFor } from '../harness/wait';
import type { AssignmentRow } from '../harness/world';
import type { Scene } from './scene';

export interface HandOver {
  victim: WorkerProcess;
  /** The victim's unfinished tenants at the kill. */
  tenants: string[];
  /** Unfinished tenants per process just before the kill, in the order of `processes`. */
  perProcess: number[];
  killTime: number;
  /** Resolves once each of the victim's tenants is served by another process (or has finished). */
  settled: Promise<void>;
  /** The process each of the victim's tenants moved to, as seen so far. */
  movedTo: Map<string, string>;
}

export async function killBusiest(
  scene: Scene,
  jobId: string,
  processes: readonly WorkerProcess[],
  rows: readonly AssignmentRow[],
): Promise<HandOver> {
  const total = (tenantId: string) => rows.filter((row) => row.tenantId === tenantId).length;
  const tenantIds = [...new Set(rows.map((row) => row.tenantId))];
  const unfinished = tenantIds.filter((id) => scene.applied([id]) < total(id));
  const served = await scene.servedBy(jobId, unfinished);
  const byProcess = processes.map((process) => unfinished.filter((id) => served.get(id) === process.workerId()));
  const busiest = byProcess.reduce(
    (most, tenants, index) => (tenants.length > byProcess[most]!.length ? index : most),
    0,
  );
  const victim = processes[busiest]!;
  const tenants = byProcess[busiest]!;
  const killTime = Date.now();
  await victim.kill('SIGKILL');

  const movedTo = new Map<string, string>();
  const settled = waitFor(
    'the killed process’s tenants to move',
    async () => {
      const now = await scene.servedBy(jobId, tenants);
      for (const [tenantId, worker] of now) if (worker && worker !== victim.workerId()) movedTo.set(tenantId, worker);
      return tenants.every((id) => movedTo.has(id) || scene.applied([id]) === total(id));
    },
    120_000,
    // Queries load the server and this process, which hosts the simulator: a few a second are plenty.
    500,
  ).catch(() => undefined);
  return { victim, tenants, perProcess: byProcess.map((t) => t.length), killTime, settled, movedTo };
}

/** ms from the kill to each tenant's first request after it (Infinity when none came). */
export function resumedAfter(scene: Scene, handOver: HandOver): { tenantId: string; ms: number }[] {
  return handOver.tenants.map((tenantId) => {
    const next = scene.world.sim.state.requestLog(tenantId).find((record) => record.at > handOver.killTime);
    return { tenantId, ms: next ? next.at - handOver.killTime : Infinity };
  });
}

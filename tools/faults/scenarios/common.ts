/** Pieces the job scenarios share: their tenants, input rows, the opening of their job, and wording. */
import type { JobInput } from '../../../contracts/job';
import type { WorkerProcess } from '../../harness/processes';
import { waitFor } from '../../harness/wait';
import { assignmentRows, type AssignmentRow, type StartOptions, type World } from '../../harness/world';
import type { StatsSnapshot } from '../measure';
import type { Scene } from '../scene';

export const TENANT_NAMES = ['acme', 'globex', 'initech'] as const;

/** `perTenant` valid assignments for each named tenant of the world, over two schedules each. */
export function rowsFor(world: World, names: readonly string[], perTenant: number, prefix: string): AssignmentRow[] {
  return names.flatMap((name) => {
    const tenantId = world.tenant(name);
    return assignmentRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], perTenant, prefix);
  });
}

/** A killed worker's tenants move to another process after this long without a heartbeat of its hold. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

/** One PUT per assignment, and a dead process's tenants move after `HEARTBEAT_TIMEOUT_MS`. */
export const SHORT_LEASE_JOB: StartOptions = { batchSize: 1, tuning: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS } };

/** How a job scenario opens, up to the moment its fault strikes. */
export interface Opening {
  /** Worker processes started together before the job, by their extra environment; one plain process if omitted. */
  processes?: readonly NodeJS.ProcessEnv[];
  /** The job's options; one PUT per assignment (`batchSize: 1`) if omitted. */
  job?: StartOptions;
  /** Waits, after the start, until `applied` assignments of the tenants `of` (all of the scene's if omitted) are in. */
  until?: { what: string; applied: number; of?: readonly string[]; timeoutMs: number };
}

export interface OpenedJob {
  /** The processes of `Opening.processes`, in that order, each ready. */
  processes: WorkerProcess[];
  /** The simulator's stats before the job, for `measureJob`. */
  before: StatsSnapshot;
  /** When the job was started (epoch ms, just before it was). */
  startedAt: number;
  input: JobInput;
}

/**
 * The opening the job scenarios share: ready worker processes, the simulator's stats, the job started on `rows`,
 * and, with `until`, the wait for the progress at which the scenario's fault strikes.
 */
export async function openJob(scene: Scene, rows: AssignmentRow[], opening: Opening = {}): Promise<OpenedJob> {
  const processes = await Promise.all((opening.processes ?? [{}]).map((env) => scene.readyWorker(env)));
  const before = scene.stats();
  const startedAt = Date.now();
  const input = await scene.startJob(rows, opening.job ?? { batchSize: 1 });
  const { until } = opening;
  if (until) await waitFor(until.what, () => scene.applied(until.of) >= until.applied, until.timeoutMs);
  return { processes, before, startedAt, input };
}

export const percent = (part: number, whole: number) => `${Math.round((100 * part) / Math.max(1, whole))} %`;

export const times = (n: number) => (n === 1 ? 'once' : `${n} times`);

/**
 * A scenario's figures from what the API holds, for runs too big to keep every row: the tenants' applied count,
 * repeated PUTs and Retry-After violations, against the assignments sent and those the jobs reported failed.
 */
export function heldFigures(scene: Scene, tenantIds: readonly string[], total: number, reportedFailed: number) {
  const held = scene.applied(tenantIds);
  const stats = scene.stats();
  const sum = (field: 'violations' | 'repeatedAssignmentPuts') =>
    tenantIds.reduce((all, id) => all + (stats[id]?.[field] ?? 0), 0);
  return {
    assignments: total,
    applied: held,
    failedWithReason: reportedFailed,
    lost: total - held - reportedFailed,
    duplicatePuts: sum('repeatedAssignmentPuts'),
    violations: sum('violations'),
  };
}

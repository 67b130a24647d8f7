/**
 * The figures of one finished job, from the outside: what the simulator holds, what the job's report lists as
 * failed, and what neither accounts for (lost).
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { collectFailures } from '../../client/jobs/report';
import { fetchJobView } from '../../client/jobs/view';
import type { FailedAssignment } from '../../client/jobs/failures';
import type { JobResult } from '../../contracts/job';
import { heldShifts, rowShiftKey, shiftKey, type AssignmentRow, type GenesysRow } from '../harness/world';
import { sleep } from '../harness/wait';
import type { OrgStats } from '../simulator';
import { withTimeout } from '../harness/cleanup';
import type { Scene } from './scene';
import type { Figures } from './types';

export type StatsSnapshot = Record<string, OrgStats>;

export interface JobMeasurement {
  figures: Figures;
  result: JobResult;
  failures: FailedAssignment[];
  /** Applied assignments whose stored fields differ from their input row (read-back ≠ input). */
  readBackMismatches: number;
  /** Assignments both held by the simulator and reported failed (a write that took effect but looked failed). */
  appliedAndReportedFailed: number;
  /** Genesys writer: shifts held more than once (an update applied twice), beyond the first of each. */
  duplicateShifts: number;
  /** When the job's result was in (epoch ms). */
  finishedAt: number;
}

/**
 * The job's result; transient errors (a Temporal server restarting) are waited out until `timeoutMs`, a failed
 * workflow is not.
 */
export async function awaitJob(client: Client, jobId: string, timeoutMs: number): Promise<JobResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      return await withTimeout(
        client.workflow.getHandle(jobId).result() as Promise<JobResult>,
        remaining,
        `job ${jobId}`,
      );
    } catch (error) {
      if (error instanceof WorkflowFailedError || Date.now() + 1_000 >= deadline) throw error;
      await sleep(1_000);
    }
  }
}

/** A job that ended without a result (terminated): as `status` shows it, from its tenants' own outcomes. */
async function closedJobResult(client: Client, jobId: string): Promise<JobResult> {
  const view = await fetchJobView(client, jobId);
  if (view.status === 'paused' || view.status === 'unknown' || view.status === 'running')
    throw new Error(`job ${jobId} ended without a result and its tenants cannot be read: ${view.stale ?? view.status}`);
  const tenants = view.tenants.map(
    ({ inFlight: _inFlight, limits: _limits, worker: _worker, cooldownUntil: _c, ...t }) => ({
      ...t,
      status: t.status === 'waiting' ? ('queued' as const) : t.status,
    }),
  );
  return { jobId, status: view.status, total: view.total, applied: view.applied, failed: view.failed, tenants };
}

const keyOf = (tenantId: string, scheduleId: string, id: string) => `${tenantId}\u0000${scheduleId}\u0000${id}`;

/** The row's fields as the simulator stores them (everything but the tenant). */
function storedForm({ tenantId: _tenant, ...fields }: object & { tenantId?: string }): string {
  return JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
}

export async function measureJob(
  scene: Scene,
  jobId: string,
  rows: readonly AssignmentRow[],
  before: StatsSnapshot,
  timeoutMs = 300_000,
): Promise<JobMeasurement> {
  const { client, store, sim } = scene.world;
  const result = await awaitJob(client, jobId, timeoutMs).catch((error: unknown) => {
    if (!(error instanceof WorkflowFailedError)) throw error;
    return closedJobResult(client, jobId);
  });
  const finishedAt = Date.now();
  const { failures } = await collectFailures(client, store, jobId);
  const reported = new Set(
    failures
      .filter((failure) => failure.reason.code && failure.reason.message)
      .map((failure) => keyOf(failure.tenantId, failure.scheduleId, failure.assignment.id)),
  );

  const tenantIds = [...new Set(rows.map((row) => row.tenantId))];
  const stored = new Map<string, string>();
  for (const tenantId of tenantIds)
    for (const assignment of sim.state.assignments(tenantId))
      stored.set(keyOf(tenantId, assignment.scheduleId, assignment.id), storedForm(assignment));
  // Genesys tenants hold shifts, not assignments: a row is held when a shift of its content is in its schedule.
  const shiftCounts = new Map<string, number>();
  for (const tenantId of tenantIds) {
    if (scene.world.tenants.get(tenantId)?.writer !== 'genesys-schedule-update') continue;
    for (const shift of heldShifts(scene.world, tenantId))
      for (const activityCodeId of shift.activityCodeIds) {
        const key = shiftKey(shift, activityCodeId);
        shiftCounts.set(key, (shiftCounts.get(key) ?? 0) + 1);
      }
  }
  let duplicateShifts = 0;
  for (const row of rows) {
    if (!('activityCodeId' in row) || scene.world.tenants.get(row.tenantId)?.writer !== 'genesys-schedule-update')
      continue;
    const count = shiftCounts.get(rowShiftKey(row as GenesysRow));
    if (count === undefined) continue;
    duplicateShifts += count - 1;
    stored.set(keyOf(row.tenantId, row.scheduleId, row.id), storedForm(row));
  }

  let applied = 0;
  let failedWithReason = 0;
  let lost = 0;
  let readBackMismatches = 0;
  let appliedAndReportedFailed = 0;
  for (const row of rows) {
    const key = keyOf(row.tenantId, row.scheduleId, row.id);
    const held = stored.get(key);
    const failed = reported.has(key);
    if (held !== undefined) {
      applied++;
      if (held !== storedForm(row)) readBackMismatches++;
    }
    if (failed) failedWithReason++;
    if (held !== undefined && failed) appliedAndReportedFailed++;
    if (held === undefined && !failed) lost++;
  }

  const now = scene.stats();
  const delta = (field: 'repeatedAssignmentPuts' | 'violations') =>
    tenantIds.reduce((sum, id) => sum + (now[id]?.[field] ?? 0) - (before[id]?.[field] ?? 0), 0);
  return {
    figures: {
      assignments: rows.length,
      applied,
      failedWithReason,
      lost,
      duplicatePuts: delta('repeatedAssignmentPuts'),
      violations: delta('violations'),
    },
    result,
    failures,
    readBackMismatches,
    appliedAndReportedFailed,
    duplicateShifts,
    finishedAt,
  };
}

/**
 * 12. One tenant terminated mid-job through the Temporal CLI (what an operator does from the Web UI): the job
 *     completes, the other tenants apply everything, and applied + reported failed = input.
 * 13. The job itself terminated mid-job: its tenants stop as on a cancel (requests on the wire finish), and
 *     `status` and `report` still account for every assignment.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tenantWorkflowId } from '../../../contracts/names';
import { resolveTemporalCli } from '../../temporal/cli';
import { retryAfterCheck, othersCompleteCheck } from '../checks';
import { measureJob, type JobMeasurement } from '../measure';
import { inScene, org, type Scene } from '../scene';
import { check, type Check, type Scenario } from '../types';
import { TENANT_NAMES, openJob, rowsFor } from './common';

export interface ContainmentParams {
  perTenant: number;
}

const THROTTLE = { burst: 10, refillPerSecond: 40 };

/** `temporal workflow terminate`, as an operator runs it against the scene's server. */
async function terminateWithCli(scene: Scene, workflowId: string, reason: string): Promise<void> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('no temporal CLI to terminate with');
  await promisify(execFile)(cli, [
    'workflow',
    'terminate',
    '--workflow-id',
    workflowId,
    '--reason',
    reason,
    '--address',
    scene.world.address,
    '--namespace',
    'default',
  ]);
}

/**
 * Every input assignment is held by the API or reported failed; only those reported as not confirmed (out when
 * the tenant stopped, so they may have landed) may be both.
 */
function accountedCheck(measured: JobMeasurement): Check {
  const { figures, appliedAndReportedFailed, failures } = measured;
  const unconfirmed = failures.filter((f) => f.reason.message.startsWith('not confirmed')).length;
  return check(
    'applied + reported failed = input; only unconfirmed ones both',
    figures.lost === 0 &&
      appliedAndReportedFailed <= unconfirmed &&
      figures.applied + figures.failedWithReason - appliedAndReportedFailed === figures.assignments,
    `${figures.applied} applied + ${figures.failedWithReason} reported failed of ${figures.assignments}; ` +
      `${figures.lost} lost; ${appliedAndReportedFailed} both applied and reported failed, of ${unconfirmed} ` +
      'reported as not confirmed (out when the tenant stopped; a retry sends them again, PUTs are idempotent)',
  );
}

export const tenantTerminated: Scenario<ContainmentParams> = {
  id: 12,
  title: 'one tenant terminated mid-job with the Temporal CLI',
  full: { perTenant: 400 },
  ci: { perTenant: 150 },
  run: (suite, params) =>
    inScene(
      suite,
      'tenant terminated',
      { orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: 20 } })) },
      async (scene) => {
        const { world } = scene;
        const globex = world.tenant('globex');
        const rows = rowsFor(world, TENANT_NAMES, params.perTenant, 'term');
        const { before, input } = await openJob(scene, rows, {
          until: { what: 'globex a third done', applied: params.perTenant / 3, of: [globex], timeoutMs: 120_000 },
        });
        await terminateWithCli(scene, tenantWorkflowId(input.jobId, globex), 'stopped by an operator');
        const terminatedAt = scene.applied([globex]);
        const measured = await measureJob(scene, input.jobId, rows, before);
        const { figures, result } = measured;
        const stopped = result.tenants.find((t) => t.tenantId === globex)!;
        const codes = [...new Set(measured.failures.filter((f) => f.tenantId === globex).map((f) => f.reason.code))];
        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each (throttle ` +
              `${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s); one worker process.`,
            `\`temporal workflow terminate\` on globex's tenant workflow when ${terminatedAt} of its ` +
              `${params.perTenant} assignments were applied.`,
          ],
          checks: [
            check(
              'the job completes, with globex recorded as terminated',
              result.status === 'completed-with-failures' &&
                stopped.status === 'failed' &&
                stopped.stopReason?.code === 'tenant-terminated',
              `job ${result.status}; globex ${stopped.status}, ${stopped.applied} applied + ${stopped.failed} failed, ` +
                `reason ${JSON.stringify(stopped.stopReason)}`,
            ),
            othersCompleteCheck(scene, result, globex, params.perTenant, 'the other tenants apply everything'),
            check(
              "the report lists globex's unapplied assignments with the reason",
              codes.length === 1 && codes[0] === 'tenant-terminated' && stopped.failed > 0,
              `globex failures reported with codes: ${codes.join(', ') || 'none'}`,
            ),
            accountedCheck(measured),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            'The job reads what a terminated tenant applied by querying its last run (Temporal replays a closed run ' +
              'to answer); batches in flight at the moment of termination are reported as not confirmed.',
          ],
        };
      },
    ),
};

export const jobTerminated: Scenario<ContainmentParams> = {
  id: 13,
  title: 'the job terminated mid-job with the Temporal CLI',
  full: { perTenant: 400 },
  ci: { perTenant: 150 },
  run: (suite, params) =>
    inScene(
      suite,
      'job terminated',
      { orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: 20 } })) },
      async (scene) => {
        const { world } = scene;
        const tenants = TENANT_NAMES.map((name) => world.tenant(name));
        const rows = rowsFor(world, TENANT_NAMES, params.perTenant, 'jobterm');
        const { before, input } = await openJob(scene, rows, {
          // Two places for three tenants: one is still queued when the job ends.
          job: { batchSize: 1, maxActiveTenants: 2 },
          until: { what: 'a fifth done', applied: (params.perTenant * 3) / 5, of: tenants, timeoutMs: 120_000 },
        });
        await terminateWithCli(scene, input.jobId, 'stopped by an operator');
        const terminatedAt = scene.applied(tenants);
        const measured = await measureJob(scene, input.jobId, rows, before);
        const { figures, result } = measured;
        const settledAfter = scene.applied(tenants) - terminatedAt;
        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each, at most 2 ` +
              `tenants at once; one worker process.`,
            `\`temporal workflow terminate\` on the job workflow when ${terminatedAt} assignments were applied.`,
          ],
          checks: [
            check(
              'its tenants stop as on a cancel (parent-close policy REQUEST_CANCEL)',
              result.tenants.every((t) => t.status === 'cancelled' || t.status === 'failed') &&
                result.tenants.some((t) => t.status === 'cancelled'),
              result.tenants
                .map((t) => `${t.tenantId} ${t.status} ${t.applied}/${t.total} (${t.stopReason?.code ?? '-'})`)
                .join(', ') + `; ${settledAfter} more assignments landed after the terminate (requests on the wire)`,
            ),
            check(
              '`status` accounts for every assignment',
              result.applied + result.failed === rows.length,
              `status ${result.status}: ${result.applied} applied + ${result.failed} failed of ${rows.length}`,
            ),
            accountedCheck(measured),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [],
        };
      },
    ),
};

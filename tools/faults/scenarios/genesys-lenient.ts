/**
 * 25. The Genesys writer on a lenient platform: updates applied whatever versions they name (last write wins), so a
 * second update of the same rows would land twice; reads answered from a lagging copy; answers of `…/update` lost;
 * every update processing longer than the tenant's completion timeout; the worker SIGKILLed mid-run. No shift twice,
 * none lost.
 */
import { waitFor } from '../../harness/wait';
import { DEFAULT_SCOPES } from '../../simulator';
import { retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { SHORT_LEASE_JOB, TENANT_NAMES, openJob } from './common';
import { genesysTenants } from './genesys-common';

export interface GenesysLenientParams {
  perTenant: number;
}

const FAULTS = { loseUpdateAnswerRate: 0.15, staleReadRate: 0.5, staleReadMs: 1_500 };
/** Longer than `COMPLETION_TIMEOUT_SECONDS`: the writer's wait for every update ends before the update does. */
const PROCESSING_MS = 3_000;
const COMPLETION_TIMEOUT_SECONDS = 2;
const BATCH_SIZE = 15;

export const genesysLenient: Scenario<GenesysLenientParams> = {
  id: 25,
  title: 'Genesys writer on a lenient platform: no version check, stale reads, lost answers, slow updates, a kill',
  full: { perTenant: 240 },
  ci: { perTenant: 60 },
  run: (suite, params) =>
    inScene(
      suite,
      'genesys lenient',
      {
        orgs: TENANT_NAMES.map((name) =>
          org(
            name,
            {
              profile: 'genesys',
              buSchedules: { versionCheck: 'lenient', processingDelayMs: PROCESSING_MS, faults: FAULTS },
            },
            [...DEFAULT_SCOPES],
          ),
        ),
        writers: Object.fromEntries(
          TENANT_NAMES.map((name) => [
            name,
            {
              writer: 'genesys-schedule-update',
              genesys: { pollSeconds: 0.5, completionTimeoutSeconds: COMPLETION_TIMEOUT_SECONDS },
            },
          ]),
        ),
        limits: Object.fromEntries(TENANT_NAMES.map((name) => [name, { concurrency: 4 }])),
      },
      async (scene) => {
        const {
          tenantIds,
          rows,
          runtimeOf,
          started,
          processing,
          stats: apiStats,
        } = genesysTenants(scene, params.perTenant);
        const updatesNeeded = tenantIds.length * 3 * Math.ceil(params.perTenant / 3 / BATCH_SIZE);

        const { processes, before, input } = await openJob(scene, rows, {
          job: { ...SHORT_LEASE_JOB, batchSize: BATCH_SIZE },
        });
        // Half-way through the updates the job needs, while some are processing.
        const moment = Math.ceil(updatesNeeded / 2);
        await waitFor(`${moment} updates started`, () => started() >= moment, 300_000);
        const processingAtKill = processing();
        await processes[0]!.kill('SIGKILL');
        const killedAt = `${started()} updates started, ${processingAtKill} processing`;
        suite.log(`  kill: ${killedAt}`);
        await scene.readyWorker();
        const measured = await measureJob(scene, input.jobId, rows, before, 900_000);

        const { figures, result } = measured;
        const api = apiStats();
        const sum = (pick: (stats: (typeof api)[number]) => number) =>
          api.reduce((total, stats) => total + pick(stats), 0);
        const operations = tenantIds.flatMap((id) => runtimeOf(id).operationLog());
        const slow = operations.filter(
          (op) => op.finishedAt !== null && op.finishedAt - op.startedAt > COMPLETION_TIMEOUT_SECONDS * 1000,
        ).length;
        const stats = scene.stats();
        const requests = tenantIds.reduce((total, id) => total + (stats[id]?.putRequests ?? 0), 0);
        const status429 = tenantIds.reduce((total, id) => total + (stats[id]?.status429 ?? 0), 0);

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${tenantIds.length} Genesys tenants × ${params.perTenant} assignments over 3 schedules each, ` +
              `batches of ${BATCH_SIZE} (one schedule update each), orgs of the \`genesys\` profile (300 requests a ` +
              'minute) with `versionCheck: lenient`: an update is applied whatever versions it names.',
            `Faults: ${FAULTS.staleReadRate * 100} % of reads answered as the schedule was ${FAULTS.staleReadMs} ms ` +
              `earlier, ${FAULTS.loseUpdateAnswerRate * 100} % of update answers lost, every update processing ` +
              `${PROCESSING_MS} ms against a completion timeout of ${COMPLETION_TIMEOUT_SECONDS} s; the worker was ` +
              'SIGKILLed once half-way and restarted.',
          ],
          checks: [
            check(
              'the faults struck',
              sum((s) => s.staleReadsServed) > 0 && sum((s) => s.updateAnswersLost) > 0 && slow > 0,
              `${sum((s) => s.staleReadsServed)} stale reads served, ${sum((s) => s.updateAnswersLost)} answers lost, ` +
                `${slow} of ${operations.length} updates processed past the completion timeout; kill at: ${killedAt}`,
            ),
            check(
              'the job completes with every assignment applied',
              result.status === 'completed' && result.applied === rows.length && result.failed === 0,
              `status ${result.status}, ${result.applied} applied, ${result.failed} failed of ${result.total}`,
            ),
            check(
              'read-back = input, no shift twice, none lost',
              figures.applied === rows.length && measured.duplicateShifts === 0 && figures.lost === 0,
              `${figures.applied}/${rows.length} rows held as shifts, ${measured.duplicateShifts} duplicate shifts, ` +
                `${figures.lost} lost; ${sum((s) => s.updatesStarted)} updates started for ${updatesNeeded} batches, ` +
                `${sum((s) => s.updatesCompleted)} complete`,
            ),
            retryAfterCheck(scene, figures.violations, `${status429} × 429 of ${requests} requests`),
          ],
          notes: [],
        };
      },
    ),
};

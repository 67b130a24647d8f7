/**
 * 19. The Genesys writer under faults: updates that end `Error`, answers of `…/update` lost, completion events
 * dropped, notification sockets closed, another editor changing the schedules meanwhile (version conflicts), 429s,
 * and worker processes SIGKILLed while updates are processing. Read-back = input, no shift twice, none lost.
 */
import { GENESYS_WEEK } from '../../harness/world';
import { waitFor } from '../../harness/wait';
import { DEFAULT_SCOPES } from '../../simulator';
import { seededRandom } from '../random';
import { retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { SHORT_LEASE_JOB, TENANT_NAMES, openJob, times } from './common';
import { genesysTenants } from './genesys-common';

export interface GenesysWriterParams {
  perTenant: number;
  kills: number;
}

const THROTTLE = { burst: 6, refillPerSecond: 12 };
const FAULTS = {
  errorRate: 0.15,
  dropEventRate: 0.2,
  closeSocketRate: 0.1,
  loseUpdateAnswerRate: 0.1,
  conflictRate: 0.2,
};
const PROCESSING_MS = 200;
/** Another editor changes one of the schedules this often. */
const EDIT_EVERY_MS = 700;
/** All of a tenant's notification sockets are closed by the server this often. */
const DROP_SOCKETS_EVERY_MS = 4_000;
const BATCH_SIZE = 15;

export const genesysWriter: Scenario<GenesysWriterParams> = {
  id: 19,
  title: 'Genesys writer under faults: Error endings, conflicts, lost answers and events, dropped sockets, kills',
  full: { perTenant: 240, kills: 3 },
  ci: { perTenant: 60, kills: 1 },
  run: (suite, params) =>
    inScene(
      suite,
      'genesys writer',
      {
        orgs: TENANT_NAMES.map((name) =>
          org(name, { throttle: THROTTLE, buSchedules: { processingDelayMs: PROCESSING_MS, faults: FAULTS } }, [
            ...DEFAULT_SCOPES,
          ]),
        ),
        writers: Object.fromEntries(
          TENANT_NAMES.map((name) => [
            name,
            { writer: 'genesys-schedule-update', genesys: { pollSeconds: 0.5, completionTimeoutSeconds: 5 } },
          ]),
        ),
        limits: Object.fromEntries(TENANT_NAMES.map((name) => [name, { concurrency: 4 }])),
      },
      async (scene) => {
        const random = seededRandom(suite.seed + 19);
        const {
          tenantIds,
          schedulesOf,
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
        let worker = processes[0]!;

        // Another editor and a flaky socket, until the job ends.
        let edits = 0;
        const editor = setInterval(() => {
          const tenantId = tenantIds[Math.floor(random() * tenantIds.length)]!;
          const scheduleId = schedulesOf(tenantId)[Math.floor(random() * 3)]!;
          const day = Math.floor(random() * 7);
          const startDate = new Date(Date.parse(`${GENESYS_WEEK}T02:00:00Z`) + day * 86_400_000).toISOString();
          if (runtimeOf(tenantId).editElsewhere('bu-1', scheduleId, `elsewhere-${edits}`, startDate)) edits++;
        }, EDIT_EVERY_MS);
        let socketDrops = 0;
        const dropper = setInterval(() => {
          socketDrops += runtimeOf(tenantIds[Math.floor(random() * tenantIds.length)]!).closeSockets();
        }, DROP_SOCKETS_EVERY_MS);

        const killedAt: string[] = [];
        let measured;
        try {
          for (let kill = 1; kill <= params.kills; kill++) {
            const moment = Math.ceil((updatesNeeded * kill) / (params.kills + 1));
            await waitFor(`${moment} updates started`, () => started() >= moment, 240_000);
            const processingAtKill = processing();
            await worker.kill('SIGKILL');
            killedAt.push(`${started()} updates started, ${processingAtKill} processing`);
            suite.log(`  kill ${kill}/${params.kills}: ${killedAt.at(-1)}`);
            worker = await scene.readyWorker();
          }
          measured = await measureJob(scene, input.jobId, rows, before, 600_000);
        } finally {
          clearInterval(editor);
          clearInterval(dropper);
        }
        const { figures, result } = measured;
        const api = apiStats();
        const sum = (field: keyof (typeof api)[number]) =>
          api.reduce((total, stats) => total + (typeof stats[field] === 'number' ? stats[field] : 0), 0);
        const status429 = tenantIds.reduce((total, id) => total + (scene.stats()[id]?.status429 ?? 0), 0);
        const injected = api.reduce((total, stats) => total + (stats.updateErrorReasons.injected ?? 0), 0);

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${tenantIds.length} Genesys tenants × ${params.perTenant} assignments over 3 schedules each, ` +
              `batches of ${BATCH_SIZE} (one schedule update each), against a throttle of ${THROTTLE.burst} then ` +
              `${THROTTLE.refillPerSecond}/s and ${PROCESSING_MS} ms of processing per update.`,
            `Faults: ${FAULTS.errorRate * 100} % of updates end Error, ${FAULTS.loseUpdateAnswerRate * 100} % lose ` +
              `their answer, ${FAULTS.dropEventRate * 100} % lose their event, ${FAULTS.conflictRate * 100} % meet ` +
              `another editor's change while they wait to be processed, ${FAULTS.closeSocketRate * 100} % of ` +
              `events close their socket; every ${DROP_SOCKETS_EVERY_MS / 1000} s a tenant's sockets are closed; every ` +
              `${EDIT_EVERY_MS} ms another editor changes one of the schedules; the worker was SIGKILLed ` +
              `${times(params.kills)} while updates were processing and restarted.`,
          ],
          checks: [
            check(
              'the faults struck',
              injected > 0 &&
                sum('updatesConflicted') > 0 &&
                sum('updateAnswersLost') > 0 &&
                sum('eventsDropped') > 0 &&
                sum('socketsClosedByServer') > 0 &&
                status429 > 0 &&
                killedAt.length === params.kills,
              `${injected} Error endings injected, ${sum('updatesConflicted')} conflicts (${edits} edits elsewhere), ` +
                `${sum('updateAnswersLost')} answers lost, ${sum('eventsDropped')} events dropped, ` +
                `${sum('socketsClosedByServer')} sockets closed by the server (${socketDrops} by the scenario), ` +
                `${status429} × 429; kills at: ${killedAt.join('; ')}`,
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
                `${figures.lost} lost; ${sum('updatesStarted')} updates started, ${sum('updatesCompleted')} complete`,
            ),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            'A retry never re-sends blindly: it waits for the update its attempt started to end, then reads the ' +
              'schedule and sends only what is missing, on the versions just read, so an update built before ' +
              "another one landed is refused as stale. Another editor's change makes updates end Error; the writer " +
              'reads again and goes on.',
          ],
        };
      },
    ),
};

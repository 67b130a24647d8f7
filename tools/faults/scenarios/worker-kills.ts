/** 1. The worker process is SIGKILLed at random moments of one job and restarted each time. */
import { waitFor } from '../../harness/wait';
import { retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { seededRandom, sortedDraws } from '../random';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, SHORT_LEASE_JOB, TENANT_NAMES, openJob, percent, rowsFor } from './common';

export interface WorkerKillParams {
  perTenant: number;
  kills: number;
}

const THROTTLE = { burst: 20, refillPerSecond: 40 };
const LATENCY_MS = 15;

export const workerKills: Scenario<WorkerKillParams> = {
  id: 1,
  title: 'worker SIGKILLed at random moments, restarted',
  full: { perTenant: 300, kills: 10 },
  ci: { perTenant: 80, kills: 3 },
  run: (suite, params) =>
    inScene(
      suite,
      'worker kills',
      { orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })) },
      async (scene) => {
        const rows = rowsFor(scene.world, TENANT_NAMES, params.perTenant, 'k');
        // Moments by progress, not by clock: the job only moves while a worker is up, whatever the start-up time.
        const moments = sortedDraws(seededRandom(suite.seed + 1), params.kills, 0.05, 0.9).map((share) =>
          Math.ceil(share * rows.length),
        );
        const { processes, before, input } = await openJob(scene, rows, { job: SHORT_LEASE_JOB });
        let worker = processes[0]!;
        const killedAt: number[] = [];
        for (const [i, moment] of moments.entries()) {
          await waitFor(`${moment} assignments applied`, () => scene.applied() >= moment, 180_000);
          await worker.kill('SIGKILL');
          killedAt.push(scene.applied());
          suite.log(`  kill ${i + 1}/${moments.length} at ${killedAt.at(-1)}/${rows.length} applied`);
          worker = await scene.readyWorker();
        }
        const measured = await measureJob(scene, input.jobId, rows, before);
        const { figures, result } = measured;

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each, against a ` +
              `throttle of ${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s and ${LATENCY_MS} ms latency; one worker process.`,
            `The worker process was SIGKILLed ${params.kills} times, at seeded random points of progress ` +
              `(${killedAt.map((n) => percent(n, rows.length)).join(', ')} applied), and a new one started each time ` +
              `(${scene.workersSpawned} processes in all); activity heartbeat timeout ${HEARTBEAT_TIMEOUT_MS / 1000} s.`,
          ],
          checks: [
            check(
              `${params.kills} kills, each mid-job`,
              killedAt.length === params.kills && killedAt.every((n) => n < rows.length),
              `applied at each kill: ${killedAt.join(', ')} of ${rows.length}`,
            ),
            check(
              'the job completes with every assignment applied',
              result.status === 'completed' && result.applied === rows.length && result.failed === 0,
              `status ${result.status}, ${result.applied} applied, ${result.failed} failed of ${result.total}`,
            ),
            check(
              'read-back = input',
              figures.applied === rows.length && measured.readBackMismatches === 0 && scene.applied() === rows.length,
              `${figures.applied}/${rows.length} held, ${measured.readBackMismatches} differ from the input, ` +
                `${scene.applied()} stored in all`,
            ),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            `${figures.duplicatePuts} assignment(s) were PUT again after already being applied (activities of a killed ` +
              'worker retried); the API applies them idempotently.',
          ],
        };
      },
    ),
};

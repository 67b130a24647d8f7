/**
 * 3. The Temporal dev server is stopped and started again on the same database file, several times mid-job.
 * The worker process is never restarted by the scenario unless it died (which would be a finding, and is
 * recorded as a failed check).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../../temporal/dev-server';
import { waitFor } from '../../harness/wait';
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { SHORT_LEASE_JOB, TENANT_NAMES, openJob, percent, rowsFor, times } from './common';

export interface ServerRestartParams {
  perTenant: number;
  restarts: number;
}

const THROTTLE = { burst: 20, refillPerSecond: 25 };
const LATENCY_MS = 20;
/** Progress a worker must make after a restart, to count as reconnected. */
const PROGRESS_AFTER_RESTART = 10;

export const serverRestarts: Scenario<ServerRestartParams> = {
  id: 3,
  title: 'Temporal server restarted mid-job on the same database',
  full: { perTenant: 250, restarts: 3 },
  ci: { perTenant: 60, restarts: 1 },
  async run(suite, params) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-faults-server-'));
    const logFile = path.join(dir, 'server.log');
    const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), logFile });
    suite.cleanup.add(() => server.stop());
    try {
      return await inScene(
        suite,
        'server restarts',
        {
          address: server.address,
          orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })),
        },
        async (scene) => {
          scene.addLog('Temporal dev server log', () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''));
          const rows = rowsFor(scene.world, TENANT_NAMES, params.perTenant, 'srv');
          const { processes, before, input } = await openJob(scene, rows, { job: SHORT_LEASE_JOB });
          let worker = processes[0]!;
          const restarts: Array<{
            at: number;
            kill: boolean;
            downSeconds: number;
            workerDied: boolean;
            resumedSeconds: number;
          }> = [];
          for (let i = 0; i < params.restarts; i++) {
            await waitFor(
              'progress before the restart',
              () => scene.applied() >= (rows.length * 0.8 * (i + 1)) / (params.restarts + 1),
              180_000,
            );
            // Alternate a clean stop (SIGTERM) and a crash (SIGKILL) of the server.
            const kill = i % 2 === 1;
            const at = scene.applied();
            const down = Date.now();
            await server.restart({ kill });
            const downSeconds = (Date.now() - down) / 1000;
            const upAgain = Date.now();
            const resumeFrom = scene.applied();
            const exited = () => worker.child.exitCode !== null || worker.child.signalCode !== null;
            const progressed = () => scene.applied() >= Math.min(rows.length, resumeFrom + PROGRESS_AFTER_RESTART);
            await waitFor('progress after the restart (or the worker gone)', () => progressed() || exited(), 120_000);
            // A worker that died with the server is a finding: say so, and start another to see the job through.
            const workerDied = !progressed() && exited();
            if (workerDied) {
              worker = await scene.readyWorker();
              await waitFor('progress after the restart', progressed, 120_000);
            }
            restarts.push({ at, kill, downSeconds, workerDied, resumedSeconds: (Date.now() - upAgain) / 1000 });
            suite.log(
              `  restart ${i + 1}/${params.restarts} at ${at}/${rows.length} applied${workerDied ? ', worker died' : ''}`,
            );
          }
          const measured = await measureJob(scene, input.jobId, rows, before);
          const { figures } = measured;
          const died = restarts.filter((r) => r.workerDied).length;
          const aliveAtEnd = worker.child.exitCode === null && worker.child.signalCode === null;

          return {
            ...figures,
            runs: 1,
            did: [
              `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each (throttle ` +
                `${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s, ${LATENCY_MS} ms latency), on a dev server of its own ` +
                'keeping its state in a SQLite file; one worker process.',
              `The server was stopped and started again on the same file and port ${times(params.restarts)}: ` +
                restarts
                  .map(
                    (r) =>
                      `at ${percent(r.at, rows.length)} applied by ${r.kill ? 'SIGKILL' : 'SIGTERM'} (down ${r.downSeconds.toFixed(1)} s, ` +
                      `progress again ${r.resumedSeconds.toFixed(1)} s after it was up)`,
                  )
                  .join('; ') +
                '.',
            ],
            checks: [
              check(
                'the worker process survives every restart and reconnects by itself',
                died === 0 && aliveAtEnd,
                died === 0 && aliveAtEnd
                  ? `one worker process throughout; it made progress again after each restart and was still running at the end`
                  : `the worker process exited at ${died} of ${restarts.length} restarts and was started again by the ` +
                      `scenario${aliveAtEnd ? '' : '; the last one had exited by the end of the job'}`,
              ),
              allAppliedCheck(measured, rows.length),
              retryAfterCheck(scene, figures.violations),
            ],
            notes: [],
          };
        },
      );
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

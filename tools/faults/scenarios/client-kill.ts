/**
 * 4. The client is SIGKILLed while it follows a job it started; `wfm-bulk watch` reattaches and follows the
 * job to its end. The job never depended on the client.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../harness/cli';
import { sleep, waitFor } from '../../harness/wait';
import { csvOf, spawnCli } from '../cli-process';
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { TENANT_NAMES, percent, rowsFor } from './common';

export interface ClientKillParams {
  perTenant: number;
}

const THROTTLE = { burst: 20, refillPerSecond: 10 };
/** How long the job runs with no client at all before `watch` starts. */
const UNWATCHED_MS = 3_000;

export const clientKill: Scenario<ClientKillParams> = {
  id: 4,
  title: 'client SIGKILLed while watching; watch reattaches',
  full: { perTenant: 150 },
  ci: { perTenant: 60 },
  run: (suite, params) =>
    inScene(
      suite,
      'client kill',
      { orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: 20 } })) },
      async (scene) => {
        const { world } = scene;
        const rows = rowsFor(world, TENANT_NAMES, params.perTenant, 'cli');
        const file = path.join(world.dir, 'client-kill.csv');
        await writeFile(file, csvOf(rows.map((row) => ({ ...row }))));
        const jobId = `client-kill-${world.suffix}`;
        await scene.readyWorker();
        const before = scene.stats();

        const client = spawnCli(['start', file, '--job-id', jobId, '--batch-size', '1'], world.env);
        suite.cleanup.add(() => client.kill());
        scene.addLog('output of the killed `wfm-bulk start`', () => client.output());
        scene.trackJob(jobId);
        await waitFor(
          'the client following a third of the job',
          () => client.output().includes(`started job ${jobId}`) && scene.applied() >= rows.length / 3,
          120_000,
        );
        await client.kill('SIGKILL');
        const killedAt = scene.applied();
        const followedBeforeKill = /done · applied/.test(client.output());
        const { status } = await world.client.workflow.getHandle(jobId).describe();
        await sleep(UNWATCHED_MS);
        const unwatchedProgress = scene.applied() - killedAt;

        const watch = await runCli(['watch', jobId, '--interval', '1'], world.env, { timeoutMs: 300_000 });
        scene.addLog('output of `wfm-bulk watch`', () => watch.stdout + watch.stderr);
        const measured = await measureJob(scene, jobId, rows, before);
        const { figures } = measured;
        const summary = `job ${jobId} completed: ${rows.length} applied, 0 failed of ${rows.length}`;

        return {
          ...figures,
          runs: 1,
          did: [
            `\`wfm-bulk start\` (no --detach) on a CSV of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, ` +
              `one PUT each, with one worker process; the client was SIGKILLed at ${percent(killedAt, rows.length)} applied.`,
            `The job ran ${UNWATCHED_MS / 1000} s with no client at all; then \`wfm-bulk watch ${'<jobId>'}\` followed it to the end.`,
          ],
          checks: [
            check(
              'the client was following the job when it was killed',
              followedBeforeKill && client.child.signalCode === 'SIGKILL',
              `progress lines printed before the kill: ${followedBeforeKill ? 'yes' : 'no'}; ended by ${client.child.signalCode ?? client.child.exitCode}`,
            ),
            check(
              'the job goes on without any client',
              status.name === 'RUNNING' && unwatchedProgress > 0,
              `job ${status.name} after the kill; ${unwatchedProgress} assignments applied in the ${UNWATCHED_MS / 1000} s nobody watched`,
            ),
            check(
              '`watch` reattaches and follows to the end with exit code 0',
              watch.code === 0 && watch.stdout.includes(summary),
              `exit code ${watch.code}; ${watch.stdout.includes(summary) ? `printed "${summary}"` : `last output: ${watch.stdout.trim().split('\n').slice(-3).join(' | ')}`}`,
            ),
            allAppliedCheck(measured, rows.length, 'every assignment applied'),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [],
        };
      },
    ),
};

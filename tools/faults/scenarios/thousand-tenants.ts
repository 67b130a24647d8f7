/**
 * 11. A job of 1,000 tenants on ONE worker process, against a dev server with Temporal's default limits
 * (per-namespace pollers and rates): Workers are made only for tenants with work and at most `maxActiveTenants`
 * run at once, so no poll is refused and every assignment lands.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { peakRssMb } from '../../bench/rss';
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';
import { DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS, HOLD_HEARTBEAT_THROTTLE_MS } from '../../../contracts/timing';
import { startDevServer } from '../../temporal/dev-server';
import { allAppliedCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { rowsFor } from './common';

export interface ThousandTenantParams {
  tenants: number;
  perTenant: number;
}

/** What the server says when a namespace has more polls open than it allows. */
const REFUSED_POLLS = /ResourceExhausted|poller limit/i;

export const thousandTenants: Scenario<ThousandTenantParams> = {
  id: 11,
  title: '1,000 tenants on one worker process, Temporal’s default limits',
  full: { tenants: 1_000, perTenant: 5 },
  ci: { tenants: 120, perTenant: 2 },
  run: async (suite, params) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-faults-1000-'));
    const serverLog = path.join(dir, 'dev-server.log');
    const server = await startDevServer({ defaultLimits: true, logFile: serverLog });
    suite.cleanup.add(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const names = Array.from({ length: params.tenants }, (_, i) => `o${i + 1}`);
    return inScene(
      suite,
      '1,000 tenants',
      {
        address: server.address,
        orgs: names.map((name) => org(name, { throttle: null, faults: { latencyMs: 10 } })),
      },
      async (scene) => {
        const rows = rowsFor(scene.world, names, params.perTenant, 'm');
        const startedAt = Date.now();
        const worker = await scene.readyWorker();
        const startUpSeconds = (Date.now() - startedAt) / 1000;
        const rssAtStart = peakRssMb(worker.child.pid);
        const input = await scene.startJob(rows, { batchSize: params.perTenant });
        const measured = await measureJob(scene, input.jobId, rows, {}, 1_800_000);
        const jobSeconds = (Date.now() - startedAt) / 1000 - startUpSeconds;
        const peakRss = peakRssMb(worker.child.pid);
        await worker.kill('SIGTERM');
        const refused = worker
          .output()
          .split('\n')
          .filter((line) => REFUSED_POLLS.test(line));
        const delay = /event loop delay max (\d+) ms, p99 (\d+) ms/.exec(worker.output());
        const maxDelayMs = delay ? Number(delay[1]) : undefined;
        // A hold's heartbeat reaches the server at most every 2 s (its Worker's throttle) plus how late the timer ran.
        const worstGapMs = maxDelayMs === undefined ? undefined : HOLD_HEARTBEAT_THROTTLE_MS + maxDelayMs;

        return {
          ...measured.figures,
          runs: 1,
          did: [
            `A tenants file of ${params.tenants} tenants and one job of ${params.tenants} tenants × ${params.perTenant} ` +
              `assignments (one PUT each), on one worker process, against a dev server started with Temporal's ` +
              `default dynamic config; at most ${DEFAULT_JOB_OPTIONS.maxActiveTenants} tenants at once (the default).`,
          ],
          checks: [
            allAppliedCheck(measured, rows.length),
            check(
              'no poll refused (no ResourceExhausted in the worker’s log)',
              refused.length === 0,
              refused.length === 0 ? 'none' : `${refused.length} line(s), first: ${refused[0]!.slice(0, 300)}`,
            ),
            check(
              'the saturated worker’s heartbeats stay well inside the hold’s heartbeat timeout',
              worstGapMs !== undefined && worstGapMs * 2 <= DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
              delay
                ? `event loop delay max ${delay[1]} ms (p99 ${delay[2]} ms): a heartbeat gap of at most ` +
                    `${worstGapMs} ms against a ${DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS / 1000} s timeout`
                : 'the worker did not report its event loop delay',
            ),
          ],
          notes: [
            `The worker started in ${startUpSeconds.toFixed(1)} s at ${rssAtStart ?? '?'} MB resident; peak resident ` +
              `memory over the job ${peakRss ?? '?'} MB; the job took ${jobSeconds.toFixed(0)} s.`,
          ],
        };
      },
    );
  },
};

/**
 * 29. Many big tenants on one worker process (200 tenants × 20,000 assignments): the process reads each tenant's
 * items a chunk at a time and keeps a bounded cache of them, so its memory does not grow with the items, and
 * decoding them never holds its event loop for long (heartbeats and sockets wait behind it).
 */
import { metricNames } from '../../../activities/metrics';
import { SAMPLE_PROCESS_EVERY_MS } from '../../../activities/tenant-runtime';
import { currentRssMb, peakRssMb } from '../../bench/rss';
import { freePort } from '../../temporal/dev-server';
import { metricSum } from '../rates';
import { awaitJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { heldFigures, rowsFor } from './common';

export interface LargeItemsParams {
  tenants: number;
  perTenant: number;
  /** Tenants per job: the items come as several files, each a job (one file of millions of rows is not a use). */
  tenantsPerJob: number;
}

/** The worker's peak resident memory over the jobs, MB: its Workers and their pollers, plus a bounded cache. */
const PEAK_RSS_MB = 1_024;
/** The longest the event loop may stall (the worker's own measure): well inside a write's 10 s heartbeat timeout. */
const MAX_LOOP_DELAY_MS = 1_000;
const BATCH_SIZE = 50;

export const largeItems: Scenario<LargeItemsParams> = {
  id: 29,
  title: 'Many big tenants on one worker process: memory bounded, the event loop never held long',
  full: { tenants: 200, perTenant: 20_000, tenantsPerJob: 20 },
  ci: { tenants: 20, perTenant: 2_000, tenantsPerJob: 10 },
  run: (suite, params) => {
    const names = Array.from({ length: params.tenants }, (_, i) => `b${i + 1}`);
    return inScene(
      suite,
      'large items',
      {
        orgs: names.map((name) => org(name, { throttle: null, faults: { latencyMs: 5 } })),
        limits: Object.fromEntries(names.map((name) => [name, { concurrency: 4 }])),
      },
      async (scene) => {
        const port = await freePort();
        const metrics = `http://127.0.0.1:${port}/metrics`;
        const worker = await scene.readyWorker({ WFM_METRICS_ADDRESS: `127.0.0.1:${port}` });
        const rssAtStart = peakRssMb(worker.child.pid);
        const startedAt = Date.now();
        // Where the memory is while the jobs run: the JavaScript heap in use, the memory held outside it, and the
        // process's whole RSS, as the worker's gauges have them (sampled every 2 s); the largest of each.
        const peaks = { heapMb: 0, externalMb: 0, rssMb: 0 };
        const sampler = setInterval(() => {
          void Promise.all([
            metricSum(metrics, metricNames.heapUsedBytes),
            metricSum(metrics, metricNames.externalBytes),
          ])
            .then(([heap, external]) => {
              peaks.heapMb = Math.max(peaks.heapMb, Math.round(heap / 2 ** 20));
              peaks.externalMb = Math.max(peaks.externalMb, Math.round(external / 2 ** 20));
              peaks.rssMb = Math.max(peaks.rssMb, currentRssMb(worker.child.pid) ?? 0);
            })
            .catch(() => undefined); // a reading missed is a reading fewer
        }, SAMPLE_PROCESS_EVERY_MS);
        // Every job started before any is awaited: all the tenants run together. Rows are made a job at a time
        // and not kept (millions of them), so the check counts what the API holds instead of comparing rows.
        const jobs: string[] = [];
        let chunks = 0;
        for (let from = 0; from < names.length; from += params.tenantsPerJob) {
          const rows = rowsFor(scene.world, names.slice(from, from + params.tenantsPerJob), params.perTenant, 'L');
          const input = await scene.startJob(rows, { batchSize: BATCH_SIZE });
          chunks += input.tenants.reduce((sum, plan) => sum + (plan.itemChunks?.refs.length ?? 0), 0);
          jobs.push(input.jobId);
        }
        const results = [];
        try {
          for (const jobId of jobs) results.push(await awaitJob(scene.world.client, jobId, 3_600_000));
        } finally {
          clearInterval(sampler);
        }
        const jobSeconds = (Date.now() - startedAt) / 1000;
        const peakRss = peakRssMb(worker.child.pid);
        await worker.kill('SIGTERM');
        const delay = /event loop delay max (\d+) ms, p99 (\d+) ms/.exec(worker.output());
        const maxDelayMs = delay ? Number(delay[1]) : undefined;

        const total = params.tenants * params.perTenant;
        const tenantIds = names.map((name) => scene.world.tenant(name));
        const reportedApplied = results.reduce((all, result) => all + result.applied, 0);
        const reportedFailed = results.reduce((all, result) => all + result.failed, 0);
        const figures = heldFigures(scene, tenantIds, total, reportedFailed);
        const held = figures.applied;
        return {
          ...figures,
          runs: 1,
          did: [
            `${jobs.length} jobs started together, of ${params.tenantsPerJob} tenants × ${params.perTenant} ` +
              `assignments each (${total} in all, ${chunks} stored chunks), ${BATCH_SIZE} a PUT, 4 PUTs at once a ` +
              'tenant, on one worker process with its default items cache (128 MB).',
          ],
          checks: [
            check(
              'every job completes with every assignment applied',
              results.every((result) => result.status === 'completed') && held === total && reportedApplied === total,
              `${held}/${total} held by the API, ${reportedApplied} reported applied, statuses ` +
                `${[...new Set(results.map((result) => result.status))].join(', ')}`,
            ),
            check(
              `the worker's peak resident memory ≤ ${PEAK_RSS_MB} MB`,
              peakRss != null && peakRss <= PEAK_RSS_MB,
              `${peakRss ?? '?'} MB (${rssAtStart ?? '?'} MB when ready)`,
            ),
            check(
              `the event loop never held longer than ${MAX_LOOP_DELAY_MS} ms`,
              maxDelayMs !== undefined && maxDelayMs <= MAX_LOOP_DELAY_MS,
              delay ? `max ${delay[1]} ms, p99 ${delay[2]} ms` : 'the worker did not report its event loop delay',
            ),
          ],
          notes: [
            `The jobs took ${jobSeconds.toFixed(0)} s: ${Math.round(total / jobSeconds)} assignments a second.`,
            `Where the memory is, the largest readings every ${SAMPLE_PROCESS_EVERY_MS / 1000} s: JavaScript heap ` +
              `in use ${peaks.heapMb} MB, held outside the heap ${peaks.externalMb} MB, RSS ${peaks.rssMb} MB.`,
          ],
        };
      },
    );
  },
};

/**
 * 27. One worker process serves job after job on the same tenants, as a long-lived deployment does: what it keeps
 * open stays flat (its memory, the handles and timers that keep Node alive, the tenants it keeps state for), so a
 * process that runs for weeks does not creep towards its limits.
 */
import { metricNames } from '../../../activities/metrics';
import { SAMPLE_PROCESS_EVERY_MS } from '../../../activities/tenant-runtime';
import { sleep } from '../../harness/wait';
import { openFileDescriptors } from '../../harness/process-stats';
import { freePort } from '../../temporal/dev-server';
import { currentRssMb } from '../../bench/rss';
import { metricSum } from '../rates';
import { awaitJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { heldFigures, rowsFor } from './common';

export interface SoakParams {
  jobs: number;
  tenants: number;
  /** Assignments per tenant of each job. */
  perTenant: number;
}

/** Memory may settle upwards early (code compiled, caches filled): the later jobs' peak against the earlier ones'. */
const RSS_GROWTH_ALLOWED = 1.25;
/** Node's active resources move with what is in flight at the moment they are read: a few either way. */
const RESOURCES_SLACK = 10;

interface Reading {
  rssMb: number;
  /** Open file descriptors (sockets, files, pipes) of the process, from /proc. */
  fds: number;
  activeResources: number;
  runtimesOpen: number;
  /** The JavaScript heap in use and the memory held outside it, MB. */
  heapMb: number;
  externalMb: number;
}

const MB = 1024 * 1024;
/** Past the API's keep-alive (5 s) and a sampling of the gauges (`SAMPLE_PROCESS_EVERY_MS`). */
const AT_REST_MS = 5_000 + SAMPLE_PROCESS_EVERY_MS + 1_000;

/** Sockets come and go with connections kept alive: a few either way. */
const FDS_SLACK = 10;

export const soak: Scenario<SoakParams> = {
  id: 27,
  title: 'Job after job on one worker process: memory, handles and tenants kept stay flat',
  full: { jobs: 20, tenants: 50, perTenant: 4 },
  ci: { jobs: 6, tenants: 10, perTenant: 3 },
  run: (suite, params) => {
    const names = Array.from({ length: params.tenants }, (_, i) => `s${i + 1}`);
    return inScene(
      suite,
      'soak',
      {
        orgs: names.map((name) => org(name, { throttle: null, faults: { latencyMs: 5 } })),
        limits: Object.fromEntries(names.map((name) => [name, { concurrency: 3 }])),
      },
      async (scene) => {
        const port = await freePort();
        const metrics = `http://127.0.0.1:${port}/metrics`;
        const worker = await scene.readyWorker({ WFM_METRICS_ADDRESS: `127.0.0.1:${port}` });
        const tenantIds = names.map((name) => scene.world.tenant(name));
        const readings: Reading[] = [];
        let reportedApplied = 0;
        let reportedFailed = 0;
        let total = 0;
        for (let job = 0; job < params.jobs; job++) {
          const rows = rowsFor(scene.world, names, params.perTenant, `soak${job}`);
          const input = await scene.startJob(rows, { batchSize: 1 });
          const result = await awaitJob(scene.world.client, input.jobId, 600_000);
          reportedApplied += result.applied;
          reportedFailed += result.failed;
          total += rows.length;
          // Read at rest, as the process would stand between jobs: its kept-alive sockets closed and its gauges
          // sampled since (read mid-job, they count whatever happens to be open at that instant).
          await sleep(AT_REST_MS);
          readings.push({
            rssMb: currentRssMb(worker.child.pid) ?? 0,
            fds: openFileDescriptors(worker.child.pid) ?? 0,
            activeResources: await metricSum(metrics, metricNames.activeResources),
            runtimesOpen: await metricSum(metrics, metricNames.tenantRuntimesOpen),
            heapMb: Math.round((await metricSum(metrics, metricNames.heapUsedBytes)) / MB),
            externalMb: Math.round((await metricSum(metrics, metricNames.externalBytes)) / MB),
          });
        }
        const figures = heldFigures(scene, tenantIds, total, reportedFailed);
        const held = figures.applied;
        const half = Math.floor(readings.length / 2);
        const early = readings.slice(0, half);
        const late = readings.slice(half);
        const most = (list: Reading[], field: keyof Reading) => Math.max(...list.map((reading) => reading[field]));
        const series = (field: keyof Reading) => readings.map((reading) => reading[field]).join(', ');
        return {
          ...figures,
          runs: params.jobs,
          did: [
            `${params.jobs} jobs one after another on one worker process, each of ${params.tenants} tenants × ` +
              `${params.perTenant} assignments, one PUT each; after each job the process's resident memory and its ` +
              'gauges `wfm_node_active_resources` and `wfm_tenant_runtimes_open` were read.',
          ],
          checks: [
            check(
              'every job applied every assignment',
              held === total && reportedApplied === total,
              `${held}/${total} held by the API, ${reportedApplied} reported applied`,
            ),
            check(
              `memory flat: the later jobs' highest RSS ≤ ${RSS_GROWTH_ALLOWED} × the earlier ones'`,
              most(late, 'rssMb') <= RSS_GROWTH_ALLOWED * most(early, 'rssMb'),
              `RSS after each job (MB): ${series('rssMb')}`,
            ),
            check(
              `handles flat: the later jobs' most open file descriptors ≤ the earlier ones' + ${FDS_SLACK}, and ` +
                `Node's active resources ≤ the earlier ones' + ${RESOURCES_SLACK}`,
              most(late, 'fds') <= most(early, 'fds') + FDS_SLACK &&
                most(late, 'activeResources') <= most(early, 'activeResources') + RESOURCES_SLACK,
              `open file descriptors after each job: ${series('fds')}; active resources: ${series('activeResources')}`,
            ),
            check(
              'tenants kept: never more than the tenants served',
              most(readings, 'runtimesOpen') <= params.tenants,
              `tenant runtimes open after each job: ${series('runtimesOpen')}`,
            ),
          ],
          notes: [
            `Where the memory is: JavaScript heap in ` +
              `use after each job (MB) ${series('heapMb')}; outside the heap ${series('externalMb')}.`,
            'A tenant nobody has used in a process for 5 minutes is let go there (its token cache, gate and Genesys ' +
              'channel); the jobs here follow each other closely, so the same tenants stay open throughout, and the ' +
              'unit tests (`test/unit/activities/tenant-runtimes-eviction.test.ts`) show the letting go.',
          ],
        };
      },
    );
  },
};

/**
 * 10. An API whose 429s say "retry after 60 s", as the real platform's do, met by many batches in flight at once
 * (the tenants file promises far more than the API allows), with the default attempt budget: every 60 s window is
 * honoured, no batch fails, every assignment lands.
 */
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { openJob, rowsFor } from './common';

export interface LongRetryAfterParams {
  items: number;
  /** Batches in flight at once: each meets the 429 when the bucket runs dry. */
  concurrency: number;
  /** The fewest 429s the job must meet for the scenario to mean something. */
  least429s: number;
  /** The fewest 60 s windows they must fall in: the windows, each honoured, are what the scenario is about. */
  leastWindows: number;
}

const RETRY_AFTER_S = 60;
/** A bucket smaller than the batches in flight: most of the first wave meets the 429 together. */
const THROTTLE = { burst: 5, refillPerSecond: 10, retryAfterSeconds: RETRY_AFTER_S };
const CONFIGURED_RATE = 100;

export const longRetryAfter: Scenario<LongRetryAfterParams> = {
  id: 10,
  title: 'Retry-After of 60 s met by batches in flight; default attempts',
  // Few 429s need be met: the slow start lets out only as many as answers read allow, so the 35 in flight meet
  // the 60 s windows a few at a time (7 to 16 per run); what matters is that several windows are met, each honoured.
  full: { items: 35, concurrency: 35, least429s: 5, leastWindows: 3 },
  ci: { items: 20, concurrency: 20, least429s: 3, leastWindows: 2 },
  run: (suite, params) =>
    inScene(
      suite,
      'long Retry-After',
      {
        orgs: [org('acme', { throttle: THROTTLE, faults: { latencyMs: 20 } })],
        // A rate far above the API's: the whole window goes out at once into a bucket of 5.
        limits: {
          acme: { concurrency: params.concurrency, ratePerSecond: CONFIGURED_RATE, burst: params.concurrency },
        },
      },
      async (scene) => {
        const rows = rowsFor(scene.world, ['acme'], params.items, 'l');
        const tenantId = scene.world.tenant('acme');
        const { processes, before, input } = await openJob(scene, rows);
        const measured = await measureJob(scene, input.jobId, rows, before, 1_800_000);
        await processes[0]!.kill('SIGTERM');
        const { figures, result } = measured;
        const stats = scene.stats()[tenantId]!;
        const log = scene.world.sim.state.requestLog(tenantId);
        const saidSeconds = Math.max(0, ...log.map((record) => record.retryAfterSeconds ?? 0));
        const windows = new Set(
          log.filter((record) => record.status === 429).map((record) => Math.floor(record.at / 1000 / RETRY_AFTER_S)),
        ).size;

        return {
          ...figures,
          runs: 1,
          did: [
            `One tenant, ${params.items} assignments one PUT each, ${params.concurrency} in flight at once, against an ` +
              `API of ${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s whose every 429 says Retry-After ` +
              `${RETRY_AFTER_S} s (and holds it); the tenants file says ${CONFIGURED_RATE}/s with a burst of ` +
              `${params.concurrency}, far above what the API allows; the default ${DEFAULT_JOB_OPTIONS.maxAttempts} ` +
              'attempts per batch.',
          ],
          checks: [
            check(
              `the API answered at least ${params.least429s} × 429 in at least ${params.leastWindows} windows, ` +
                `each saying ${RETRY_AFTER_S} s`,
              stats.status429 >= params.least429s && windows >= params.leastWindows && saidSeconds === RETRY_AFTER_S,
              `${stats.status429} × 429 of ${stats.putRequests} PUTs over about ${windows} window(s); longest Retry-After ${saidSeconds} s`,
            ),
            allAppliedCheck(measured, rows.length),
            check(
              'no batch failed for throttling',
              result.failed === 0,
              `${result.failed} failed; ${result.tenants[0]?.throttled ?? 0} × 429 counted by the tenant workflow`,
            ),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            `Each 429 cost the batch no attempt and held the whole tenant for ${RETRY_AFTER_S} s: the batches in ` +
              'flight went back to Temporal with the Retry-After as their next retry delay; the first back after the ' +
              'window went alone as the probe. Requests that had passed the gate but were still waiting for a ' +
              'connection when a 429 was read were held back unsent. The slow start holds even with the configured ' +
              'rate: the requests out at once grow with the answers read, so a worker still slow to read its sockets ' +
              'cannot write the whole burst past a 429 that has arrived.',
            `The job takes several windows: with every 429 saying ${RETRY_AFTER_S} s, the pacer halves the ` +
              'configured rate at most once per 429, so it needs a few windows to come down to what the API allows.',
          ],
        };
      },
    ),
};

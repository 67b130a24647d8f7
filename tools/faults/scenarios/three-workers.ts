/**
 * 9. Three worker processes share a job of throttled tenants whose limits are learned from 429s alone, one of
 * them with Retry-After windows of 10 s; the process serving the most tenants is SIGKILLed mid-job and not
 * replaced. Every tenant's limits hold across the processes and the hand-over: nothing lost, no request inside a
 * Retry-After window, no batch failed for throttling.
 */
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { killBusiest, resumedAfter } from '../hand-over';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, SHORT_LEASE_JOB, openJob, percent, rowsFor } from './common';

export interface ThreeWorkerParams {
  /** Tenants with the common throttle. */
  tenants: number;
  perTenant: number;
  /** Assignments of the slow tenant. */
  slowItems: number;
}

const THROTTLE = { burst: 10, refillPerSecond: 2 };
/** Retry-After windows of 10 s: a token every 10 s once its burst is spent. */
const SLOW_THROTTLE = { burst: 5, refillPerSecond: 0.1 };
const CONCURRENCY = 5;
const LATENCY_MS = 20;
const PROCESSES = 3;
/** A tenant of the killed process must send again within this long of the kill. */
const HAND_OVER_LIMIT_MS = HEARTBEAT_TIMEOUT_MS + 15_000;

export const threeWorkers: Scenario<ThreeWorkerParams> = {
  id: 9,
  title: 'three worker processes, limits learned, one SIGKILLed; every limit holds',
  full: { tenants: 10, perTenant: 200, slowItems: 12 },
  ci: { tenants: 4, perTenant: 40, slowItems: 7 },
  run: (suite, params) => {
    const names = Array.from({ length: params.tenants }, (_, i) => `t${i + 1}`);
    return inScene(
      suite,
      'three workers',
      {
        orgs: [
          ...names.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })),
          org('slow', { throttle: SLOW_THROTTLE, faults: { latencyMs: LATENCY_MS } }),
        ],
        limits: Object.fromEntries([...names, 'slow'].map((name) => [name, { concurrency: CONCURRENCY }])),
      },
      async (scene) => {
        const world = scene.world;
        const rows = [
          ...rowsFor(world, names, params.perTenant, 'w'),
          ...rowsFor(world, ['slow'], params.slowItems, 'w'),
        ];
        const tenantIds = [...names, 'slow'].map((name) => world.tenant(name));
        const fastTotal = names.length * params.perTenant;
        const { processes, before, input } = await openJob(scene, rows, {
          processes: Array.from({ length: PROCESSES }, () => ({})),
          job: SHORT_LEASE_JOB,
          until: { what: '30 % of the job', applied: fastTotal * 0.3, of: tenantIds.slice(0, -1), timeoutMs: 180_000 },
        });

        const appliedAtKill = scene.applied();
        const handOver = await killBusiest(scene, input.jobId, processes, rows);
        const survivors = processes.filter((process) => process !== handOver.victim).map((p) => p.workerId());
        await handOver.settled;
        const measured = await measureJob(scene, input.jobId, rows, before, 900_000);
        await Promise.all(processes.map((process) => process.kill('SIGTERM')));
        const { figures, failures } = measured;

        const stats = scene.stats();
        const resumed = resumedAfter(scene, handOver);
        const fastResumed = resumed.filter((entry) => entry.tenantId !== world.tenant('slow'));
        const slowest = Math.max(0, ...fastResumed.map((entry) => entry.ms));
        const throttleFailures = failures.filter((failure) =>
          ['RateLimited', 'CoolingDown', 'throttle-budget-exhausted'].includes(failure.reason.code),
        );
        const sent = tenantIds.reduce((sum, id) => sum + stats[id]!.putRequests, 0);
        const throttled = tenantIds.reduce((sum, id) => sum + stats[id]!.status429, 0);
        const peaks = tenantIds.map((id) => stats[id]!.peakConcurrency);
        const short = (id: string) => id.slice(0, -world.suffix.length - 1);

        return {
          ...figures,
          runs: 1,
          did: [
            `One job, one PUT per assignment: ${names.length} tenants × ${params.perTenant} assignments against an API ` +
              `of ${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s, and one slow tenant of ${params.slowItems} ` +
              `against ${SLOW_THROTTLE.burst} then ${SLOW_THROTTLE.refillPerSecond}/s (Retry-After 10 s); no rate in the ` +
              `tenants file (learned from 429s), concurrency ${CONCURRENCY}, ${LATENCY_MS} ms latency.`,
            `${PROCESSES} worker processes; at ${percent(appliedAtKill, rows.length)} applied the one serving the most ` +
              `tenants (${handOver.tenants.length}: ${handOver.tenants.map(short).join(', ') || 'none'}) was SIGKILLed and ` +
              `not replaced; hold heartbeat timeout ${HEARTBEAT_TIMEOUT_MS / 1000} s.`,
          ],
          checks: [
            check(
              'the killed process was serving tenants',
              handOver.tenants.length > 0,
              `unfinished tenants per process before the kill: ${handOver.perProcess.join(', ')}`,
            ),
            check(
              `its tenants moved to a survivor and sent again within ${HAND_OVER_LIMIT_MS / 1000} s`,
              fastResumed.every((entry) => entry.ms <= HAND_OVER_LIMIT_MS) &&
                [...handOver.movedTo.values()].every((worker) => survivors.includes(worker)),
              `first request after the kill: ${resumed.map((entry) => `${short(entry.tenantId)} ${(entry.ms / 1000).toFixed(1)} s`).join(', ')}; ` +
                `${handOver.movedTo.size} seen served by a survivor`,
            ),
            allAppliedCheck(measured, rows.length),
            check(
              'no batch failed for throttling',
              throttleFailures.length === 0 && measured.result.failed === 0,
              `${throttleFailures.length} assignment(s) failed with a throttling reason; ${throttled} × 429 of ${sent} PUTs`,
            ),
            check(
              `peak concurrency ≤ ${CONCURRENCY} for every tenant, across the processes`,
              peaks.every((peak) => peak <= CONCURRENCY),
              `peaks: ${peaks.join(', ')}`,
            ),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            `Hand-over: the killed process's fast tenants sent again after at most ${(slowest / 1000).toFixed(1)} s ` +
              `(heartbeat timeout of the hold ${HEARTBEAT_TIMEOUT_MS / 1000} s, then a survivor takes the hold and the ` +
              'batches that were in flight on the dead process are sent again there).',
            `429 share ${percent(throttled, sent)} (${throttled} of ${sent} PUTs), all tenants learning their limit ` +
              'from 429s alone; the API applied re-sent assignments idempotently ' +
              `(${figures.duplicatePuts} repeated PUTs).`,
          ],
        };
      },
    );
  },
};

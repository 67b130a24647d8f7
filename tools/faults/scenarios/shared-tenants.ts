/**
 * 20. Several jobs write to the same tenants at once (a second push while the first runs, two operators), on three
 * worker processes: one lease per tenant decides for all of them, so each tenant's concurrency cap and Retry-After
 * windows hold across the jobs, and the jobs share the tenant fairly: those started together finish together, and
 * a small job started later is not stuck behind them.
 */
import { addFigures, NO_FIGURES, check, type Scenario } from '../types';
import { waitFor } from '../../harness/wait';
import { leaseCheck, peakCheck, retryAfterCheck } from '../checks';
import { awaitJob, measureJob } from '../measure';
import { inScene, org } from '../scene';
import { SHORT_LEASE_JOB, percent, rowsFor } from './common';

export interface SharedTenantsParams {
  /** Assignments per tenant of each job started together. */
  perTenant: number;
  /** Assignments per tenant of the small job started once they are under way. */
  smallPerTenant: number;
}

const TENANTS = ['t1', 't2', 't3', 't4'];
const JOBS = 3;
const PROCESSES = 3;
const CONCURRENCY = 4;
/** A small bucket whose 429s say "retry after 3 s": windows of several seconds, met by batches of three jobs. */
const THROTTLE = { burst: 6, refillPerSecond: 4, retryAfterSeconds: 3 };
/** High enough that several requests of a tenant are out at once, so its concurrency cap shows. */
const LATENCY_MS = 250;

export const sharedTenants: Scenario<SharedTenantsParams> = {
  id: 20,
  title: 'several jobs on the same tenants at once: one lease each, limits and Retry-After across jobs, fair shares',
  full: { perTenant: 80, smallPerTenant: 6 },
  ci: { perTenant: 24, smallPerTenant: 3 },
  run: (suite, params) =>
    inScene(
      suite,
      'jobs on the same tenants',
      {
        orgs: TENANTS.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })),
        limits: Object.fromEntries(TENANTS.map((name) => [name, { concurrency: CONCURRENCY }])),
      },
      async (scene) => {
        const world = scene.world;
        const tenantIds = TENANTS.map((name) => world.tenant(name));
        await Promise.all(Array.from({ length: PROCESSES }, () => scene.readyWorker()));
        const before = scene.stats();
        const options = SHORT_LEASE_JOB;
        const bigRows = Array.from({ length: JOBS }, (_, job) =>
          rowsFor(world, TENANTS, params.perTenant, `j${job + 1}`),
        );
        const startedAt = Date.now();
        const big = await Promise.all(bigRows.map((rows) => scene.startJob(rows, options)));
        const bigDone = big.map((input) => awaitJob(world.client, input.jobId, 900_000).then(() => Date.now()));

        const bigTotal = bigRows.flat().length;
        await waitFor('a fifth of the jobs', () => scene.applied(tenantIds) >= bigTotal * 0.2, 300_000);
        const smallRows = rowsFor(world, TENANTS, params.smallPerTenant, 'small');
        const smallStartedAt = Date.now();
        const appliedAtSmall = scene.applied(tenantIds);
        const small = await scene.startJob(smallRows, options);
        const smallDoneAt = await awaitJob(world.client, small.jobId, 900_000).then(() => Date.now());
        const appliedAtSmallEnd = scene.applied(tenantIds);
        const bigDoneAt = await Promise.all(bigDone);

        const measured = await Promise.all(
          [...big, small].map((input, index) =>
            measureJob(scene, input.jobId, index < JOBS ? bigRows[index]! : smallRows, before),
          ),
        );
        const figures = measured.reduce((sum, m) => addFigures(sum, m.figures), NO_FIGURES);
        const stats = scene.stats();
        const total = (field: 'violations' | 'repeatedAssignmentPuts' | 'status429' | 'putRequests') =>
          tenantIds.reduce((sum, id) => sum + stats[id]![field] - (before[id]?.[field] ?? 0), 0);
        const writers = tenantIds.map((id) => new Set(world.sim.state.requestLog(id).map((r) => r.worker)).size);
        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        const makespan = Math.max(...bigDoneAt) - startedAt;
        const spread = Math.max(...bigDoneAt) - Math.min(...bigDoneAt);
        const smallTook = smallDoneAt - smallStartedAt;
        const allRows = [...bigRows.flat(), ...smallRows];

        return {
          ...figures,
          violations: total('violations'),
          duplicatePuts: total('repeatedAssignmentPuts'),
          runs: JOBS + 1,
          did: [
            `${JOBS} jobs started together, each ${TENANTS.length} tenants × ${params.perTenant} assignments, one PUT ` +
              `each, on the same ${TENANTS.length} tenants, ${PROCESSES} worker processes; each tenant's API ` +
              `${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s with Retry-After ${THROTTLE.retryAfterSeconds} s, ` +
              `${LATENCY_MS} ms latency, concurrency ${CONCURRENCY} in the tenants file, rate learned from 429s.`,
            `At ${percent(appliedAtSmall, bigTotal)} of them, a small job of ${TENANTS.length} × ${params.smallPerTenant} ` +
              'on the same tenants.',
          ],
          checks: [
            check(
              'every job completes with every assignment applied',
              measured.every((m) => m.result.status === 'completed') && figures.applied === allRows.length,
              `${measured.map((m) => m.result.status).join(', ')}; ${figures.applied}/${allRows.length} held`,
            ),
            check(
              "one process wrote each tenant's requests, for all the jobs (one lease per tenant)",
              writers.every((count) => count === 1),
              `processes that wrote per tenant: ${writers.join(', ')}`,
            ),
            peakCheck(scene, tenantIds, CONCURRENCY),
            retryAfterCheck(scene, total('violations'), `${total('status429')} × 429 of ${total('putRequests')} PUTs`),
            leaseCheck(scene, tenantIds),
            check(
              'the jobs started together finish together (fair shares)',
              spread <= makespan * 0.25,
              `finished after ${bigDoneAt.map((at) => seconds(at - startedAt)).join(', ')}: ${seconds(spread)} ` +
                `apart, ${percent(spread, makespan)} of the longest`,
            ),
            check(
              'the small job is not stuck behind them: it finishes while they run',
              smallDoneAt < Math.min(...bigDoneAt),
              `small job ${seconds(smallTook)}, done ${seconds(Math.min(...bigDoneAt) - smallDoneAt)} before the first ` +
                `of the others; they applied ${appliedAtSmallEnd - appliedAtSmall} meanwhile`,
            ),
          ],
          notes: [
            `Each tenant's lease gave the jobs writing to it equal shares of its concurrency ` +
              `(${CONCURRENCY} between ${JOBS}, then ${JOBS + 1} jobs): the three finished ${seconds(spread)} apart ` +
              `after ${seconds(makespan)}, and the small job took ${seconds(smallTook)}.`,
            `${total('status429')} × 429 of ${total('putRequests')} PUTs (${percent(total('status429'), total('putRequests'))}), ` +
              'all jobs paced by one gate per tenant.',
          ],
        };
      },
    ),
};

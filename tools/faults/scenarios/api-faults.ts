/**
 * 5. The API misbehaves: 503s, connection resets, hung responses (far longer than the job's request timeout)
 * and latency spikes; once with the failures striking before the write, once after it (the write took effect
 * but the answer says otherwise, so only idempotency keeps it single).
 */
import type { FaultSettingsInput } from '../../simulator';
import { retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { bucketOverrun, peakInWindow } from '../rates';
import { inScene, org } from '../scene';
import { NO_FIGURES, addFigures, check, type Check, type Scenario } from '../types';
import { TENANT_NAMES, rowsFor } from './common';

export interface ApiFaultParams {
  perTenant: number;
}

const FAULTS = {
  serverErrorRate: 0.05,
  connectionResetRate: 0.02,
  hangRate: 0.01,
  hangMs: 30_000,
  latencyMs: 10,
  latencySpikeRate: 0.05,
  latencySpikeMs: 1_500,
} satisfies FaultSettingsInput;
const REQUEST_TIMEOUT_MS = 2_000;
const THROTTLE = { burst: 30, refillPerSecond: 40 };
/** initech has a configured rate, to see how retries sit with it. */
const RATED_PER_SECOND = 10;

export const apiFaults: Scenario<ApiFaultParams> = {
  id: 5,
  title: 'API fault mix: 503s, resets, hangs, latency spikes',
  full: { perTenant: 200 },
  ci: { perTenant: 60 },
  run: (suite, params) =>
    inScene(
      suite,
      'API faults',
      {
        orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: FAULTS })),
        limits: { initech: { ratePerSecond: RATED_PER_SECOND } },
      },
      async (scene) => {
        await scene.readyWorker();
        let figures = NO_FIGURES;
        const checks: Check[] = [];
        const did: string[] = [];
        const notes: string[] = [];
        let worstOverrun = 0;
        for (const faultsAfterApply of [false, true]) {
          const when = faultsAfterApply ? 'after the write' : 'before the write';
          for (const name of TENANT_NAMES)
            scene.world.sim.state.setFaults(scene.world.tenant(name), { ...FAULTS, faultsAfterApply });
          const rows = rowsFor(scene.world, TENANT_NAMES, params.perTenant, faultsAfterApply ? 'after' : 'before');
          const before = scene.stats();
          const input = await scene.startJob(rows, { batchSize: 1, requestTimeoutMs: REQUEST_TIMEOUT_MS });
          const measured = await measureJob(scene, input.jobId, rows, before);
          const { result } = measured;
          figures = addFigures(figures, measured.figures);

          const after = scene.stats();
          const sum = (field: 'status5xx' | 'connectionResets' | 'hungResponses' | 'putRequests') =>
            TENANT_NAMES.reduce((total, n) => {
              const id = scene.world.tenant(n);
              return total + after[id]![field] - before[id]![field];
            }, 0);
          const struck = { '503': sum('status5xx'), resets: sum('connectionResets'), hung: sum('hungResponses') };
          const ratedLog = scene.world.sim.state
            .requestLog(scene.world.tenant('initech'))
            .filter((record) => record.at >= (before[scene.world.tenant('initech')]!.lastPutAt ?? 0) + 1);
          const overrun = bucketOverrun(ratedLog, RATED_PER_SECOND, RATED_PER_SECOND);
          worstOverrun = Math.max(worstOverrun, overrun);
          const ratedSeconds = ((ratedLog.at(-1)?.at ?? 0) - (ratedLog[0]?.at ?? 0)) / 1000;
          notes.push(
            `Faults ${when}, initech (configured ${RATED_PER_SECOND}/s): ${ratedLog.length} PUTs for ` +
              `${params.perTenant} assignments in ${ratedSeconds.toFixed(1)} s (${(ratedLog.length / Math.max(ratedSeconds, 0.001)).toFixed(1)}/s), ` +
              `most in any 1 s ${peakInWindow(ratedLog, 1_000)}, ${overrun.toFixed(1)} ` +
              `beyond a bucket of ${RATED_PER_SECOND}/s with a burst of ${RATED_PER_SECOND}.`,
          );
          did.push(
            `Faults striking ${when}: a job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT ` +
              `each, request timeout ${REQUEST_TIMEOUT_MS / 1000} s; ${sum('putRequests')} PUTs met ${struck['503']} × 503, ` +
              `${struck.resets} connection resets and ${struck.hung} hung responses.`,
          );
          checks.push(
            check(
              `faults ${when} struck`,
              struck['503'] + struck.resets + struck.hung > 0,
              `${struck['503']} × 503, ${struck.resets} resets, ${struck.hung} hung`,
            ),
            check(
              `faults ${when}: the job completes with every assignment applied`,
              result.status === 'completed' &&
                measured.figures.applied === rows.length &&
                measured.readBackMismatches === 0 &&
                measured.appliedAndReportedFailed === 0,
              `status ${result.status}, ${measured.figures.applied}/${rows.length} held, ${measured.readBackMismatches} ` +
                `differ from the input, ${result.failed} reported failed; ${measured.figures.duplicatePuts} re-sent after being applied`,
            ),
          );
        }
        checks.push(retryAfterCheck(scene, figures.violations));
        return {
          ...figures,
          runs: 2,
          did: [
            `Every tenant's API: ${FAULTS.serverErrorRate * 100} % 503, ${FAULTS.connectionResetRate * 100} % connection ` +
              `resets, ${FAULTS.hangRate * 100} % hung for ${FAULTS.hangMs / 1000} s, ${FAULTS.latencyMs} ms latency plus ` +
              `${FAULTS.latencySpikeMs / 1000} s spikes on ${FAULTS.latencySpikeRate * 100} %; throttle ${THROTTLE.burst} ` +
              `then ${THROTTLE.refillPerSecond}/s; one worker process; fault sequence seeded with the run's seed.`,
            ...did,
          ],
          checks,
          notes: [
            ...notes,
            ...(worstOverrun <= 2
              ? []
              : [
                  `Arrivals overran a configured rate by ${worstOverrun} requests in one window. Every attempt, retries ` +
                    "after a 503, a reset or a timeout included, passes the tenant's gate before it is sent, so an overrun " +
                    'this size is worth a look at the per-second arrivals in the figures.',
                ]),
          ],
        };
      },
    ),
};

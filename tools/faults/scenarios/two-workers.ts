/**
 * 2. Two worker processes share a job of tenants with configured caps; the one serving more tenants is SIGKILLed
 * mid-job. The survivor takes its tenants and finishes the job, and each tenant's concurrency and rate caps hold
 * across both processes and the hand-over.
 */
import { freePort } from '../../temporal/dev-server';
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { killBusiest } from '../hand-over';
import { measureJob } from '../measure';
import { bucketOverrun, longestQuiet, peakInWindow, requestsSent } from '../rates';
import { inScene, org } from '../scene';
import { check, type Check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, SHORT_LEASE_JOB, openJob, percent, rowsFor } from './common';

export interface TwoWorkerParams {
  /** Assignments per tenant, by tenant name. */
  sizes: Record<TenantName, number>;
}

type TenantName = 'acme' | 'globex' | 'initech';

/** Caps in the tenants file (initech: concurrency only), and each tenant's API: throttle and latency. */
const TENANTS: Record<
  TenantName,
  { concurrency: number; ratePerSecond?: number; latencyMs: number; burst: number; refill: number }
> = {
  acme: { concurrency: 4, ratePerSecond: 8, latencyMs: 200, burst: 20, refill: 12 },
  globex: { concurrency: 2, ratePerSecond: 5, latencyMs: 300, burst: 10, refill: 8 },
  initech: { concurrency: 4, latencyMs: 100, burst: 20, refill: 30 },
};
const NAMES = Object.keys(TENANTS) as TenantName[];

/**
 * A configured rate is a token bucket: `ratePerSecond`, with a burst of one second's worth (docs/pacing.md, "Limits per
 * tenant"). Arrivals may overrun such a bucket by one request of timing jitter (the pacer's bucket starts with the
 * serving process, the check's at the first arrival) plus the tenant's concurrency: the survivor starts its pacer
 * afresh with a full burst while the dead process's last requests are still counted by the check's bucket.
 */
const rateTolerance = (concurrency: number) => 1 + concurrency;

export const twoWorkers: Scenario<TwoWorkerParams> = {
  id: 2,
  title: 'two worker processes, one SIGKILLed; caps hold across both',
  full: { sizes: { acme: 160, globex: 100, initech: 300 } },
  ci: { sizes: { acme: 48, globex: 30, initech: 90 } },
  run: (suite, params) =>
    inScene(
      suite,
      'two workers',
      {
        orgs: NAMES.map((name) =>
          org(name, {
            throttle: { burst: TENANTS[name].burst, refillPerSecond: TENANTS[name].refill },
            faults: { latencyMs: TENANTS[name].latencyMs },
          }),
        ),
        limits: Object.fromEntries(
          NAMES.map((name) => {
            const { concurrency, ratePerSecond } = TENANTS[name];
            return [name, { concurrency, ...(ratePerSecond && { ratePerSecond }) }];
          }),
        ),
      },
      async (scene) => {
        const rows = NAMES.flatMap((name) => rowsFor(scene.world, [name], params.sizes[name], 'two'));
        const ports = [await freePort(), await freePort()];
        const metrics = ports.map((port) => `http://127.0.0.1:${port}/metrics`);
        const { processes, before, input } = await openJob(scene, rows, {
          processes: ports.map((port) => ({ WFM_METRICS_ADDRESS: String(port) })),
          job: SHORT_LEASE_JOB,
          until: { what: '40 % of the job', applied: rows.length * 0.4, timeoutMs: 120_000 },
        });
        const sentBeforeKill = await Promise.all(metrics.map(requestsSent));
        const killedAt = scene.applied();
        const handOver = await killBusiest(scene, input.jobId, processes, rows);
        const survivor = processes.findIndex((process) => process !== handOver.victim);
        await handOver.settled;
        const measured = await measureJob(scene, input.jobId, rows, before);
        const sentBySurvivor = await requestsSent(metrics[survivor]!);
        await processes[survivor]!.kill('SIGTERM');
        const killTime = handOver.killTime;
        const { figures } = measured;

        const stats = scene.stats();
        const capChecks: Check[] = NAMES.flatMap((name) => {
          const tenantId = scene.world.tenant(name);
          const { concurrency, ratePerSecond } = TENANTS[name];
          const peak = stats[tenantId]!.peakConcurrency;
          const checks = [
            check(`${name}: peak concurrency ≤ ${concurrency}`, peak <= concurrency, `peak ${peak} PUTs in flight`),
          ];
          if (ratePerSecond) {
            const log = scene.world.sim.state.requestLog(tenantId);
            const overrun = bucketOverrun(log, ratePerSecond, ratePerSecond);
            checks.push(
              check(
                `${name}: observed rate within ${ratePerSecond}/s, burst ${ratePerSecond}`,
                overrun <= rateTolerance(concurrency),
                `${overrun.toFixed(1)} requests beyond such a bucket (tolerance ${rateTolerance(concurrency)}); most PUTs in any 1 s: ` +
                  `${peakInWindow(log, 1_000)}, in any 10 s: ${peakInWindow(log, 10_000)}; ${log.length} PUTs`,
              ),
            );
          }
          return checks;
        });
        const nameOf = (tenantId: string) => NAMES.find((name) => scene.world.tenant(name) === tenantId)!;
        const quiet = NAMES.map((name) => {
          const log = scene.world.sim.state.requestLog(scene.world.tenant(name));
          return `${name} ${(longestQuiet([log], killTime) / 1000).toFixed(1)} s`;
        }).join(', ');
        return {
          ...figures,
          runs: 1,
          did: [
            `One job, one PUT per assignment: ${NAMES.map((name) => {
              const t = TENANTS[name];
              return `${name} ${params.sizes[name]} assignments (concurrency ${t.concurrency}${t.ratePerSecond ? `, ${t.ratePerSecond}/s` : ''}; API ${t.burst} then ${t.refill}/s, ${t.latencyMs} ms latency)`;
            }).join('; ')}.`,
            `Two worker processes shared the tenants; the one serving more of them (${handOver.tenants.length}) was ` +
              `SIGKILLed at ${percent(killedAt, rows.length)} applied and not restarted; the other finished the job.`,
          ],
          checks: [
            check(
              'the killed process was serving tenants, and the survivor took them over',
              handOver.tenants.length > 0 &&
                sentBeforeKill[processes.indexOf(handOver.victim)]! > 0 &&
                handOver.tenants.every(
                  (id) => handOver.movedTo.has(id) || scene.applied([id]) === params.sizes[nameOf(id)],
                ),
              `unfinished tenants per process before the kill: ${handOver.perProcess.join(' and ')}; PUTs sent before ` +
                `the kill (wfm_requests_total): ${sentBeforeKill.join(' and ')}; by the survivor in all: ${sentBySurvivor}`,
            ),
            allAppliedCheck(measured, rows.length),
            ...capChecks,
            retryAfterCheck(
              scene,
              figures.violations,
              `${NAMES.map((name) => `${name} ${stats[scene.world.tenant(name)]!.status429} × 429`).join(', ')}`,
            ),
          ],
          notes: [
            `Longest time without a PUT after the kill, per tenant: ${quiet}. The dead process's tenants move when ` +
              `their hold misses its heartbeat timeout (${HEARTBEAT_TIMEOUT_MS / 1000} s here); a tenant workflow it had ` +
              'cached moves to the survivor after the sticky queue schedule-to-start timeout (5 s).',
            "A configured rate allows a burst of one second's worth on top (by design), so the first second of a " +
              'tenant can carry up to twice its `ratePerSecond`.',
          ],
        };
      },
    ),
};

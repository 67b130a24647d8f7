/**
 * 22. A tenant's hold cannot start as it should: one tenant's first login takes 15 s (the hold keeps its lease by
 * renewing from its first moment, so it is not handed around meanwhile), another tenant's login service is out of
 * reach for longer than the job's login budget (that tenant fails with its own reason once the budget is spent;
 * the job goes on and the other tenants complete).
 */
import { sleep, waitFor } from '../../harness/wait';
import { leaseCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, openJob, rowsFor } from './common';

export interface HoldCannotStartParams {
  perTenant: number;
  /** How long the tenant's login may keep failing (the job's tuning). */
  loginBudgetMs: number;
  /** How long the login service stays out of reach (longer than the budget). */
  outageMs: number;
}

const SLOW_LOGIN_MS = 15_000;
const HEALTHY = ['fine1', 'fine2'];
const THROTTLE = { burst: 20, refillPerSecond: 10 };

export const holdCannotStart: Scenario<HoldCannotStartParams> = {
  id: 22,
  title: 'a first login of 15 s and a login service out of reach: the lease holds, the budget ends the tenant',
  full: { perTenant: 60, loginBudgetMs: 60_000, outageMs: 120_000 },
  ci: { perTenant: 30, loginBudgetMs: 15_000, outageMs: 30_000 },
  run: (suite, params) =>
    inScene(
      suite,
      'a hold that cannot start',
      {
        orgs: [
          ...HEALTHY.map((name) => org(name, { throttle: THROTTLE })),
          org('slow', { throttle: THROTTLE, faults: { loginDelayMs: SLOW_LOGIN_MS } }),
          org('cutoff', { throttle: THROTTLE, faults: { loginUnreachable: true } }),
        ],
      },
      async (scene) => {
        const world = scene.world;
        const [slow, cutoff] = [world.tenant('slow'), world.tenant('cutoff')];
        const healthy = HEALTHY.map((name) => world.tenant(name));
        const rows = rowsFor(world, [...HEALTHY, 'slow', 'cutoff'], params.perTenant, 'h');
        const { before, startedAt, input } = await openJob(scene, rows, {
          processes: [{}, {}],
          job: {
            batchSize: 1,
            tuning: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, loginBudgetMs: params.loginBudgetMs },
          },
        });
        // Only the first login is slow: once it has arrived, the login service answers at once again.
        await waitFor('the slow tenant’s first login', () => scene.stats()[slow]!.tokenRequests > 0, 60_000);
        world.sim.state.setFaults(slow, {});
        const outage = sleep(params.outageMs - (Date.now() - startedAt)).then(() =>
          world.sim.state.setFaults(cutoff, {}),
        );

        const measured = await measureJob(scene, input.jobId, rows, before, 600_000);
        await outage;
        const { figures, result, failures } = measured;
        const slowLog = world.sim.state.requestLog(slow);
        const slowEpochs = new Set(slowLog.map((r) => r.leaseEpoch));
        const cutoffResult = result.tenants.find((tenant) => tenant.tenantId === cutoff);
        const cutoffFailures = failures.filter((failure) => failure.tenantId === cutoff);
        const jobTook = (measured.finishedAt - startedAt) / 1000;

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of four tenants × ${params.perTenant} assignments on two worker processes, lease timeout ` +
              `${HEARTBEAT_TIMEOUT_MS / 1000} s. Tenant "slow": its first login answered after ${SLOW_LOGIN_MS / 1000} s. ` +
              `Tenant "cutoff": its login service out of reach (sockets dropped) for ${params.outageMs / 1000} s, ` +
              `with a login budget of ${params.loginBudgetMs / 1000} s.`,
          ],
          checks: [
            check(
              'the other tenants complete',
              result.tenants
                .filter((tenant) => tenant.tenantId !== cutoff)
                .every((tenant) => tenant.status === 'completed') &&
                scene.applied([...healthy, slow]) === (healthy.length + 1) * params.perTenant,
              result.tenants.map((t) => `${t.tenantId} ${t.status} ${t.applied}/${t.total}`).join(', '),
            ),
            check(
              'the slow first login kept its lease: one holder wrote every request of that tenant',
              slowEpochs.size === 1 && new Set(slowLog.map((r) => r.worker)).size === 1,
              `${slowEpochs.size} lease epoch(s), ${new Set(slowLog.map((r) => r.worker)).size} process(es); first ` +
                `request ${((Math.min(...slowLog.map((r) => r.at)) - startedAt) / 1000).toFixed(1)} s after the start`,
            ),
            check(
              'the unreachable tenant failed with its own reason once the budget was spent, nothing of it lost',
              cutoffResult?.status === 'failed' &&
                cutoffResult.stopReason?.code === 'login-failed' &&
                cutoffFailures.length === params.perTenant &&
                cutoffFailures.every((failure) => failure.reason.code === 'login-failed'),
              `${cutoffResult?.status ?? 'no result'}: ${cutoffResult?.stopReason?.code ?? '-'} ` +
                `(${cutoffResult?.stopReason?.message ?? ''}); ${cutoffFailures.length} reported failed`,
            ),
            check(
              'the job ends once the budget is spent, before the login service is back',
              jobTook * 1000 < params.outageMs && result.status === 'completed-with-failures',
              `job ${result.status} after ${jobTook.toFixed(1)} s (budget ${params.loginBudgetMs / 1000} s, ` +
                `outage ${params.outageMs / 1000} s)`,
            ),
            leaseCheck(scene, [...healthy, slow]),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            'A hold renews its lease from its first moment, so a login that takes longer than the lease timeout ' +
              'costs that tenant the login and nothing more. A login that keeps failing is tried again with backoff ' +
              'within the lease’s login budget, counted across the hold’s attempts; then the tenant stops with ' +
              '`login-failed` and the last error, and every other tenant goes on.',
          ],
        };
      },
    ),
};

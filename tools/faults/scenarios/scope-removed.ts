/**
 * 7. One tenant loses the write scope mid-job: that tenant stops with a clear reason and reports everything it
 * did not send as failed; the other tenants complete.
 */
import { WRITE_SCOPE } from '../../../contracts/names';
import { retryAfterCheck, othersCompleteCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { TENANT_NAMES, openJob, rowsFor } from './common';

export interface ScopeParams {
  perTenant: number;
}

const THROTTLE = { burst: 20, refillPerSecond: 30 };

export const scopeRemoved: Scenario<ScopeParams> = {
  id: 7,
  title: 'write scope removed from one tenant mid-job',
  full: { perTenant: 300 },
  ci: { perTenant: 100 },
  run: (suite, params) =>
    inScene(
      suite,
      'scope removed',
      { orgs: TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: 20 } })) },
      async (scene) => {
        const { world } = scene;
        const globex = world.tenant('globex');
        const rows = rowsFor(world, TENANT_NAMES, params.perTenant, 'scope');
        const { before, input } = await openJob(scene, rows, {
          until: { what: 'globex a third done', applied: params.perTenant / 3, of: [globex], timeoutMs: 120_000 },
        });
        const clientId = world.sim.state.config.orgs.find((o) => o.id === globex)!.clients[0]!.clientId;
        world.sim.state.setClientScopes(globex, clientId, ['wfm:schedule:read']);
        const removedAt = scene.applied([globex]);
        const measured = await measureJob(scene, input.jobId, rows, before);
        const { figures, result } = measured;

        const stopped = result.tenants.find((t) => t.tenantId === globex)!;
        const reason = stopped.stopReason;
        const heldForGlobex = scene.applied([globex]);
        const globexFailures = measured.failures.filter((f) => f.tenantId === globex);
        const codes = [...new Set(globexFailures.map((f) => f.reason.code))];
        const forbidden = scene.stats()[globex]!.status403;
        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each (throttle ` +
              `${THROTTLE.burst} then ${THROTTLE.refillPerSecond}/s); one worker process.`,
            `globex's OAuth client lost \`${WRITE_SCOPE}\` (scopes set to \`wfm:schedule:read\`, effective for tokens ` +
              `already issued) when ${removedAt} of its ${params.perTenant} assignments were applied.`,
          ],
          checks: [
            check(
              'globex stops with a reason naming the scope or the 403',
              stopped.status === 'failed' &&
                reason !== undefined &&
                (reason.status === 403 || reason.message.includes(WRITE_SCOPE)),
              `status ${stopped.status}; stopReason ${reason ? JSON.stringify(reason) : 'none'}`,
            ),
            check(
              'globex: every assignment applied or reported failed with a reason',
              heldForGlobex + globexFailures.length === params.perTenant && globexFailures.length > 0,
              `${heldForGlobex} applied + ${globexFailures.length} reported failed (codes: ${codes.join(', ')}) of ` +
                `${params.perTenant}; ${forbidden} PUTs answered 403 before the tenant stopped`,
            ),
            othersCompleteCheck(scene, result, globex, params.perTenant),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [],
        };
      },
    ),
};

/**
 * 14. A tenant's client secret rotated mid-job: the login service takes only the new one and every token is
 *     revoked; the secret file changes at the same moment. The worker reads the file at each login: no failure.
 * 15. A tenant's client secret changed on the login service only (revoked): that tenant stops once with
 *     `credentials-refused`, everything it did not apply reported failed; the other tenants complete.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { allAppliedCheck, retryAfterCheck, othersCompleteCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org, type Scene } from '../scene';
import { check, type Scenario } from '../types';
import { TENANT_NAMES, openJob, rowsFor } from './common';

export interface CredentialsParams {
  perTenant: number;
}

const THROTTLE = { burst: 20, refillPerSecond: 40 };
const ORGS = TENANT_NAMES.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: 20 } }));

/** The wait of both scenarios: a third of globex's assignments landed. */
const globexThird = (scene: Scene, perTenant: number) => ({
  what: 'globex a third done',
  applied: perTenant / 3,
  of: [scene.world.tenant('globex')],
  timeoutMs: 120_000,
});

/** Sets globex's secret on the login service (revoking its tokens). */
async function changeSecretMidJob(scene: Scene, alsoInFile: boolean) {
  const globex = scene.world.tenant('globex');
  const secret = `rotated-${randomBytes(18).toString('base64url')}`;
  if (alsoInFile) await writeFile(scene.world.secretFile(globex), `${secret}\n`);
  const clientId = scene.world.sim.state.config.orgs.find((o) => o.id === globex)!.clients[0]!.clientId;
  const revoked = scene.world.sim.state.setClientSecret(globex, clientId, secret, { revokeTokens: true });
  return { at: scene.applied([globex]), revoked };
}

export const credentialsRotated: Scenario<CredentialsParams> = {
  id: 14,
  title: 'a client secret rotated mid-job (file and login service)',
  full: { perTenant: 300 },
  ci: { perTenant: 100 },
  run: (suite, params) =>
    inScene(suite, 'credentials rotated', { orgs: ORGS, secretFiles: ['globex'] }, async (scene) => {
      const rows = rowsFor(scene.world, TENANT_NAMES, params.perTenant, 'rot');
      const { before, input } = await openJob(scene, rows, { until: globexThird(scene, params.perTenant) });
      const rotation = await changeSecretMidJob(scene, true);
      const measured = await measureJob(scene, input.jobId, rows, before);
      const globex = scene.stats()[scene.world.tenant('globex')]!;
      return {
        ...measured.figures,
        runs: 1,
        did: [
          `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each; one worker ` +
            'process; globex reads its client secret from a file (`clientSecretFile`).',
          `When ${rotation.at} of globex's assignments were applied, its secret was replaced in the file and on the ` +
            `login service, and its ${rotation.revoked} tokens revoked.`,
        ],
        checks: [
          allAppliedCheck(measured, rows.length, 'the job completes with every assignment applied, none failed'),
          check(
            'globex logged in again with the new secret',
            globex.tokenRequests - (before[scene.world.tenant('globex')]?.tokenRequests ?? 0) >= 2,
            `${globex.tokenRequests} token requests, ${globex.status401} PUTs answered 401`,
          ),
          retryAfterCheck(scene, measured.figures.violations),
        ],
        notes: [],
      };
    }),
};

export const credentialsRevoked: Scenario<CredentialsParams> = {
  id: 15,
  title: 'a client secret revoked mid-job (login service only)',
  full: { perTenant: 300 },
  ci: { perTenant: 100 },
  run: (suite, params) =>
    inScene(suite, 'credentials revoked', { orgs: ORGS }, async (scene) => {
      const { world } = scene;
      const globex = world.tenant('globex');
      const rows = rowsFor(world, TENANT_NAMES, params.perTenant, 'rev');
      const { before, input } = await openJob(scene, rows, { until: globexThird(scene, params.perTenant) });
      const revocation = await changeSecretMidJob(scene, false);
      const measured = await measureJob(scene, input.jobId, rows, before);
      const { figures, result } = measured;
      const stopped = result.tenants.find((t) => t.tenantId === globex)!;
      const failures = measured.failures.filter((f) => f.tenantId === globex);
      const codes = [...new Set(failures.map((f) => f.reason.code))];
      const logins = scene.stats()[globex]!.tokenRequests - (before[globex]?.tokenRequests ?? 0);
      return {
        ...figures,
        runs: 1,
        did: [
          `One job of ${TENANT_NAMES.length} tenants × ${params.perTenant} assignments, one PUT each; one worker process.`,
          `When ${revocation.at} of globex's assignments were applied, its secret was changed on the login service ` +
            `only and its ${revocation.revoked} tokens revoked.`,
        ],
        checks: [
          check(
            'globex stops once, with reason credentials-refused',
            stopped.status === 'failed' && stopped.stopReason?.code === 'credentials-refused',
            `status ${stopped.status}; stopReason ${JSON.stringify(stopped.stopReason)}; ${logins} token requests in all`,
          ),
          check(
            "globex's unapplied assignments are reported with that reason",
            failures.length === stopped.failed &&
              failures.length > 0 &&
              codes.every((c) => c === 'credentials-refused'),
            `${failures.length} reported (codes: ${codes.join(', ')}), ${stopped.failed} counted failed`,
          ),
          othersCompleteCheck(scene, result, globex, params.perTenant),
          check(
            'applied + reported failed = input',
            figures.lost === 0 && figures.applied + figures.failedWithReason === figures.assignments,
            `${figures.applied} applied + ${figures.failedWithReason} reported failed of ${figures.assignments}`,
          ),
          retryAfterCheck(scene, figures.violations),
        ],
        notes: [],
      };
    }),
};

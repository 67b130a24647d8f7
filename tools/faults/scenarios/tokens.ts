/**
 * 6. Access tokens under stress: one tenant's tokens are revoked several times mid-job (every activity holding
 * the old token meets a 401 at once), another's live shorter than the job. Each needs one token request per
 * revocation or lifetime (single flight), never one per activity, and the job completes.
 */
import { waitFor } from '../../harness/wait';
import { allAppliedCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { openJob, rowsFor } from './common';

export interface TokenParams {
  perTenant: number;
  revocations: number;
}

const TOKEN_TTL_SECONDS = 2;
const LATENCY_MS = 100;
const CONCURRENCY = 8;

export const tokens: Scenario<TokenParams> = {
  id: 6,
  title: 'tokens revoked mid-job, short-lived tokens, bursts of 401',
  full: { perTenant: 400, revocations: 3 },
  ci: { perTenant: 150, revocations: 2 },
  run: (suite, params) =>
    inScene(
      suite,
      'tokens',
      {
        orgs: [
          org('acme', { throttle: null, faults: { latencyMs: LATENCY_MS } }),
          org('globex', { throttle: null, tokenTtlSeconds: TOKEN_TTL_SECONDS, faults: { latencyMs: LATENCY_MS } }),
        ],
        limits: { acme: { concurrency: CONCURRENCY }, globex: { concurrency: CONCURRENCY } },
      },
      async (scene) => {
        const acme = scene.world.tenant('acme');
        const globex = scene.world.tenant('globex');
        const rows = rowsFor(scene.world, ['acme', 'globex'], params.perTenant, 'tok');
        const { before, startedAt: started, input } = await openJob(scene, rows);
        const revokedAt: number[] = [];
        for (let i = 1; i <= params.revocations; i++) {
          await waitFor(
            'progress before a revocation',
            () => scene.applied([acme]) >= (params.perTenant * i) / (params.revocations + 1),
            120_000,
          );
          scene.world.sim.state.revokeTokens(acme);
          revokedAt.push(scene.applied([acme]));
        }
        const measured = await measureJob(scene, input.jobId, rows, before);
        const seconds = (Date.now() - started) / 1000;
        const { figures } = measured;
        const stats = scene.stats();
        const revoked = stats[acme]!;
        const shortLived = stats[globex]!;
        // A refresh a tenth of the lifetime (at least 1 s) ahead of expiry: about one token per (lifetime − 1 s).
        const lifetimes = Math.ceil(seconds / (TOKEN_TTL_SECONDS - 1)) + 2;

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of 2 tenants × ${params.perTenant} assignments, one PUT each, concurrency ${CONCURRENCY}, ` +
              `${LATENCY_MS} ms latency, no throttle; one worker process; it ran ${seconds.toFixed(1)} s.`,
            `acme: every token revoked ${params.revocations} times mid-job (at ${revokedAt.join(', ')} of ` +
              `${params.perTenant} applied). globex: tokens live ${TOKEN_TTL_SECONDS} s.`,
          ],
          checks: [
            allAppliedCheck(measured, rows.length),
            check(
              'acme: requests with a revoked token met 401s',
              revoked.status401 >= params.revocations,
              `${revoked.status401} × 401 after ${params.revocations} revocations`,
            ),
            check(
              'acme: one token request per revocation (single flight), plus the first',
              revoked.tokenRequests === params.revocations + 1,
              `${revoked.tokenRequests} token requests for ${revoked.putRequests} PUTs and ${revoked.status401} × 401`,
            ),
            check(
              'globex: tokens refreshed ahead of expiry, about one per lifetime',
              shortLived.tokenRequests >= 2 && shortLived.tokenRequests <= lifetimes && shortLived.status401 === 0,
              `${shortLived.tokenRequests} token requests in ${seconds.toFixed(1)} s (at most ${lifetimes} allowed), ` +
                `${shortLived.status401} × 401, ${shortLived.putRequests} PUTs`,
            ),
          ],
          notes: [
            'The simulator refuses a revoked token at once (before any latency), and an activity takes its token ' +
              'just before it sends, so only the requests already holding the old token meet a 401: a few per ' +
              'revocation, each dropping that token; the next request fetches the one new token for all.',
          ],
        };
      },
    ),
};

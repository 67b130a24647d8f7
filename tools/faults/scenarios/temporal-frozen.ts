/**
 * 23. Temporal is out of reach for 15 s (its process SIGSTOPped: every call hangs, nothing answers). The holders
 * cannot renew their leases: each stops writing once its proof runs out, before Temporal could give the lease to
 * anyone else; when Temporal answers again the leases that lapsed move on, no tenant is ever written by two
 * processes at once, and the job completes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fenceMarginMs } from '../../../contracts/timing';
import { tenantProgressQuery } from '../../../contracts/messages';
import { tenantWorkflowId } from '../../../contracts/names';
import { startDevServer } from '../../temporal/dev-server';
import { allAppliedCheck, leaseCheck, peakCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { HEARTBEAT_TIMEOUT_MS, SHORT_LEASE_JOB, openJob, rowsFor } from './common';

export interface TemporalFrozenParams {
  perTenant: number;
}

const TENANTS = ['t1', 't2', 't3', 't4'];
const THROTTLE = { burst: 10, refillPerSecond: 4 };
/**
 * Many batches out at once, let through the gate one a second: each holder always has several requests waiting
 * in line, which a holder without the fence would go on writing for seconds after Temporal froze.
 */
const CONCURRENCY = 8;
const RATE = 1;
const LATENCY_MS = 50;
const FROZEN_MS = 15_000;

export const temporalFrozen: Scenario<TemporalFrozenParams> = {
  id: 23,
  title: 'Temporal out of reach for 15 s: holders stop writing, no tenant written by two processes',
  full: { perTenant: 80 },
  ci: { perTenant: 30 },
  async run(suite, params) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-faults-frozen-'));
    const logFile = path.join(dir, 'server.log');
    const server = await startDevServer({ logFile });
    suite.cleanup.add(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    return inScene(
      suite,
      'Temporal frozen',
      {
        address: server.address,
        orgs: TENANTS.map((name) => org(name, { throttle: THROTTLE, faults: { latencyMs: LATENCY_MS } })),
        limits: Object.fromEntries(
          TENANTS.map((name) => [name, { concurrency: CONCURRENCY, ratePerSecond: RATE, burst: 1 }]),
        ),
      },
      async (scene) => {
        scene.addLog('Temporal dev server log', () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''));
        const world = scene.world;
        const tenantIds = TENANTS.map((name) => world.tenant(name));
        const rows = rowsFor(world, TENANTS, params.perTenant, 'f');
        const { processes, before, input } = await openJob(scene, rows, {
          processes: [{}, {}],
          job: SHORT_LEASE_JOB,
          until: { what: 'a third of the job', applied: rows.length / 3, of: tenantIds, timeoutMs: 300_000 },
        });
        const queued = await Promise.all(
          tenantIds.map((id) =>
            world.client.workflow
              .getHandle(tenantWorkflowId(input.jobId, id))
              .query(tenantProgressQuery)
              .then((progress) => progress.inFlight),
          ),
        );

        const frozenAt = Date.now();
        await server.freeze(FROZEN_MS);
        const thawedAt = Date.now();
        const measured = await measureJob(scene, input.jobId, rows, before, 900_000);
        const exited = processes.filter((p) => p.child.exitCode !== null || p.child.signalCode !== null).length;
        await Promise.all(processes.map((process) => process.kill('SIGTERM')));
        const { figures } = measured;

        const during = tenantIds.flatMap((id) =>
          world.sim.state.requestLog(id).filter((r) => r.at >= frozenAt && r.at < thawedAt),
        );
        const lastWrite = Math.max(frozenAt, ...during.map((r) => r.at)) - frozenAt;
        // A holder's proof lasts the lease timeout less the margin from its last renewal Temporal answered.
        const proofMs = HEARTBEAT_TIMEOUT_MS - fenceMarginMs(HEARTBEAT_TIMEOUT_MS);

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${TENANTS.length} tenants × ${params.perTenant} assignments, one PUT each, on two worker ` +
              `processes, each tenant at ${RATE}/s with ${CONCURRENCY} batches out at once (most waiting at the ` +
              `gate); lease timeout ${HEARTBEAT_TIMEOUT_MS / 1000} s.`,
            `At a third of the job the Temporal dev server was SIGSTOPped for ${FROZEN_MS / 1000} s, then continued.`,
          ],
          checks: [
            check(
              'the holders had batches waiting at their gates when Temporal froze',
              queued.every((count) => count >= 3),
              `batches out per tenant: ${queued.join(', ')}`,
            ),
            check(
              'the holders stopped writing before Temporal could give their leases to another process',
              during.length > 0 && lastWrite <= proofMs + 1_000,
              `${during.length} request(s) while Temporal was frozen, the last ${(lastWrite / 1000).toFixed(1)} s in ` +
                `(a proof lasts at most ${(proofMs / 1000).toFixed(1)} s after the last answered renewal)`,
            ),
            leaseCheck(scene, tenantIds),
            check('no worker process died', exited === 0, `${exited} of ${processes.length} exited`),
            allAppliedCheck(measured, rows.length),
            peakCheck(scene, tenantIds, CONCURRENCY),
            retryAfterCheck(scene, figures.violations),
          ],
          notes: [
            `While Temporal was frozen the holders wrote for ${(lastWrite / 1000).toFixed(1)} s on the strength of ` +
              'their last renewals, then nothing: a lease unconfirmed for longer than its timeout less a margin is ' +
              'one Temporal may already have given to another process. Two things end the writing: the fence ' +
              '(each write asks whether the last answered renewal is recent enough) and the SDK, which cancels an ' +
              'activity whose heartbeats went unanswered for its heartbeat timeout; either alone passes this scenario.',
          ],
        };
      },
    );
  },
};

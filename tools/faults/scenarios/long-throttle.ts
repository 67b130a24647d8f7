/**
 * 26. An API that answers 429 "retry after 1 s" to every request for a long spell, as an organisation throttled for
 * hours would. The batches wait it out in Temporal's retries, which add nothing to any history: the job's, tenants'
 * and leases' histories grow by a bounded number of events per throttled hour (the lease's periodic check of its
 * members), so no run nears Temporal's history limit however long the throttle lasts. When it lifts, everything
 * lands.
 */
import type { temporal } from '@temporalio/proto';
import { eventTypeName, eventsBetween, jobHistories } from '../../harness/histories';
import { allAppliedCheck, retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { TENANT_NAMES, openJob, rowsFor } from './common';

export interface LongThrottleParams {
  tenants: number;
  items: number;
  /** How long every request is answered 429. */
  spellSeconds: number;
}

const ROOMY = { burst: 10, refillPerSecond: 20, retryAfterSeconds: 1 };
/** One request a day gets through: every other one is answered 429 "retry after 1 s". */
const EVERYTHING_429 = { burst: 1, refillPerSecond: 1 / 86_400, retryAfterSeconds: 1 };
/** Events a tenant's workflows may add per throttled hour: the lease looks for gone members every 5 minutes. */
const EVENTS_PER_THROTTLED_HOUR = 200;
/** Events any spell may add whatever its length: a periodic check that happens to fall in a short one. */
const EVENTS_ANY_SPELL = 20;
/** A throttled tenant probes at least this often (its pacer's longest wait after Retry-After 1 s, and then some). */
const PROBE_GAP_MS = 30_000;
/** After the spell, the rest of the job (tens of rows a tenant) lands within this. */
const RECOVERY_BOUND_MS = 120_000;
/** Events written in the spell's first seconds belong to what was under way when it began. */
const SETTLE_MS = 5_000;

export const longThrottle: Scenario<LongThrottleParams> = {
  id: 26,
  title: 'Throttled for a long spell: histories do not grow with it',
  full: { tenants: 3, items: 40, spellSeconds: 600 },
  ci: { tenants: 1, items: 20, spellSeconds: 45 },
  run: (suite, params) => {
    const names = TENANT_NAMES.slice(0, params.tenants);
    return inScene(
      suite,
      'long throttle',
      {
        orgs: names.map((name) => org(name, { throttle: ROOMY, faults: { latencyMs: 20 } })),
        limits: Object.fromEntries(names.map((name) => [name, { concurrency: 5 }])),
      },
      async (scene) => {
        const rows = rowsFor(scene.world, names, params.items, 't');
        const tenantIds = names.map((name) => scene.world.tenant(name));
        const { before, input } = await openJob(scene, rows, {
          until: {
            what: 'a few rows of each tenant to land',
            of: tenantIds,
            applied: 3 * params.tenants,
            timeoutMs: 120_000,
          },
        });
        const spellStart = Date.now();
        for (const tenantId of tenantIds) scene.world.sim.state.setThrottle(tenantId, EVERYTHING_429);
        // Requests on the wire when the spell began land in its first moments: counted from after them.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const appliedSettled = scene.applied(tenantIds);
        await new Promise((resolve) => setTimeout(resolve, params.spellSeconds * 1_000 - SETTLE_MS));
        const spellEnd = Date.now();
        const appliedInSpell = scene.applied(tenantIds) - appliedSettled;
        const spellLog = tenantIds.flatMap((id) =>
          scene.world.sim.state.requestLog(id).filter((record) => record.at >= spellStart && record.at <= spellEnd),
        );
        const answered429 = spellLog.filter((record) => record.status === 429).length;
        // The tenants kept probing to the end, each probe answered 429.
        const lastProbes = tenantIds.map((id) =>
          Math.max(
            0,
            ...scene.world.sim.state
              .requestLog(id)
              .filter((r) => r.at <= spellEnd && r.status === 429)
              .map((r) => r.at),
          ),
        );
        for (const tenantId of tenantIds) scene.world.sim.state.setThrottle(tenantId, ROOMY);
        const measured = await measureJob(scene, input.jobId, rows, before, 600_000);

        const histories = await jobHistories(scene.world.client, input);
        const counted = countEvents(
          histories.map((recorded) => recorded.history),
          spellStart + SETTLE_MS,
          spellEnd,
        );
        const hours = (spellEnd - spellStart - SETTLE_MS) / 3_600_000;
        const perTenantHour = Math.round(counted.total / params.tenants / hours);
        const bound = EVENTS_ANY_SPELL + EVENTS_PER_THROTTLED_HOUR * params.tenants * hours;
        const longest = Math.max(...histories.map((recorded) => recorded.history.events?.length ?? 0));
        return {
          ...measured.figures,
          runs: 1,
          did: [
            `${params.tenants} tenant(s) × ${params.items} assignments, one PUT each, 5 in flight. Once a few ` +
              `landed, the API answered every request 429 "retry after 1 s" for ${params.spellSeconds} s, then let ` +
              'everything through. Every history of the job (job, tenants, leases, all runs) was read after it ended ' +
              'and its events counted by time.',
          ],
          checks: [
            check(
              "the throttle held for the whole spell: each tenant's probes answered 429 to its last seconds, and " +
                'after its first seconds at most the one request each bucket held went through',
              appliedInSpell <= params.tenants && lastProbes.every((at) => at >= spellEnd - PROBE_GAP_MS),
              `${answered429} × 429 in ${params.spellSeconds} s; ${appliedInSpell} applied; last 429 ` +
                `${lastProbes.map((at) => `${((spellEnd - at) / 1000).toFixed(1)} s`).join(', ')} before its end`,
            ),
            check(
              `events written during the spell ≤ ${EVENTS_ANY_SPELL} + ${EVENTS_PER_THROTTLED_HOUR} a tenant per hour`,
              counted.total <= bound,
              `${counted.total} events in ${Math.round(hours * 3_600)} s over ${histories.length} histories ` +
                `(${describe(counted.byType)}; an ACTIVITY_TASK_STARTED is the start of the attempt a batch ended ` +
                `with, written when it ends: one per batch, whatever the spell's length); at most ${perTenantHour} a ` +
                `tenant per throttled hour at this length; the longest history has ${longest} events`,
            ),
            check(
              `once it lifted, the rest landed within ${RECOVERY_BOUND_MS / 1000} s: the pace climbs back from one ` +
                'request per Retry-After, not from the floor the spell took it to',
              measured.finishedAt - spellEnd <= RECOVERY_BOUND_MS,
              `the job ended ${((measured.finishedAt - spellEnd) / 1000).toFixed(1)} s after the spell`,
            ),
            allAppliedCheck(measured, rows.length),
            retryAfterCheck(scene, measured.figures.violations),
          ],
          notes: [
            'A throttled batch goes back to Temporal with the Retry-After as its next retry delay: a retry of the ' +
              'same activity, which Temporal keeps out of the history until the activity ends. Pacing reaches the ' +
              "next holder in the lease's heartbeats, which write no events either. So a throttle of any length " +
              'costs a history only what the lease does on its own clock.',
          ],
        };
      },
    );
  },
};

/** Events of the histories written in `[from, to]`, in all and by type. */
function countEvents(
  histories: readonly temporal.api.history.v1.IHistory[],
  from: number,
  to: number,
): { total: number; byType: Map<string, number> } {
  const byType = new Map<string, number>();
  let total = 0;
  for (const history of histories)
    for (const { event } of eventsBetween(history, from, to)) {
      total++;
      const type = eventTypeName(event);
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
  return { total, byType };
}

function describe(byType: Map<string, number>): string {
  if (byType.size === 0) return 'none';
  return [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
}

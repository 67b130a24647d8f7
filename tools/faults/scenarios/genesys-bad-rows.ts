/**
 * 24. Bad rows in the Genesys writer's batches, on orgs of the `genesys` profile (300 requests a minute, fixed
 * windows): 2 % of the rows name an unknown activity code, a date outside the schedule's week or an agent outside
 * the business unit, and one row per tenant carries a marker the platform refuses for a reason no check sees. Each
 * bad row fails with its own reason; every other row lands exactly once.
 */
import { genesysRows, type GenesysRow } from '../../harness/world';
import { DEFAULT_SCOPES } from '../../simulator';
import { seededRandom } from '../random';
import { retryAfterCheck } from '../checks';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { TENANT_NAMES, openJob, percent } from './common';

export interface GenesysBadRowsParams {
  perTenant: number;
  batchSize: number;
}

/** The kinds of bad row the writer can see, with the failure code each must get. */
const KINDS = ['unknown-activity-code', 'outside-schedule', 'agent-not-in-business-unit'] as const;
type Kind = (typeof KINDS)[number];
/** The refusal no check sees: the platform ends every update holding it `Error`. */
const REFUSED = 'refused-by-platform';
/** Text in a row's `notes` (its activity's description) that makes the simulator refuse the update. */
const MARKER = 'hold-for-payroll-review';
const BAD_SHARE = 0.02;
/** Two schedules a tenant, so each holds `perTenant / 2` rows: one batch of `batchSize` each. */
const SCHEDULES = 2;

type Row = GenesysRow & { notes?: string };

function spoil(row: Row, kind: Kind, n: number): Row {
  switch (kind) {
    case 'unknown-activity-code':
      return { ...row, activityCodeId: 'ac-typo' };
    case 'outside-schedule':
      // The same shift a week later: the row still names the schedule's week.
      return {
        ...row,
        start: new Date(Date.parse(row.start) + 7 * 86_400_000).toISOString(),
        end: new Date(Date.parse(row.end) + 7 * 86_400_000).toISOString(),
      };
    case 'agent-not-in-business-unit':
      return { ...row, userId: `stranger-${n}` };
  }
}

export const genesysBadRows: Scenario<GenesysBadRowsParams> = {
  id: 24,
  title: 'bad rows in Genesys batches: each fails with its own reason, every other row lands once',
  full: { perTenant: 400, batchSize: 200 },
  ci: { perTenant: 100, batchSize: 50 },
  run: (suite, params) =>
    inScene(
      suite,
      'genesys bad rows',
      {
        orgs: TENANT_NAMES.map((name) =>
          org(name, { profile: 'genesys', buSchedules: { faults: { refuseDescriptionMarker: MARKER } } }, [
            ...DEFAULT_SCOPES,
          ]),
        ),
        writers: Object.fromEntries(
          TENANT_NAMES.map((name) => [
            name,
            { writer: 'genesys-schedule-update', genesys: { pollSeconds: 1, completionTimeoutSeconds: 30 } },
          ]),
        ),
        limits: Object.fromEntries(TENANT_NAMES.map((name) => [name, { concurrency: 4 }])),
      },
      async (scene) => {
        const random = seededRandom(suite.seed + 24);
        const tenantIds = TENANT_NAMES.map((name) => scene.world.tenant(name));
        const badPerTenant = Math.round(params.perTenant * BAD_SHARE);
        /** Why each bad row must fail, by tenant and row id. */
        const expected = new Map<string, string>();
        const keyOf = (tenantId: string, id: string) => `${tenantId} ${id}`;
        let drawn = 0;
        const rows: Row[] = tenantIds.flatMap((tenantId) => {
          const schedules = Array.from({ length: SCHEDULES }, (_, i) => `${tenantId}-s${i + 1}`);
          const good: Row[] = genesysRows(tenantId, schedules, params.perTenant);
          // Distinct rows at random: the bad ones, then the marked one.
          const picked = new Set<number>();
          while (picked.size < badPerTenant + 1) picked.add(Math.floor(random() * good.length));
          const [marked, ...bad] = [...picked];
          for (const index of bad) {
            const kind = KINDS[drawn % KINDS.length]!;
            const spoiled = spoil(good[index]!, kind, ++drawn);
            good[index] = spoiled;
            expected.set(keyOf(tenantId, spoiled.id), kind);
          }
          const notes = `${MARKER}: agent asked for this shift`;
          const refused = { ...good[marked!]!, notes };
          good[marked!] = refused;
          expected.set(keyOf(tenantId, refused.id), REFUSED);
          return good;
        });
        const goodRows = rows.length - expected.size;
        const batches = tenantIds.length * SCHEDULES * Math.ceil(params.perTenant / SCHEDULES / params.batchSize);

        const { before, input } = await openJob(scene, rows, { job: { batchSize: params.batchSize } });
        const measured = await measureJob(scene, input.jobId, rows, before, 600_000);
        const { figures, result, failures } = measured;

        const runtimeOf = (tenantId: string) => scene.world.sim.state.requireOrg(tenantId).buSchedules;
        const api = tenantIds.map((id) => runtimeOf(id).stats());
        const refusals = (field: keyof (typeof api)[number]['contentRefusals']) =>
          api.reduce((sum, stats) => sum + stats.contentRefusals[field], 0);
        const started = api.reduce((sum, stats) => sum + stats.updatesStarted, 0);
        const errored = api.reduce((sum, stats) => sum + stats.updatesErrored, 0);
        const stats = scene.stats();
        const requests = tenantIds.reduce((sum, id) => sum + (stats[id]?.putRequests ?? 0), 0);
        const status429 = tenantIds.reduce((sum, id) => sum + (stats[id]?.status429 ?? 0), 0);

        // Each failure against the reason its row was made to fail for.
        const wrong: string[] = [];
        const failedKeys = new Set<string>();
        for (const failure of failures) {
          const key = keyOf(failure.tenantId, failure.assignment.id);
          failedKeys.add(key);
          const want = expected.get(key);
          if (failure.reason.code !== want)
            wrong.push(
              `${failure.assignment.id} of ${failure.tenantId} (line ${failure.line}) failed ${failure.reason.code}` +
                `${want ? `, made for ${want}` : ', a good row'}: ${failure.reason.message}`,
            );
        }
        const unreported = [...expected]
          .filter(([key]) => !failedKeys.has(key))
          .map(([key, kind]) => `${key} (${kind})`);
        const byCode = new Map<string, number>();
        for (const failure of failures) byCode.set(failure.reason.code, (byCode.get(failure.reason.code) ?? 0) + 1);
        const codes = [...byCode].map(([code, count]) => `${count} ${code}`).join(', ');
        const checkable =
          refusals('unknownActivityCode') + refusals('outsideSchedule') + refusals('agentNotInBusinessUnit');

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${tenantIds.length} Genesys tenants × ${params.perTenant} rows over ${SCHEDULES} schedules ` +
              `each, batches of ${params.batchSize} (one batch a schedule), orgs of the \`genesys\` profile: 300 ` +
              'requests a minute in fixed windows, `inin-ratelimit-*` headers, `bu-1` described with its codes and agents.',
            `${BAD_SHARE * 100} % of each tenant's rows are bad (${badPerTenant} a tenant, the three kinds in turn): ` +
              'activity code `ac-typo`, the shift 7 days later than its week, agent `stranger-N`; one more row a ' +
              "tenant has the simulator's refuse marker in its notes (a refusal no check can see).",
          ],
          checks: [
            check(
              'every good row lands exactly once',
              figures.applied === goodRows && measured.duplicateShifts === 0 && figures.lost === 0,
              `${figures.applied}/${goodRows} good rows held as shifts, ${measured.duplicateShifts} duplicate shifts, ` +
                `${figures.lost} lost, ${measured.appliedAndReportedFailed} both held and reported failed`,
            ),
            check(
              'every bad row fails with its own reason, and no other row fails',
              wrong.length === 0 && unreported.length === 0 && failures.length === expected.size,
              `${failures.length} failures reported for ${expected.size} bad rows (${codes || 'none'})` +
                (wrong.length > 0 ? `; wrong: ${wrong.join('; ')}` : '') +
                (unreported.length > 0 ? `; not reported: ${unreported.join(', ')}` : ''),
            ),
            check(
              'the job ends completed-with-failures, exactly the bad rows failed',
              result.status === 'completed-with-failures' &&
                result.failed === expected.size &&
                result.applied === goodRows,
              `status ${result.status}, ${result.applied} applied, ${result.failed} failed of ${result.total}`,
            ),
            check(
              'the rows the writer can check never reach the platform; the marked ones do, and are refused',
              checkable === 0 && refusals('marker') >= tenantIds.length,
              `updates refused by the simulator for an unknown code, a date outside the schedule or a stranger: ` +
                `${checkable}; for the marker: ${refusals('marker')}`,
            ),
            retryAfterCheck(scene, figures.violations, `${status429} × 429 of ${requests} requests`),
          ],
          notes: [
            `${started} updates started for ${batches} batches: ${started - batches} extra, the halves of each update ` +
              `that ended Error (${errored} did) down to the marked row, then its tries alone; ` +
              `${requests} platform requests, ${status429} answered 429 (${percent(status429, requests)}).`,
          ],
        };
      },
    ),
};

/**
 * The benchmark's scenarios (issue 6, (a)–(f)), at full size and at smoke-test size (`--quick`). Full sizes are
 * chosen so that every system of every scenario runs in under 15 minutes on a 2-core machine; where a size
 * differs from the wording, `summary` says how and why.
 */
import type { ThrottleLimits } from '../simulator/config';
import { GENESYS_THROTTLE, type OrgProfile } from '../simulator/profile';
import { fixedWindowIdealSeconds, jobIdeal, requestsFor, type Ideal, type LimitDrop } from './ideal';

export const SYSTEMS = [
  'wfm-bulk',
  'wfm-bulk (rate configured)',
  'wfm-bulk (Genesys writer)',
  'forum',
  'p-limit loop',
  'temporal-ceiling',
] as const;
/** Systems measured beside the others without a makespan ratio: their requests are not the PUTs the ideal counts. */
export const UNCHARTED_SYSTEMS: readonly SystemName[] = ['temporal-ceiling', 'wfm-bulk (Genesys writer)'];
/** The two ways a worker process starts, measured by the start-up scenario (`startup.ts`), not charted. */
export const STARTUP_SYSTEMS = ['worker compiled (node)', 'worker sources (tsx)'] as const;
export type SystemName = (typeof SYSTEMS)[number] | (typeof STARTUP_SYSTEMS)[number];
/** The start-up scenario's id (`startup.ts`): its rows are tabled apart, since they have no job. */
export const STARTUP_ID = 'startup';

/** Rows per schedule update when the Genesys writer runs a scenario: one update carries many shifts. */
export const GENESYS_BATCH_SIZE = 50;

/** The Genesys preset's id: like the start-up scenario, it stands apart from (a)–(f) and its rows stand alone. */
export const GENESYS_PRESET_ID = 'g';
/**
 * Platform requests the Genesys writer makes for a batch when nothing goes wrong (read, upload URL, update, read
 * back; (a) made 600 for 100 batches): (g)'s ideal and time limit before it runs. Its published ideal counts the
 * requests the run made.
 */
export const GENESYS_REQUESTS_PER_BATCH = 6;

export interface TenantSpec {
  /** Org name; the harness world appends its suffix. */
  name: string;
  assignments: number;
  /** null = unthrottled. */
  throttle: ThrottleLimits | null;
  /** The throttle changes mid-job (scenario f). */
  drop?: LimitDrop;
}

export interface Scenario {
  id: string;
  title: string;
  /** One or two sentences for the docs: what it shows and how its sizes were chosen. */
  summary: string;
  tenants: TenantSpec[];
  batchSize: number;
  /** PUTs in flight per tenant, for every system (the forum's is fixed at 5 by its algorithm). */
  concurrency: number;
  /** Fixed latency the simulator adds to every admitted PUT, ms. */
  latencyMs: number;
  systems: SystemName[];
  /** Orgs of this simulator profile (its throttle, headers and permissions); `tenants[].throttle` is then unused. */
  profile?: OrgProfile;
}

const USER_REPORT_THROTTLE = { burst: 50, refillPerSecond: 8 };
/**
 * Every throttled scenario's PUTs take 20 ms, so requests overlap as they do on a real API. It does not move the
 * ideal: 5 PUTs in flight at 20 ms carry 250/s, far above any refill here.
 */
const API_LATENCY_MS = 20;
const ALL_SYSTEMS: SystemName[] = ['wfm-bulk', 'wfm-bulk (rate configured)', 'forum', 'p-limit loop'];
/**
 * Nothing to configure on an unthrottled API: one wfm-bulk run; beside it the same workflows and activities doing
 * nothing (`temporal-ceiling`), the most this machine and dev server orchestrate.
 */
const UNTHROTTLED_SYSTEMS: SystemName[] = ['wfm-bulk', 'temporal-ceiling', 'forum', 'p-limit loop'];

function tenants(count: number, assignments: number, throttle: ThrottleLimits | null): TenantSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `tenant-${i + 1}`, assignments, throttle }));
}

/** (f): tenants at different refill rates; tenant-3's limit falls to `dropTo` at 30 % of the undisturbed ideal. */
function mixedLimits(assignments: number, burst: number, dropTo: number): TenantSpec[] {
  const specs: TenantSpec[] = [4, 8, 8, 16, 32].map((refillPerSecond, i) => ({
    name: `tenant-${i + 1}`,
    assignments,
    throttle: { burst, refillPerSecond },
  }));
  const undisturbed = jobIdeal(specs.map((tenant) => load(tenant, 1, 5, 0)));
  specs[2]!.drop = { afterMs: Math.round(undisturbed.idealMs * 0.3), to: { burst, refillPerSecond: dropTo } };
  return specs;
}

export function scenarios(quick: boolean): Scenario[] {
  const size = <T>(full: T, smoke: T) => (quick ? smoke : full);
  return [
    {
      id: 'a',
      title: 'user report',
      summary:
        'The forum report: 10 tenants × 500 assignments, one per PUT, burst 50 then 8/s (the simulator default). ' +
        'Ideal (500 − 50) / 8 = 56.25 s.',
      tenants: size(tenants(10, 500, USER_REPORT_THROTTLE), tenants(3, 100, { burst: 20, refillPerSecond: 8 })),
      batchSize: 1,
      concurrency: 5,
      latencyMs: API_LATENCY_MS,
      // Beside them, the same job written through Genesys' schedule update (`GENESYS_BATCH_SIZE` rows an update).
      systems: [...ALL_SYSTEMS, 'wfm-bulk (Genesys writer)'],
    },
    {
      id: 'b',
      title: 'batched',
      summary:
        'The same job at 25 assignments per PUT: 20 PUTs per tenant, all inside the burst of 50, so the throttle ' +
        'never bites; the ideal is the latency bound 20 × 20 ms / 5 = 0.08 s (no ratio) and the makespan is ' +
        'orchestration and request time alone.',
      tenants: size(tenants(10, 500, USER_REPORT_THROTTLE), tenants(3, 100, USER_REPORT_THROTTLE)),
      batchSize: 25,
      concurrency: 5,
      latencyMs: API_LATENCY_MS,
      systems: ALL_SYSTEMS,
    },
    {
      id: 'c',
      title: '100 tenants',
      summary:
        '100 tenants × 500 assignments at 20 per PUT (25 PUTs each), burst 5 then 1/s: ideal (25 − 5) / 1 = 20 s. ' +
        'Batch size and throttle are scaled down from the defaults so that the run fits the time budget. At full ' +
        'speed the 100 tenants need 100 PUTs/s after their bursts, near what this 2-core machine orchestrates ' +
        'with 100 tenant workflows at once: `temporal-ceiling` runs the same shape with activities that only wait ' +
        'for their turn, and wfm-bulk is measured against it (makespan, memory, cost per write).',
      tenants: size(
        tenants(100, 500, { burst: 5, refillPerSecond: 1 }),
        tenants(20, 100, { burst: 2, refillPerSecond: 1 }),
      ),
      batchSize: 20,
      concurrency: 5,
      latencyMs: API_LATENCY_MS,
      // Beside them, Temporal alone in the same shape: what the machine orchestrates at most with 100 tenants.
      systems: [...ALL_SYSTEMS, 'temporal-ceiling'],
    },
    {
      id: 'd',
      title: 'one big tenant',
      summary:
        '1 tenant × 20,000 assignments at 25 per PUT (800 PUTs), burst 50 then 40/s: ideal (800 − 50) / 40 = ' +
        '18.75 s. The refill is 5× the default so that four systems fit the time budget (at 8/s each run would ' +
        'take ~94 s).',
      tenants: size(
        tenants(1, 20_000, { burst: 50, refillPerSecond: 40 }),
        tenants(1, 2_000, { burst: 20, refillPerSecond: 20 }),
      ),
      batchSize: 25,
      concurrency: 5,
      latencyMs: API_LATENCY_MS,
      systems: ALL_SYSTEMS,
    },
    {
      id: 'e',
      title: 'unthrottled',
      summary:
        'Orchestration capacity: 10 tenants × 500 assignments, one per PUT, no throttle, 5 ms latency, 20 PUTs ' +
        'in flight per tenant. The lower bound 500 × 5 ms / 20 = 0.125 s is latency alone (no ratio); the figure ' +
        'that counts is PUT activities per second (5,000 activities: long enough for a steady rate, short enough ' +
        'for the budget), beside `temporal-ceiling`: the same 10 child workflows each keeping 20 activities in ' +
        'flight on its own queue, activities that do nothing.',
      tenants: size(tenants(10, 500, null), tenants(3, 200, null)),
      batchSize: 1,
      concurrency: 20,
      latencyMs: 5,
      systems: UNTHROTTLED_SYSTEMS,
    },
    {
      id: 'f',
      title: 'mixed limits, one drops',
      summary:
        '5 tenants × 100 assignments, one per PUT, burst 20, refill 4, 8, 8, 16 and 32/s; tenant-3 falls from 8/s ' +
        'to 2/s at 30 % of the undisturbed ideal (6 s after the first PUT). Ideal, piecewise: 6 s + (100 − 20 − ' +
        '8 × 6) / 2 = 22 s (tenant-3 becomes the slowest).',
      tenants: size(mixedLimits(100, 20, 2), mixedLimits(60, 10, 2)),
      batchSize: 1,
      concurrency: 5,
      latencyMs: API_LATENCY_MS,
      systems: ALL_SYSTEMS,
    },
  ];
}

/**
 * (g): the Genesys writer alone against orgs of the simulator's `genesys` profile, 300 requests a minute in fixed
 * windows with `inin-ratelimit-*` headers and Retry-After up to 60 s.
 */
export function genesysPreset(quick: boolean): Scenario {
  return {
    id: GENESYS_PRESET_ID,
    title: 'Genesys preset',
    summary:
      "20 tenants × 2,000 shifts through the Genesys writer alone, orgs of the simulator's `genesys` profile (300 " +
      'requests a minute per org in fixed windows, `inin-ratelimit-*` headers, Retry-After up to 60 s), one week ' +
      'schedule per tenant (its updates go one at a time). 25 rows an update: about 80 updates and 480 platform ' +
      "requests a tenant, two of the limit's windows, so the limit comes into play; at the few hundred rows " +
      'docs/genesys.md advises, 2,000 shifts take about 60 requests and never meet it. Ideal: per tenant, the ' +
      "requests the run made, less its 429s, in windows of 300: (windows − 1) × 60 s; the job's is its busiest " +
      "tenant's.",
    tenants: quick ? tenants(3, 200, null) : tenants(20, 2_000, null),
    batchSize: 25,
    concurrency: 4,
    latencyMs: 0,
    systems: ['wfm-bulk (Genesys writer)'],
    profile: 'genesys',
  };
}

/** The load of one tenant: one schedule per tenant, so its PUTs are exactly ⌈assignments / batch size⌉. */
export function load(tenant: TenantSpec, batchSize: number, concurrency: number, latencyMs: number) {
  return {
    requests: requestsFor([tenant.assignments], batchSize),
    throttle: tenant.throttle,
    ...(tenant.drop && { drop: tenant.drop }),
    latencyMs,
    concurrency,
  };
}

export function scenarioIdeal(scenario: Scenario): Ideal {
  if (scenario.profile === 'genesys') {
    const batches = Math.max(0, ...scenario.tenants.map((t) => requestsFor([t.assignments], scenario.batchSize)));
    return genesysIdeal([batches * GENESYS_REQUESTS_PER_BATCH]);
  }
  return jobIdeal(scenario.tenants.map((t) => load(t, scenario.batchSize, scenario.concurrency, scenario.latencyMs)));
}

/**
 * The fastest the `genesys` profile's limit allows tenants making these requests (429s excluded): per tenant, its
 * requests in fixed windows; the job's is its slowest tenant's. No ratio where every tenant's fit in one window.
 */
export function genesysIdeal(requestsPerTenant: readonly number[]): Ideal {
  if (!('fixedWindow' in GENESYS_THROTTLE)) throw new Error('the genesys profile has no fixed-window throttle');
  const window = GENESYS_THROTTLE.fixedWindow;
  const idealMs = Math.max(0, ...requestsPerTenant.map((n) => fixedWindowIdealSeconds(n, window) * 1000));
  return { idealMs, throttleBound: idealMs > 0 };
}

export function totalAssignments(scenario: Scenario): number {
  return scenario.tenants.reduce((sum, t) => sum + t.assignments, 0);
}

export function totalRequests(scenario: Scenario): number {
  return scenario.tenants.reduce((sum, t) => sum + requestsFor([t.assignments], scenario.batchSize), 0);
}

/**
 * How long a run may take before it is stopped and reported as timed out: 1.5 × the ideal + 20 s, and at least
 * 20 PUTs a second's worth (this machine orchestrates about 50 with 100 tenant workflows at once). It keeps a
 * slow run from eating the bench's 15-minute budget while still telling apart "a bit slow" from "far off".
 */
export function runTimeoutMs(scenario: Scenario): number {
  // (g): its estimated ideal twice over, plus two windows: room for requests beyond the estimate.
  if (scenario.profile === 'genesys') return Math.round(2 * scenarioIdeal(scenario).idealMs + 120_000);
  return Math.round(Math.max(1.5 * scenarioIdeal(scenario).idealMs + 20_000, (totalRequests(scenario) / 20) * 1000));
}

/** What one system's run of one scenario measured, and how it is written to results/bench/latest.json. */
import type { SimulatorStats } from '../simulator';
import type { SystemName } from './scenarios';
import type { ServerCostPerWrite } from './server-requests';

/** One row of latest.json: exactly these keys; null where a figure does not apply or the run failed. */
export interface BenchResult {
  scenario: string;
  system: SystemName;
  makespanMs: number | null;
  idealMs: number | null;
  ratio: number | null;
  requests: number | null;
  share429: number | null;
  violations: number | null;
  lost: number | null;
  peakConcurrency: number | null;
  activitiesPerSec: number | null;
  peakRssMb: number | null;
}

/** A row plus what only the docs show. */
export interface Measurement extends BenchResult {
  /** First PUT's arrival to last PUT's arrival at the simulator, ms. */
  putSpanMs: number | null;
  /** Genesys writer: the job's batches (one schedule update each when nothing is refused), for requests a batch. */
  batches?: number;
  /** wfm-bulk: the worker process's peak before the job (start-up, bundling the workflow code included), MB. */
  startupRssMb?: number | null;
  /** Why the run produced no (or only partial) figures. */
  error?: string;
  /** The run was stopped after this long, unfinished; its simulator figures are those at that moment. */
  timedOutAfterMs?: number;
  /** What each write asked of the Temporal server (`server-requests.ts`). */
  serverPerWrite?: ServerCostPerWrite;
  /** The worker process's CPU time during the job, per write (one activity), ms. */
  workerCpuMsPerWrite?: number;
  /** When the tenants began writing and how long each one wrote (wfm-bulk and temporal-ceiling). */
  tenantTimes?: TenantTimes;
}

/**
 * Where a makespan goes: how long after the job's start its tenants began writing, and how long one tenant's
 * writes then took. A makespan is about the last tenant's start plus one tenant's writing.
 */
export interface TenantTimes {
  /** The job's start to a tenant's first write, ms: the median over the tenants. */
  firstWriteMedianMs: number;
  /** The same for the tenant that began last, ms. */
  firstWriteLastMs: number;
  /** A tenant's first write to its last, ms: the median over the tenants. */
  writingMedianMs: number;
}

/**
 * Tenant times from the job's start and each tenant's first and last write (epoch ms). Tenants that never wrote are
 * left out; none without a tenant that wrote.
 */
export function tenantTimes(
  jobStartMs: number,
  tenants: readonly { firstWriteAt?: number | null; lastWriteAt?: number | null }[],
): TenantTimes | undefined {
  const wrote = tenants.flatMap(({ firstWriteAt, lastWriteAt }) =>
    firstWriteAt == null || lastWriteAt == null ? [] : [{ firstWriteAt, lastWriteAt }],
  );
  if (wrote.length === 0) return undefined;
  const starts = wrote.map((tenant) => tenant.firstWriteAt - jobStartMs);
  return {
    firstWriteMedianMs: median(starts),
    firstWriteLastMs: Math.max(...starts),
    writingMedianMs: median(wrote.map((tenant) => tenant.lastWriteAt - tenant.firstWriteAt)),
  };
}

/** The middle value; of an even count, the mean of the two middle ones, rounded. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

export function toResultRow(measurement: Measurement): BenchResult {
  const { scenario, system, makespanMs, idealMs, ratio, requests, share429, violations, lost } = measurement;
  const { peakConcurrency, activitiesPerSec, peakRssMb } = measurement;
  return {
    scenario,
    system,
    makespanMs,
    idealMs,
    ratio,
    requests,
    share429,
    violations,
    lost,
    peakConcurrency,
    activitiesPerSec,
    peakRssMb,
  };
}

export interface SimulatorFigures {
  requests: number;
  share429: number;
  violations: number;
  lost: number;
  peakConcurrency: number;
  putSpanMs: number | null;
}

/** Figures of a run from the stats of its own simulator (every org in it belongs to the run). */
export function simulatorFigures(stats: SimulatorStats, inputAssignments: number): SimulatorFigures {
  const orgs = Object.values(stats.orgs);
  const sum = (pick: (org: (typeof orgs)[number]) => number) => orgs.reduce((total, org) => total + pick(org), 0);
  const requests = sum((org) => org.putRequests);
  const firstPuts = orgs.flatMap((org) => (org.firstPutAt === null ? [] : [org.firstPutAt]));
  const lastPuts = orgs.flatMap((org) => (org.lastPutAt === null ? [] : [org.lastPutAt]));
  return {
    requests,
    share429: requests === 0 ? 0 : round(sum((org) => org.status429) / requests, 4),
    violations: sum((org) => org.violations),
    lost: inputAssignments - sum((org) => org.assignmentsApplied),
    peakConcurrency: Math.max(0, ...orgs.map((org) => org.peakConcurrency)),
    putSpanMs: firstPuts.length === 0 ? null : Math.max(...lastPuts) - Math.min(...firstPuts),
  };
}

/** The worker's CPU per write from two readings (absent where either could not be read). */
export function cpuPerWrite(
  before: number | undefined,
  after: number | undefined,
  writes: number,
): { workerCpuMsPerWrite?: number } {
  return before === undefined || after === undefined
    ? {}
    : { workerCpuMsPerWrite: round((after - before) / writes, 2) };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * A row for a run stopped unfinished: the simulator's figures at that moment; no makespan, nothing lost yet.
 * With `countsActivities` (wfm-bulk), the rate of PUTs answered 2xx so far stands for activities per second.
 */
export function timedOutMeasurement(
  run: Pick<Measurement, 'scenario' | 'system' | 'idealMs' | 'startupRssMb'>,
  timeoutMs: number,
  stats: SimulatorStats,
  inputAssignments: number,
  peakRssMb: number | null,
  countsActivities = false,
): Measurement {
  const { lost, ...figures } = simulatorFigures(stats, inputAssignments);
  const completed = Object.values(stats.orgs).reduce((sum, org) => sum + org.status2xx, 0);
  return {
    ...run,
    makespanMs: null,
    ratio: null,
    ...figures,
    lost: null,
    activitiesPerSec: countsActivities ? round(completed / (timeoutMs / 1000), 1) : null,
    peakRssMb,
    timedOutAfterMs: timeoutMs,
    error: `timed out after ${Math.round(timeoutMs / 1000)} s, ${inputAssignments - lost} of ${inputAssignments} assignments applied`,
  };
}

/** A row with no figure yet: each run fills in those that apply to it. */
export function blankMeasurement(scenario: string, system: SystemName, idealMs: number): Measurement {
  return {
    scenario,
    system,
    makespanMs: null,
    idealMs,
    ratio: null,
    requests: null,
    share429: null,
    violations: null,
    lost: null,
    peakConcurrency: null,
    activitiesPerSec: null,
    peakRssMb: null,
    putSpanMs: null,
  };
}

/** A row for a run that failed: the error instead of figures. */
export function failedMeasurement(scenario: string, system: SystemName, idealMs: number, error: unknown): Measurement {
  return {
    ...blankMeasurement(scenario, system, idealMs),
    error: error instanceof Error ? error.message : String(error),
  };
}

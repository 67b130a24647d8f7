/** The results and targets tables, rendered into docs/PERFORMANCE.md. Pure. */
import type { Measurement } from '../results';
import { STARTUP_ID, type Scenario } from '../scenarios';
import type { TargetCheck } from '../targets';
import { count, markdownTable, percent, ratio, scenarioLabel, seconds, timedOutRatio } from './format';

const RESULT_HEADER = [
  'scenario',
  'system',
  'makespan s',
  'ideal s',
  'ratio',
  'requests',
  '429 share',
  'violations',
  'lost',
  'peak conc.',
  'activities/s',
  'peak RSS MB',
  'first→last PUT s',
];

/** A timed-out run's makespan and ratio are lower bounds: "> …". */
function makespanCells(row: Measurement, scenarios: readonly Scenario[]): [string, string] {
  if (row.timedOutAfterMs === undefined) {
    return [row.error === undefined ? seconds(row.makespanMs) : 'failed', ratio(row.ratio)];
  }
  const atLeast = timedOutRatio(row, scenarios);
  return [`> ${seconds(row.timedOutAfterMs)}`, atLeast === null ? ratio(null) : `> ${ratio(atLeast)}`];
}

export function resultsTable(rows: readonly Measurement[], scenarios: readonly Scenario[]): string {
  return markdownTable(
    RESULT_HEADER,
    rows
      .filter((row) => row.scenario !== STARTUP_ID)
      .map((row) => [
        scenarioLabel(row.scenario, scenarios),
        row.system,
        makespanCells(row, scenarios)[0],
        seconds(row.idealMs),
        makespanCells(row, scenarios)[1],
        count(row.requests),
        percent(row.share429),
        count(row.violations),
        count(row.lost),
        count(row.peakConcurrency),
        count(row.activitiesPerSec),
        count(row.peakRssMb),
        seconds(row.putSpanMs),
      ]),
  );
}

/** The start-up scenario's rows: spawn to ready and RSS at ready, per way of running the worker; '' when none. */
export function startupTable(rows: readonly Measurement[]): string {
  const startups = rows.filter((row) => row.scenario === STARTUP_ID);
  if (startups.length === 0) return '';
  return markdownTable(
    ['worker', 'start-up s (median)', 'RSS at ready MB (median)'],
    startups.map((row) => [
      row.system,
      row.error === undefined ? seconds(row.makespanMs) : 'failed',
      count(row.peakRssMb),
    ]),
  );
}

/** Why runs failed, one line each; empty when none did. */
export function failureNotes(rows: readonly Measurement[]): string {
  return rows
    .filter((row) => row.error !== undefined)
    .map((row) => `- (${row.scenario}) ${row.system}: ${row.error!.split('\n')[0]}`)
    .join('\n');
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const mark = { met: '✅ met', missed: '❌ missed', 'not measured': 'not measured' } as const;
  return markdownTable(
    ['target (wfm-bulk)', 'figure', 'verdict'],
    checks.map((check) => [check.target, check.figure, mark[check.verdict]]),
  );
}

/** A row of a scenario that the ceiling also runs ((c) and (e)): the rows its figures compare. */
function againstCeiling(row: Measurement, scenarios: readonly Scenario[]): boolean {
  return scenarios.some((scenario) => scenario.id === row.scenario && scenario.systems.includes('temporal-ceiling'));
}

/** What one write cost Temporal and the worker, where measured ((c) and (e), product and ceiling). */
export function costTable(rows: readonly Measurement[], scenarios: readonly Scenario[]): string {
  // The baselines ask nothing of Temporal: only the product's and the ceiling's rows.
  const measured = rows.filter(
    (row) => row.serverPerWrite && row.serverPerWrite.requests > 0 && againstCeiling(row, scenarios),
  );
  if (measured.length === 0) return '';
  const cell = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  return markdownTable(
    [
      'scenario',
      'system',
      'server CPU ms',
      'worker CPU ms',
      'server requests',
      'heartbeats',
      'workflow tasks',
      'database calls',
    ],
    measured.map((row) => {
      const cost = row.serverPerWrite!;
      return [
        scenarioLabel(row.scenario, scenarios),
        row.system,
        cell(cost.cpuMs),
        cell(row.workerCpuMsPerWrite),
        cell(cost.requests),
        cell(cost.byOperation.RecordActivityTaskHeartbeat ?? 0),
        cell(cost.byOperation.RespondWorkflowTaskCompleted ?? 0),
        cell(cost.persistence),
      ];
    }),
  );
}

/** Where a makespan goes, for the scenarios measured against the ceiling: tenants' starts and one tenant's writing. */
export function tenantTimesTable(rows: readonly Measurement[], scenarios: readonly Scenario[]): string {
  const measured = rows.filter((row) => row.tenantTimes && againstCeiling(row, scenarios));
  if (measured.length === 0) return '';
  return markdownTable(
    [
      'scenario',
      'system',
      'makespan s',
      'first write, median tenant s',
      'first write, last tenant s',
      "a tenant's writes, median s",
      'ideal s',
    ],
    measured.map((row) => {
      const times = row.tenantTimes!;
      return [
        scenarioLabel(row.scenario, scenarios),
        row.system,
        seconds(row.makespanMs),
        seconds(times.firstWriteMedianMs),
        seconds(times.firstWriteLastMs),
        seconds(times.writingMedianMs),
        seconds(row.idealMs),
      ];
    }),
  );
}

/** Issue 6's targets, checked against a run's measurements. Pure. */
import type { Measurement } from './results';
import type { SystemName } from './scenarios';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetCheck {
  target: string;
  /** The worst figure among the rows the target applies to, and where. */
  figure: string;
  verdict: Verdict;
}

const PRODUCT: SystemName[] = ['wfm-bulk', 'wfm-bulk (rate configured)'];
/** Every way the product writes: the promises that hold whatever the writer. */
const ANY_WRITER: SystemName[] = [...PRODUCT, 'wfm-bulk (Genesys writer)'];

interface Rule {
  target: string;
  applies(row: Measurement): boolean;
  value(row: Measurement): number | null;
  /** Higher is worse, except for throughput. */
  worseIsLower?: boolean;
  limit: number;
  format(value: number): string;
}

const RULES: Rule[] = [
  {
    target: 'makespan ≤ 1.15 × ideal, limits learned from 429s alone',
    applies: (row) => row.system === 'wfm-bulk' && row.scenario !== 'b' && row.scenario !== 'e',
    value: (row) => row.ratio,
    limit: 1.15,
    format: (v) => `${v.toFixed(2)}×`,
  },
  {
    target: 'makespan ≤ 1.05 × ideal, limit configured',
    applies: (row) => row.system === 'wfm-bulk (rate configured)' && row.scenario !== 'b',
    value: (row) => row.ratio,
    limit: 1.05,
    format: (v) => `${v.toFixed(2)}×`,
  },
  {
    target: '429 share ≤ 2 %',
    applies: (row) => PRODUCT.includes(row.system),
    value: (row) => row.share429,
    limit: 0.02,
    format: (v) => `${(v * 100).toFixed(1)} %`,
  },
  {
    target: 'Retry-After violations 0',
    applies: (row) => ANY_WRITER.includes(row.system),
    value: (row) => row.violations,
    limit: 0,
    format: String,
  },
  {
    target: 'lost assignments 0',
    applies: (row) => ANY_WRITER.includes(row.system),
    value: (row) => row.lost,
    limit: 0,
    format: String,
  },
  {
    target: '≥ 300 PUT activities/s in (e)',
    applies: (row) => row.system === 'wfm-bulk' && row.scenario === 'e',
    value: (row) => row.activitiesPerSec,
    worseIsLower: true,
    limit: 300,
    format: (v) => `${v}/s`,
  },
];

function where(row: Measurement): string {
  return row.system === 'wfm-bulk' ? `(${row.scenario})` : `(${row.scenario}, ${row.system})`;
}

function unmeasured(row: Measurement): string {
  const what =
    row.timedOutAfterMs === undefined ? 'run failed' : `timed out after ${Math.round(row.timedOutAfterMs / 1000)} s`;
  return `${what} ${where(row)}`;
}

function check(rule: Rule, rows: readonly Measurement[]): TargetCheck {
  const applicable = rows.filter((row) => rule.applies(row));
  // A run without the figure because it failed or timed out misses the target; one where it does not apply does not count.
  const missing = applicable.find((row) => rule.value(row) === null && row.error !== undefined);
  if (missing) return { target: rule.target, figure: unmeasured(missing), verdict: 'missed' };
  const measured = applicable.flatMap((row) => {
    const value = rule.value(row);
    return value === null ? [] : [{ row, value }];
  });
  if (measured.length === 0) return { target: rule.target, figure: '–', verdict: 'not measured' };
  const worst = measured.reduce((a, b) => ((rule.worseIsLower ? b.value < a.value : b.value > a.value) ? b : a));
  const met = rule.worseIsLower ? worst.value >= rule.limit : worst.value <= rule.limit;
  const figure =
    measured.length > 1 ? `worst ${rule.format(worst.value)} ${where(worst.row)}` : rule.format(worst.value);
  return { target: rule.target, figure, verdict: met ? 'met' : 'missed' };
}

/** Share of the Temporal ceiling of the same shape that wfm-bulk reaches in (c) and (e). */
export const CEILING_SHARE_TARGET = 0.8;
/** The worker's peak RSS in (c) at most this × the ceiling's, whose 100 Workers cost the same. */
export const CEILING_RSS_TARGET = 1.25;

const ceilingOf = (rows: readonly Measurement[], scenario: string) =>
  rows.find((row) => row.scenario === scenario && row.system === 'temporal-ceiling');

/** (e): activities per second; (c), paced by the API: the ceiling's makespan over the product's. */
function ceilingShare(rows: readonly Measurement[], scenario: 'c' | 'e'): TargetCheck {
  const what = scenario === 'e' ? 'PUT activities/s' : 'makespan';
  const target = `${what} in (${scenario}) ≥ ${CEILING_SHARE_TARGET} × temporal-ceiling's`;
  const ceiling = ceilingOf(rows, scenario);
  const products = rows.filter((row) => row.scenario === scenario && PRODUCT.includes(row.system));
  const shares = products.flatMap((row) => {
    if (scenario === 'e')
      return row.activitiesPerSec && ceiling?.activitiesPerSec
        ? [
            {
              row,
              share: row.activitiesPerSec / ceiling.activitiesPerSec,
              text: `${row.activitiesPerSec}/s of ${ceiling.activitiesPerSec}/s`,
            },
          ]
        : [];
    return row.makespanMs && ceiling?.makespanMs
      ? [
          {
            row,
            share: ceiling.makespanMs / row.makespanMs,
            text: `${(row.makespanMs / 1000).toFixed(1)} s against ${(ceiling.makespanMs / 1000).toFixed(1)} s`,
          },
        ]
      : [];
  });
  if (shares.length === 0) return { target, figure: '–', verdict: 'not measured' };
  const worst = shares.reduce((a, b) => (b.share < a.share ? b : a));
  return {
    target,
    figure: `${shares.length > 1 ? 'worst ' : ''}${worst.share.toFixed(2)} ${where(worst.row)} (${worst.text})`,
    verdict: worst.share >= CEILING_SHARE_TARGET ? 'met' : 'missed',
  };
}

function ceilingRss(rows: readonly Measurement[]): TargetCheck {
  const target = `worker peak RSS in (c) ≤ ${CEILING_RSS_TARGET} × temporal-ceiling's`;
  const ceiling = ceilingOf(rows, 'c')?.peakRssMb;
  const products = rows.filter((row) => row.scenario === 'c' && PRODUCT.includes(row.system) && row.peakRssMb);
  if (!ceiling || products.length === 0) return { target, figure: '–', verdict: 'not measured' };
  const worst = products.reduce((a, b) => (b.peakRssMb! > a.peakRssMb! ? b : a));
  const share = worst.peakRssMb! / ceiling;
  return {
    target,
    figure: `${products.length > 1 ? 'worst ' : ''}${share.toFixed(2)} ${where(worst)} (${worst.peakRssMb} MB against ${ceiling} MB)`,
    verdict: share <= CEILING_RSS_TARGET ? 'met' : 'missed',
  };
}

export function checkTargets(rows: readonly Measurement[]): TargetCheck[] {
  return [
    ...RULES.map((rule) => check(rule, rows)),
    ceilingShare(rows, 'c'),
    ceilingShare(rows, 'e'),
    ceilingRss(rows),
  ];
}

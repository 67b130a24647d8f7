/** How figures read in the Markdown table and the chart; "–" where a figure does not apply. */
import type { Measurement } from '../results';
import { scenarioIdeal, type Scenario } from '../scenarios';

const NONE = '–';

/** Seconds, with two decimals below 1 s so that small bounds do not read as 0. */
export const seconds = (ms: number | null) => (ms === null ? NONE : (ms / 1000).toFixed(ms < 1000 ? 2 : 1));
export const ratio = (value: number | null) => (value === null ? NONE : `${value.toFixed(2)}×`);
export const percent = (share: number | null) => (share === null ? NONE : `${(share * 100).toFixed(1)} %`);
export const count = (value: number | null) => (value === null ? NONE : value.toLocaleString('en-US'));

export function scenarioLabel(id: string, scenarios: readonly Scenario[]): string {
  const scenario = scenarios.find((s) => s.id === id);
  return scenario ? `(${id}) ${scenario.title}` : `(${id})`;
}

/** A Markdown table from a header row and body rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** For a run stopped at its time limit, the ratio it had at least reached; null where there is no ratio. */
export function timedOutRatio(row: Measurement, scenarios: readonly Scenario[]): number | null {
  const scenario = scenarios.find((s) => s.id === row.scenario);
  const ideal = scenario && scenarioIdeal(scenario);
  if (row.timedOutAfterMs === undefined || !ideal?.throttleBound) return null;
  return row.timedOutAfterMs / ideal.idealMs;
}

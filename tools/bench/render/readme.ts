/** The README's Performance section: the part between the bench markers is rewritten by each full run. Pure. */
import type { Measurement } from '../results';
import type { Scenario } from '../scenarios';
import type { TargetCheck } from '../targets';
import type { RunInfo } from './performance-doc';
import { failureNotes, resultsTable, targetsTable } from './tables';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** `text` with what lies between the markers replaced by `content`; throws when the markers are missing. */
export function replaceBetweenMarkers(text: string, content: string, start = README_START, end = README_END): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, from + start.length)}\n\n${content.trim()}\n\n${text.slice(to)}`;
}

export function readmeSection(
  rows: readonly Measurement[],
  scenarios: readonly Scenario[],
  checks: readonly TargetCheck[],
  run: RunInfo,
): string {
  return [
    `Last run: ${run.date} on ${run.machine.cores} cores, Node.js ${run.machine.node}, ` +
      `\`${run.command}\`, ${(run.durationMs / 60_000).toFixed(1)} min.`,
    '',
    resultsTable(rows, scenarios),
    '',
    failureNotes(rows),
    '',
    targetsTable(checks),
    '',
    '![makespan ÷ ideal per scenario and system](docs/performance.svg)',
  ].join('\n');
}

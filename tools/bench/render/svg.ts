/**
 * docs/performance.svg: grouped bars of makespan ÷ ideal per scenario and system, with the ideal (1.0) as a
 * line. Hand-written SVG, no dependency. Pure.
 */
import type { Measurement } from '../results';
import { SYSTEMS, UNCHARTED_SYSTEMS, type Scenario } from '../scenarios';
import { timedOutRatio } from './format';

const WIDTH = 820;
const HEIGHT = 440;
const PLOT = { left: 70, right: 50, top: 60, bottom: 95 };
/** The systems with a makespan ratio; the Temporal ceiling measures throughput only, the Genesys writer its own requests. */
const CHARTED = SYSTEMS.filter((system) => !UNCHARTED_SYSTEMS.includes(system));
const COLOURS: Partial<Record<(typeof SYSTEMS)[number], string>> = {
  'wfm-bulk': '#2b6cb0',
  'wfm-bulk (rate configured)': '#68a0d8',
  forum: '#c05621',
  'p-limit loop': '#718096',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (n: number) => Number(n.toFixed(1));

/** A round top for the axis: at least 1.25, in steps that give about five ticks. */
export function axisMax(maxRatio: number): { top: number; step: number } {
  const wanted = Math.max(1.25, maxRatio * 1.08);
  const step = [0.25, 0.5, 1, 2, 5, 10, 20, 50].find((s) => wanted / s <= 6) ?? 100;
  return { top: Math.ceil(wanted / step) * step, step };
}

interface Bar {
  value: number;
  label: string;
  /** Stopped at the time limit: the bar is the least the ratio would have been. */
  unfinished: boolean;
}

function barOf(row: Measurement, scenarios: readonly Scenario[]): Bar | null {
  // A run that dropped assignments can beat the ideal: its label says so.
  if (row.ratio !== null)
    return { value: row.ratio, label: `${row.ratio.toFixed(2)}${row.lost ? '*' : ''}`, unfinished: false };
  const atLeast = timedOutRatio(row, scenarios);
  return atLeast === null ? null : { value: atLeast, label: `>${atLeast.toFixed(1)}`, unfinished: true };
}

export function renderChart(rows: readonly Measurement[], scenarios: readonly Scenario[]): string {
  // Scenarios with a charted system's row: one run by the Genesys writer alone ((g)) has no bar to draw.
  const ids = scenarios
    .map((s) => s.id)
    .filter((id) => rows.some((row) => row.scenario === id && CHARTED.some((system) => system === row.system)));
  const bars = rows.flatMap((row) => barOf(row, scenarios) ?? []);
  const { top, step } = axisMax(Math.max(0, ...bars.map((bar) => bar.value)));
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const y = (value: number) => fixed(PLOT.top + plotHeight * (1 - value / top));
  const groupWidth = plotWidth / Math.max(1, ids.length);
  const barWidth = (groupWidth * 0.8) / CHARTED.length;
  const parts: string[] = [];

  parts.push(
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">` +
      'Makespan ÷ ideal makespan per scenario (lower is better; 1.0 = the fastest the limits allow)</text>',
  );
  CHARTED.forEach((system, i) => {
    const x = PLOT.left + i * 190;
    parts.push(`<rect x="${x}" y="34" width="12" height="12" fill="${COLOURS[system]}"/>`);
    parts.push(`<text x="${x + 18}" y="44" font-size="12">${escape(system)}</text>`);
  });

  for (let tick = 0; tick <= top + 1e-9; tick += step) {
    parts.push(`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e2e8f0"/>`);
    parts.push(
      `<text x="${PLOT.left - 8}" y="${y(tick) + 4}" text-anchor="end" font-size="12">${tick.toFixed(2)}</text>`,
    );
  }

  ids.forEach((id, g) => {
    const groupX = PLOT.left + g * groupWidth + groupWidth * 0.1;
    CHARTED.forEach((system, i) => {
      const row = rows.find((r) => r.scenario === id && r.system === system);
      const x = fixed(groupX + i * barWidth);
      const centre = fixed(x + barWidth / 2);
      if (!row) return;
      const bar = barOf(row, scenarios);
      if (!bar) {
        parts.push(`<text x="${centre}" y="${y(0) - 6}" text-anchor="middle" font-size="10" fill="#4a5568">n/a</text>`);
        return;
      }
      const style = bar.unfinished ? 'fill-opacity="0.4" stroke="#1a202c" stroke-dasharray="3 2"' : '';
      parts.push(
        `<rect x="${x}" y="${y(bar.value)}" width="${fixed(barWidth - 2)}" height="${fixed(y(0) - y(bar.value))}" ` +
          `fill="${COLOURS[system]}" ${style}><title>${escape(`(${id}) ${system}: ${bar.label}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${centre}" y="${y(bar.value) - 4}" text-anchor="middle" font-size="10">${escape(bar.label)}</text>`,
      );
    });
    const title = scenarios.find((s) => s.id === id)?.title ?? '';
    const labelX = fixed(PLOT.left + (g + 0.5) * groupWidth);
    parts.push(`<text x="${labelX}" y="${y(0) + 18}" text-anchor="middle" font-size="12">(${id})</text>`);
    parts.push(
      `<text x="${labelX}" y="${y(0) + 32}" text-anchor="middle" font-size="10" fill="#4a5568">${escape(title)}</text>`,
    );
  });

  parts.push(
    `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(1)}" y2="${y(1)}" stroke="#c53030" ` +
      'stroke-width="1.5" stroke-dasharray="6 4"/>',
  );
  parts.push(
    `<text x="${WIDTH - PLOT.right - 4}" y="${y(1) - 5}" text-anchor="end" font-size="11" fill="#c53030">ideal</text>`,
  );
  parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${y(0)}" stroke="#1a202c"/>`);
  parts.push(`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(0)}" y2="${y(0)}" stroke="#1a202c"/>`);
  const midY = PLOT.top + plotHeight / 2;
  parts.push(
    `<text x="18" y="${midY}" text-anchor="middle" font-size="12" transform="rotate(-90 18 ${midY})">` +
      'makespan ÷ ideal</text>',
  );
  parts.push(
    `<text x="${PLOT.left + plotWidth / 2}" y="${y(0) + 50}" text-anchor="middle" font-size="12">scenario</text>`,
  );
  parts.push(
    `<text x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 24}" text-anchor="middle" font-size="11" fill="#4a5568">` +
      'n/a: every request fits in the burst or nothing is throttled, so no ideal set by the throttle; see the table</text>',
  );
  parts.push(
    `<text x="${PLOT.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="11" fill="#4a5568">` +
      '* lost assignments (dropped, not retried: how a run can beat the ideal); pale "&gt;x": stopped unfinished at ' +
      'the time limit</text>',
  );

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      'font-family="Helvetica, Arial, sans-serif">',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...parts.map((part) => `  ${part}`),
    '</svg>',
    '',
  ].join('\n');
}

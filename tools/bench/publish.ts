/** Writes a run's figures where people read them: results/bench/latest.json, docs/PERFORMANCE.md and its chart. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { PROJECT_ROOT } from '../paths';
import { performanceDoc, type RunInfo } from './render/performance-doc';
import { renderChart } from './render/svg';
import { toResultRow, type Measurement } from './results';
import type { Scenario } from './scenarios';
import { checkTargets } from './targets';

const at = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);

/** Markdown through the project's Prettier settings, so `npm run lint` stays clean after a run. */
async function prettyMarkdown(file: string, text: string): Promise<string> {
  return format(text, { ...(await resolveConfig(file)), filepath: file });
}

/** Every figure of a run, the docs-only ones included, under .data/bench/ (git-ignored); returns the path. */
export async function writeRunDetails(kind: 'full' | 'partial', run: RunInfo, measurements: Measurement[]) {
  const file = at('.data', 'bench', `${kind}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ run, measurements }, null, 2)}\n`);
  return path.relative(PROJECT_ROOT, file);
}

/** What `writeRunDetails` wrote. */
export async function readRunDetails(kind: 'full' | 'partial'): Promise<{ run: RunInfo; measurements: Measurement[] }> {
  const file = at('.data', 'bench', `${kind}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { run: RunInfo; measurements: Measurement[] };
  } catch (error) {
    throw new Error(
      `cannot read ${path.relative(PROJECT_ROOT, file)} (written by a full \`npm run bench\`): ${(error as Error).message}`,
    );
  }
}

export async function publish(measurements: Measurement[], scenarios: Scenario[], run: RunInfo): Promise<void> {
  await mkdir(at('results', 'bench'), { recursive: true });
  await writeFile(at('results', 'bench', 'latest.json'), `${JSON.stringify(measurements.map(toResultRow), null, 2)}\n`);
  await publishDocs(measurements, scenarios, run);
  console.log('bench: wrote results/bench/latest.json, docs/PERFORMANCE.md, docs/performance.svg');
}

async function publishDocs(measurements: Measurement[], scenarios: Scenario[], run: RunInfo): Promise<void> {
  const checks = checkTargets(measurements);
  await mkdir(at('docs'), { recursive: true });
  const doc = at('docs', 'PERFORMANCE.md');
  await writeFile(doc, await prettyMarkdown(doc, performanceDoc(measurements, scenarios, checks, run)));
  await writeFile(at('docs', 'performance.svg'), renderChart(measurements, scenarios));
}

/**
 * A partial run's stand-alone rows (see main.ts) into the last full run's details, replacing theirs, and the docs
 * written again from them, naming the run they came from. False when this machine has no full run's details.
 */
export async function publishStandAlone(fresh: Measurement[], scenarios: Scenario[], later: RunInfo): Promise<boolean> {
  let last;
  try {
    last = await readRunDetails('full');
  } catch {
    return false;
  }
  const key = (m: Measurement) => `${m.scenario}\u0000${m.system}`;
  const byKey = new Map(fresh.map((m) => [key(m), m]));
  const known = new Set(last.measurements.map(key));
  const measurements = [
    ...last.measurements.map((m) => byKey.get(key(m)) ?? m),
    ...fresh.filter((m) => !known.has(key(m))),
  ];
  const ids = [...new Set(fresh.map((m) => m.scenario))];
  const run: RunInfo = {
    ...last.run,
    later: [
      ...(last.run.later ?? []).filter((entry) => !ids.includes(entry.scenario)),
      ...ids.map((scenario) => ({ scenario, date: later.date, command: later.command })),
    ],
  };
  await writeRunDetails('full', run, measurements);
  await publishDocs(measurements, scenarios, run);
  return true;
}

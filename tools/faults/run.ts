/**
 * `npm run faults`: every scenario of the fault suite against a real Temporal dev server and the simulator,
 * then results/faults/latest.json and docs/RELIABILITY.md.
 *
 *   npm run faults                      the full suite (about 10 minutes), results and docs written
 *   npm run faults -- --only 1,5        some scenarios, full size; results in results/faults/partial.json
 *   npm run faults -- --ci              every scenario at the CI size (as test/faults runs them); partial.json
 *   npm run faults -- --render          re-renders docs/RELIABILITY.md from latest.json
 *   npm run faults -- --seed 42         replays the random moments of an earlier run
 *   npm run faults -- --timeout 255     a scenario still running after 255 s stops and prints where it stood
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { startDevServer } from '../temporal/dev-server';
import { PROJECT_ROOT, RESULTS_DIR as RESULTS_ROOT } from '../paths';
import { renderReliability, runInfo, type RunInfo } from './render';
import { SCENARIOS } from './scenarios';
import { createSuite, runScenario } from './suite';
import type { ScenarioResult } from './types';

const RESULTS_DIR = path.join(RESULTS_ROOT, 'faults');
const LATEST = path.join(RESULTS_DIR, 'latest.json');
const DOCS = path.join(PROJECT_ROOT, 'docs', 'RELIABILITY.md');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      ci: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      seed: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  if (values.render) {
    const saved = JSON.parse(await readFile(path.join(RESULTS_DIR, 'run.json'), 'utf8')) as RunInfo;
    const results = JSON.parse(await readFile(LATEST, 'utf8')) as ScenarioResult[];
    await writeDocs(saved, results);
    return 0;
  }
  const only = values.only?.split(',').map(Number);
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1_000;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new Error(`--timeout: not a number of seconds: ${values.timeout}`);
  const selected = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));
  const complete = !only && !values.ci;

  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-faults-'));
  const serverLog = path.join(dir, 'dev-server.log');
  const server = await startDevServer({ logFile: serverLog }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const suite = createSuite(server.address, { ...(values.seed && { seed: Number(values.seed) }) });
  suite.logs = {
    "log of the suite's dev server": () => (existsSync(serverLog) ? readFileSync(serverLog, 'utf8') : ''),
  };
  const stop = async () => {
    await suite.cleanup.runAll();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  const results: ScenarioResult[] = [];
  try {
    console.log(`fault suite: ${selected.length} scenario(s), seed ${suite.seed}, Temporal on ${server.address}`);
    for (const scenario of selected)
      results.push(await runScenario(suite, scenario, values.ci ? scenario.ci : scenario.full, { timeoutMs }));
  } finally {
    await stop();
  }

  const run = runInfo({
    command: `npm run faults${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    seed: suite.seed,
    seconds: Math.round((Date.now() - started) / 1000),
  });
  await mkdir(RESULTS_DIR, { recursive: true });
  if (complete) {
    await writeFile(LATEST, `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(path.join(RESULTS_DIR, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
    await writeDocs(run, results);
    console.log(`wrote ${path.relative(PROJECT_ROOT, LATEST)} and ${path.relative(PROJECT_ROOT, DOCS)}`);
  } else {
    const partial = path.join(RESULTS_DIR, 'partial.json');
    await writeFile(partial, `${JSON.stringify({ run, results }, null, 2)}\n`);
    console.log(`wrote ${path.relative(PROJECT_ROOT, partial)} (a partial run leaves latest.json and the docs alone)`);
  }
  printTable(results);
  return results.every((result) => result.passed) ? 0 : 1;
}

/** The rendered page, formatted as `npm run lint` expects it (Prettier with the project's settings). */
async function writeDocs(run: RunInfo, results: ScenarioResult[]): Promise<void> {
  await mkdir(path.dirname(DOCS), { recursive: true });
  const options = { ...(await prettier.resolveConfig(DOCS)), filepath: DOCS };
  await writeFile(DOCS, await prettier.format(renderReliability(run, results), options));
}

const TABLE_COLUMNS = [
  'scenario',
  'runs',
  'assignments',
  'applied',
  'failedWithReason',
  'lost',
  'duplicatePuts',
  'violations',
  'secretsFound',
  'seconds',
  'passed',
] as const;

function printTable(results: ScenarioResult[]): void {
  console.table(results.map((result) => Object.fromEntries(TABLE_COLUMNS.map((key) => [key, result[key]]))));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

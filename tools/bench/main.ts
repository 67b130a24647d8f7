/**
 * `npm run bench [-- --only a,c] [-- --quick] [-- --render]`: every scenario on every system against the API simulator and a
 * real Temporal dev server; see docs/PERFORMANCE.md. A full run writes results/bench/latest.json and the docs;
 * partial and quick runs print the table and write .data/bench/partial.json only, except the stand-alone rows
 * (worker start-up, `--only startup`, and the Genesys preset, `--only g`), which a full-size partial run merges into
 * latest.json (see merge-latest.ts) and into the last full run's details, whose docs it writes again. Every figure
 * of a run, the docs-only ones included, is kept in .data/bench/full.json or partial.json. `BENCH_TRACE=1` logs
 * each tenant's pacer every 2 s during wfm-bulk runs; `--render` publishes the last full run again.
 */
import os from 'node:os';
import { freePort, startDevServer } from '../temporal/dev-server';
import { Cleanup } from '../harness/cleanup';
import type { RunContext } from './run-control';
import { publish, publishStandAlone, readRunDetails, writeRunDetails } from './publish';
import type { RunInfo } from './render/performance-doc';
import { failedMeasurement, type Measurement } from './results';
import { failureNotes, resultsTable, startupTable, targetsTable } from './render/tables';
import { runBaseline } from './run/baseline';
import { runCeiling } from './run/ceiling';
import { runProduct } from './run/product';
import {
  GENESYS_PRESET_ID,
  genesysPreset,
  scenarioIdeal,
  scenarios as allScenarios,
  totalRequests,
  STARTUP_ID,
  type Scenario,
  type SystemName,
} from './scenarios';
import { costPerWrite, readServerCounts } from './server-requests';
import { runStartup, startupScenario } from './startup';
import { mergeIntoLatest } from './merge-latest';
import { checkTargets } from './targets';

interface Options {
  only?: Set<string>;
  /** Only these systems of each scenario (`--systems wfm-bulk,temporal-ceiling`), for profiling. */
  systems?: Set<string>;
  quick: boolean;
  /** Publish again from the last full run's figures, running nothing. */
  render: boolean;
}

function parseOptions(args: string[]): Options {
  const options: Options = { quick: false, render: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--render') options.render = true;
    else if (arg === '--only') options.only = new Set((args[++i] ?? '').split(',').filter(Boolean));
    else if (arg.startsWith('--only=')) options.only = new Set(arg.slice(7).split(',').filter(Boolean));
    else if (arg === '--systems') options.systems = new Set((args[++i] ?? '').split(',').filter(Boolean));
    else
      throw new Error(
        `unknown option ${arg}; usage: npm run bench [-- --only a,c] [-- --systems wfm-bulk,forum] [-- --quick] [-- --render]`,
      );
  }
  return options;
}

function runSystem(scenario: Scenario, system: SystemName, context: RunContext): Promise<Measurement> {
  switch (system) {
    case 'wfm-bulk':
      return runProduct(scenario, false, context);
    case 'wfm-bulk (rate configured)':
      return runProduct(scenario, true, context);
    case 'wfm-bulk (Genesys writer)':
      return runProduct(scenario, false, context, 'genesys');
    case 'forum':
    case 'p-limit loop':
      return runBaseline(scenario, system, context);
    case 'temporal-ceiling':
      return runCeiling(scenario, context);
    case 'worker compiled (node)':
    case 'worker sources (tsx)':
      return runStartup(system, context);
  }
}

function machine(): RunInfo['machine'] {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

const stamp = () => new Date().toISOString().slice(11, 19);

/** Scenarios whose rows share nothing with the other scenarios' runs: a full-size partial run publishes them alone. */
const STAND_ALONE = [STARTUP_ID, GENESYS_PRESET_ID];

/** The job scenarios, (a)–(f) and the Genesys preset (g). */
const jobScenarios = (quick: boolean) => [...allScenarios(quick), genesysPreset(quick)];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.render) {
    const { run, measurements } = await readRunDetails('full');
    await publish(measurements, jobScenarios(false), run);
    return;
  }
  const scenarios = [...jobScenarios(options.quick), startupScenario].filter(
    (s) => !options.only || options.only.has(s.id),
  );
  if (scenarios.length === 0) throw new Error(`no scenario matches --only ${[...(options.only ?? [])].join(',')}`);
  const full = !options.quick && !options.only && !options.systems;
  const cleanup = new Cleanup();
  const interrupted = () => {
    console.error('\nbench: interrupted, cleaning up');
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const startedAt = Date.now();
  const measurements: Measurement[] = [];
  try {
    console.log(
      `bench: scenarios ${scenarios.map((s) => s.id).join(', ')}${options.quick ? ' (quick)' : ''}, each on a fresh Temporal dev server`,
    );
    for (const scenario of scenarios) {
      // A fresh server per scenario: what earlier scenarios left in it (histories, hundreds of idle task queues)
      // would slow the later ones, and unevenly.
      const server = await startDevServer({ metricsPort: await freePort() });
      const stopServer = cleanup.add(() => server.stop());
      for (const system of scenario.systems.filter((name) => !options.systems || options.systems.has(name))) {
        const log = (line: string) => console.log(`[${stamp()}] (${scenario.id}) ${system}: ${line}`);
        log('running');
        let measurement: Measurement;
        try {
          const before = await readServerCounts(server);
          measurement = await runSystem(scenario, system, { address: server.address, cleanup, log });
          // What each write cost the server, beside the Temporal ceiling's no-op activity (startup has no writes).
          if (scenario.id !== STARTUP_ID)
            measurement.serverPerWrite = costPerWrite(before, await readServerCounts(server), totalRequests(scenario));
        } catch (error) {
          measurement = failedMeasurement(scenario.id, system, scenarioIdeal(scenario).idealMs, error);
          log(`FAILED: ${measurement.error}`);
        }
        measurements.push(measurement);
        const { makespanMs, ratio, lost, violations, share429 } = measurement;
        log(`makespan ${makespanMs} ms, ratio ${ratio}, lost ${lost}, violations ${violations}, 429 share ${share429}`);
        if (measurement.serverPerWrite) log(`server per write: ${JSON.stringify(measurement.serverPerWrite)}`);
        if (measurement.workerCpuMsPerWrite !== undefined)
          log(`worker CPU per write: ${measurement.workerCpuMsPerWrite} ms`);
      }
      await stopServer();
    }
  } finally {
    await cleanup.runAll();
  }

  const run: RunInfo = {
    date: new Date(startedAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationMs: Date.now() - startedAt,
    machine: machine(),
  };
  const checks = checkTargets(measurements);
  const notes = failureNotes(measurements);
  console.log(`\n${resultsTable(measurements, scenarios)}\n${notes && `\n${notes}\n`}\n${targetsTable(checks)}\n`);
  const startups = startupTable(measurements);
  if (startups) console.log(`${startups}\n`);
  console.log(`bench: ${(run.durationMs / 60_000).toFixed(1)} minutes`);
  const details = await writeRunDetails(full ? 'full' : 'partial', run, measurements);
  if (full)
    await publish(
      measurements,
      scenarios.filter((s) => s.id !== STARTUP_ID),
      run,
    );
  else await publishPartial(measurements, details, options.quick, run);
}

/**
 * After a partial run: stand-alone rows share nothing with the other scenarios' runs, so a full-size run brings them
 * up to date alone; every other published figure stays the last full run's.
 */
async function publishPartial(measurements: Measurement[], details: string, quick: boolean, run: RunInfo) {
  console.log(`bench: partial run, figures in ${details}`);
  const standAlone = measurements.filter((m) => STAND_ALONE.includes(m.scenario) && m.error === undefined);
  if (quick || standAlone.length === 0) {
    console.log('bench: published files unchanged');
    return;
  }
  await mergeIntoLatest(standAlone);
  const ids = [...new Set(standAlone.map((m) => m.scenario))].join(', ');
  console.log(`bench: rows of ${ids} merged into results/bench/latest.json`);
  if (await publishStandAlone(standAlone, jobScenarios(false), run))
    console.log('bench: and into .data/bench/full.json; wrote docs/PERFORMANCE.md, docs/performance.svg');
  else console.log('bench: no full run on this machine (.data/bench/full.json): docs not written');
}

// Exits when done: a Temporal runtime or a kept-alive connection of a run must not hold the process open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);

/**
 * The start-up scenario: how long a worker process takes from spawn to ready (its "worker: … serves" line, after
 * it connected and its Workers were created) and how much memory it holds then, compiled (`npm run build`, plain
 * node) and from sources (tsx, as `npm run worker`). Each way is started a few times on the same dev server with
 * a one-tenant tenants file; the row holds the medians (makespan = start-up, peak RSS = RSS at ready).
 *
 * One start of each way is made first and not counted: it builds the sources' cached workflow bundle once, as any
 * machine's first start does; the counted starts are the usual ones, a restart or another process.
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from '../paths';
import { withTimeout } from '../harness/cleanup';
import { spawnWorker, WORKER_FROM_SOURCES } from '../harness/processes';
import { createWorld, type World } from '../harness/world';
import { blankMeasurement, median, type Measurement } from './results';
import type { RunContext } from './run-control';
import { currentRssMb } from './rss';
import { STARTUP_ID, STARTUP_SYSTEMS, type Scenario } from './scenarios';
/** Counted starts of each way. */
export const STARTS_PER_WAY = 5;

export const startupScenario: Scenario = {
  id: STARTUP_ID,
  title: 'worker start-up',
  summary:
    `Spawn to ready and RSS at ready of one worker process, compiled (plain node) and from sources (tsx), ` +
    `median of ${STARTS_PER_WAY} starts each after one uncounted start; no job.`,
  tenants: [],
  batchSize: 1,
  concurrency: 1,
  latencyMs: 0,
  systems: [...STARTUP_SYSTEMS],
};

/** One start: ms from spawn to the ready line, and RSS at that moment. */
async function startOnce(world: World, nodeArgs: readonly string[]): Promise<{ ms: number; rssMb: number | null }> {
  const started = performance.now();
  const worker = spawnWorker(world, { WFM_DEV: '' }, nodeArgs);
  try {
    await withTimeout(worker.ready, 120_000, 'worker start-up');
    const ms = Math.round(performance.now() - started);
    return { ms, rssMb: currentRssMb(worker.child.pid) };
  } finally {
    await worker.kill();
  }
}

/**
 * A fresh build of the product under .data/bench/ (git-ignored; the tree's dist/ is left alone), where the compiled
 * worker finds the checkout's node_modules as a deployment finds its own.
 */
function buildOnce(context: RunContext): string {
  const outDir = path.join(PROJECT_ROOT, '.data', 'bench', 'dist');
  context.log(`building into ${path.relative(PROJECT_ROOT, outDir)}`);
  const build = path.join(PROJECT_ROOT, 'scripts', 'build.ts');
  execFileSync(process.execPath, ['--import', 'tsx', build, '--out-dir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outDir;
}

let build: string | undefined;

export async function runStartup(system: (typeof STARTUP_SYSTEMS)[number], context: RunContext): Promise<Measurement> {
  const world = await createWorld({ address: context.address, workers: false });
  const closeWorld = context.cleanup.add(() => world.close());
  try {
    let nodeArgs: readonly string[] = WORKER_FROM_SOURCES;
    if (system === 'worker compiled (node)') {
      build ??= buildOnce(context);
      nodeArgs = [path.join(build, 'worker', 'main.js')];
    }
    await startOnce(world, nodeArgs);
    const starts = [];
    for (let i = 0; i < STARTS_PER_WAY; i++) starts.push(await startOnce(world, nodeArgs));
    const rss = starts.flatMap((start) => (start.rssMb === null ? [] : [start.rssMb]));
    context.log(`starts ${starts.map((s) => `${s.ms} ms/${s.rssMb} MB`).join(', ')}`);
    const measurement: Measurement = {
      ...blankMeasurement(STARTUP_ID, system, 0),
      idealMs: null,
      makespanMs: median(starts.map((start) => start.ms)),
      peakRssMb: rss.length === 0 ? null : median(rss),
    };
    return measurement;
  } finally {
    await closeWorld();
  }
}

/**
 * Runs the Temporal ceiling (tools/bench/ceiling/) for a scenario: the same tenants, activities and concurrency as
 * wfm-bulk's run, with activities that do nothing but wait for their turn under the scenario's throttle, in a
 * worker process of its own on the same dev server.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { finishesWithin } from '../../harness/cleanup';
import type { RunContext } from '../run-control';
import { blankMeasurement, cpuPerWrite, round, tenantTimes, type Measurement } from '../results';
import { runTimeoutMs, scenarioIdeal, totalRequests, type Scenario } from '../scenarios';

export async function runCeiling(scenario: Scenario, context: RunContext): Promise<Measurement> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'ceiling', 'worker.ts')], {
    env: {
      ...process.env,
      CEILING_ADDRESS: context.address,
      CEILING_TENANTS: String(scenario.tenants.length),
      CEILING_ACTIVITIES: String(Math.round(totalRequests(scenario) / scenario.tenants.length)),
      CEILING_CONCURRENCY: String(scenario.concurrency),
      ...throttleOf(scenario),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = context.cleanup.add(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return Promise.resolve();
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  try {
    if (!(await finishesWithin(exited, runTimeoutMs(scenario) + 60_000)))
      throw new Error(`the ceiling's run did not finish in time:\n${output.slice(-1500)}`);
    if (exitCode !== 0) throw new Error(`the ceiling's worker ended with ${String(exitCode)}:\n${output.slice(-1500)}`);
    const line = output.split('\n').find((text) => text.startsWith('{'));
    const { makespanMs, activities, peakRssMb, cpuMs, jobStartMs, writes } = JSON.parse(line!) as {
      makespanMs: number;
      activities: number;
      peakRssMb: number;
      cpuMs: number;
      jobStartMs: number;
      writes: { firstWriteAt?: number; lastWriteAt?: number }[];
    };
    const times = tenantTimes(jobStartMs, writes);
    return {
      ...blankMeasurement(scenario.id, 'temporal-ceiling', scenarioIdeal(scenario).idealMs),
      makespanMs,
      activitiesPerSec: round(activities / (makespanMs / 1000), 1),
      peakRssMb,
      ...cpuPerWrite(0, cpuMs, activities),
      ...(times && { tenantTimes: times }),
    };
  } finally {
    await kill();
  }
}

/** A scenario whose tenants share one throttle: the ceiling's no-ops take their turns at that rate. */
function throttleOf(scenario: Scenario): NodeJS.ProcessEnv {
  const [first] = scenario.tenants;
  const throttle = first?.throttle;
  if (!throttle) return {};
  if (scenario.tenants.some((tenant) => JSON.stringify(tenant.throttle) !== JSON.stringify(throttle) || tenant.drop))
    throw new Error(`scenario (${scenario.id}): the ceiling runs only where every tenant has the same throttle`);
  return { CEILING_BURST: String(throttle.burst), CEILING_REFILL_PER_SECOND: String(throttle.refillPerSecond) };
}

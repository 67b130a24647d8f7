/**
 * Runs one of the alternatives (tools/bench/baselines/) in a child process against a fresh simulator of the scenario,
 * so its memory is its own and it competes for the CPU like the product's worker process does.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSimulator } from '../../simulator';
import type { BaselineInput, BaselineReport } from '../baselines/child';
import { finishesWithin } from '../../harness/cleanup';
import type { RunContext } from '../run-control';
import { ratioToIdeal } from '../ideal';
import { armLimitDrops } from '../limit-drop';
import { simulatorFigures, timedOutMeasurement, type Measurement } from '../results';
import { peakRssMb } from '../rss';
import { runTimeoutMs, scenarioIdeal, type Scenario } from '../scenarios';
import { inputRows, orgConfigs, plannedDrops } from '../workload';

export type BaselineSystem = 'forum' | 'p-limit loop';

const ENTRY: Record<BaselineSystem, string> = {
  forum: path.join(__dirname, '..', 'baselines', 'forum.ts'),
  'p-limit loop': path.join(__dirname, '..', 'baselines', 'plimit.ts'),
};

/** The product's default attempts per batch, so both retrying systems give up alike. */
const MAX_ATTEMPTS = 20;

export async function runBaseline(
  scenario: Scenario,
  system: BaselineSystem,
  context: RunContext,
): Promise<Measurement> {
  const ideal = scenarioIdeal(scenario);
  const sim = await startSimulator({ violationGraceMs: 25, orgs: orgConfigs(scenario) });
  const closeSim = context.cleanup.add(() => sim.close());
  const rows = inputRows(scenario, (name) => name);
  const input: BaselineInput = {
    apiBaseUrl: sim.url,
    loginUrl: sim.url,
    batchSize: scenario.batchSize,
    concurrency: scenario.concurrency,
    maxAttempts: MAX_ATTEMPTS,
    tenants: sim.state.config.orgs.map((org) => ({
      id: org.id,
      clientId: org.clients[0]!.clientId,
      clientSecret: org.clients[0]!.clientSecret,
      schedules: [{ scheduleId: `${org.id}-s1`, assignments: rows.filter((row) => row.tenantId === org.id) }],
    })),
  };
  const disarmDrops = armLimitDrops(
    sim,
    plannedDrops(scenario, (name) => name),
  );
  const child = startChild(ENTRY[system], input);
  const killChild = context.cleanup.add(() => child.kill());
  try {
    const timeoutMs = runTimeoutMs(scenario);
    const finished = await finishesWithin(child.report, timeoutMs).finally(disarmDrops);
    const measured = { scenario: scenario.id, system, idealMs: ideal.idealMs } as const;
    if (!finished) {
      return timedOutMeasurement(measured, timeoutMs, sim.state.stats(), rows.length, peakRssMb(child.pid));
    }
    const report = await child.report;
    if (report.errorsLogged > 0) context.log(`logged ${report.errorsLogged} error line(s)`);
    return {
      ...measured,
      makespanMs: report.makespanMs,
      ratio: ratioToIdeal(report.makespanMs, ideal),
      ...simulatorFigures(sim.state.stats(), rows.length),
      activitiesPerSec: null,
      peakRssMb: report.peakRssMb,
    };
  } finally {
    await killChild();
    await closeSim();
  }
}

interface BaselineChild {
  pid: number | undefined;
  /** The report from the last line of stdout, once the process has exited. */
  report: Promise<BaselineReport>;
  kill(): Promise<void>;
}

/** Spawns the baseline and hands it the job on stdin. */
function startChild(entry: string, input: BaselineInput): BaselineChild {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdin.end(JSON.stringify(input));
  const report = exited.then((code) => {
    if (code !== 0) throw new Error(`${path.basename(entry)} exited with ${code}:\n${stderr}`);
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as BaselineReport;
  });
  report.catch(() => undefined); // read by the caller, or abandoned on a timeout
  return {
    pid: child.pid,
    report,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

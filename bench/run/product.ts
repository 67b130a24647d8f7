/**
 * Runs wfm-bulk as deployed: a harness world (fresh simulator, store and tenants file), one worker PROCESS, a job
 * started through the client code, awaited to its result.
 */
import type { bulkJob } from '../../workflows';
import { tenantLimitsSchema } from '../../contracts/tenants';
import { spawnWorker } from '../../harness/processes';
import { createWorld } from '../../harness/world';
import { finishesWithin, withTimeout } from '../../harness/cleanup';
import type { RunContext } from '../run-control';
import { ratioToIdeal } from '../ideal';
import { armLimitDrops } from '../limit-drop';
import { round, simulatorFigures, timedOutMeasurement, type Measurement } from '../results';
import { peakRssMb, resetPeakRss } from '../rss';
import { runTimeoutMs, scenarioIdeal, type Scenario } from '../scenarios';
import { inputRows, orgConfigs, plannedDrops } from '../workload';

type TenantLimitsEntry = { concurrency: number; ratePerSecond?: number; burst?: number };

/**
 * The tenants file's limits: concurrency always; with `rateConfigured`, the simulator's refill as
 * `ratePerSecond` and, where the product's tenants file knows it, the bucket size as `burst`.
 */
function tenantLimits(scenario: Scenario, rateConfigured: boolean): Record<string, TenantLimitsEntry> {
  const knowsBurst = 'burst' in tenantLimitsSchema.shape;
  return Object.fromEntries(
    scenario.tenants.map((tenant) => {
      const limits: TenantLimitsEntry = { concurrency: scenario.concurrency };
      if (rateConfigured && tenant.throttle) {
        limits.ratePerSecond = tenant.throttle.refillPerSecond;
        if (knowsBurst) limits.burst = tenant.throttle.burst;
      }
      return [tenant.name, limits];
    }),
  );
}

export async function runProduct(
  scenario: Scenario,
  rateConfigured: boolean,
  context: RunContext,
): Promise<Measurement> {
  const system = rateConfigured ? 'wfm-bulk (rate configured)' : 'wfm-bulk';
  const ideal = scenarioIdeal(scenario);
  const world = await createWorld({
    address: context.address,
    orgs: orgConfigs(scenario),
    limits: tenantLimits(scenario, rateConfigured),
    workers: false,
    // The same grace as the in-process worlds of the tests: a 429 may be read some ms after it was sent.
    simulator: { violationGraceMs: 25 },
  });
  const closeWorld = context.cleanup.add(() => world.close());
  const worker = spawnWorker(world);
  const killWorker = context.cleanup.add(() => worker.kill());
  const orgIdOf = (name: string) => world.tenant(name);
  try {
    await withTimeout(worker.ready, 120_000, 'worker start-up');
    // The table's peak is the job's: bundling the workflow code at start-up is reported apart.
    const startupRssMb = peakRssMb(worker.child.pid);
    if (!resetPeakRss(worker.child.pid)) context.log('could not reset the peak RSS: it includes start-up');
    context.log(`worker ready, start-up peak RSS ${startupRssMb} MB`);

    const rows = inputRows(scenario, orgIdOf);
    const disarmDrops = armLimitDrops(world.sim, plannedDrops(scenario, orgIdOf));
    const input = await world.startJobFromRows(rows, { batchSize: scenario.batchSize });
    const handle = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    const timeoutMs = runTimeoutMs(scenario);
    const finished = await finishesWithin(handle.result(), timeoutMs).finally(disarmDrops);
    const measured = { scenario: scenario.id, system, idealMs: ideal.idealMs, startupRssMb } as const;
    if (!finished) {
      // A job left running would keep the shared orchestration queue busy during the next runs.
      await handle.terminate('benchmark run timed out');
      return timedOutMeasurement(
        measured,
        timeoutMs,
        world.sim.state.stats(),
        rows.length,
        peakRssMb(worker.child.pid),
        true,
      );
    }
    const { startTime, closeTime } = await handle.describe();
    const makespanMs = closeTime!.getTime() - startTime.getTime();
    const activities = input.tenants.reduce((sum, tenant) => sum + tenant.batchCount, 0);
    return {
      ...measured,
      makespanMs,
      ratio: ratioToIdeal(makespanMs, ideal),
      ...simulatorFigures(world.sim.state.stats(), rows.length),
      // Every batch ends in exactly one completed putBatch activity (applied or a final answer).
      activitiesPerSec: round(activities / (makespanMs / 1000), 1),
      peakRssMb: peakRssMb(worker.child.pid),
    };
  } catch (error) {
    context.log(`worker output, last lines:\n${worker.output().slice(-1500)}`);
    throw error;
  } finally {
    await killWorker();
    await closeWorld();
  }
}

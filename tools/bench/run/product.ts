/**
 * Runs wfm-bulk as deployed: a harness world (fresh simulator, store and tenants file), one worker PROCESS, a job
 * started through the client code, awaited to its result.
 */
import type { Client } from '@temporalio/client';
import type { bulkJob } from '../../../workflows';
import { tenantLimitsSchema } from '../../../contracts/tenants';
import { spawnWorker } from '../../harness/processes';
import { createWorld, genesysRows, genesysShiftsHeld } from '../../harness/world';
import { fetchJobView, type TenantView } from '../../../client/jobs/view';
import { finishesWithin, withTimeout } from '../../harness/cleanup';
import type { RunContext } from '../run-control';
import { ratioToIdeal } from '../ideal';
import { armLimitDrops } from '../limit-drop';
import { cpuPerWrite, round, simulatorFigures, tenantTimes, timedOutMeasurement, type Measurement } from '../results';
import { processCpuMs } from '../../harness/process-stats';
import { peakRssMb, resetPeakRss } from '../rss';
import { GENESYS_BATCH_SIZE, genesysIdeal, runTimeoutMs, scenarioIdeal, type Scenario } from '../scenarios';
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

/**
 * @param writer `genesys`: every tenant writes through Genesys' schedule update (`GENESYS_BATCH_SIZE` rows an
 *   update, or the scenario's batch size for orgs of a profile, processed in the simulator's default 200 ms); its
 *   requests are the platform calls of the updates, and for a profile's orgs its ideal counts them (`genesysIdeal`)
 */
export async function runProduct(
  scenario: Scenario,
  rateConfigured: boolean,
  context: RunContext,
  writer: 'put' | 'genesys' = 'put',
): Promise<Measurement> {
  const genesys = writer === 'genesys';
  const system = genesys ? 'wfm-bulk (Genesys writer)' : rateConfigured ? 'wfm-bulk (rate configured)' : 'wfm-bulk';
  const ideal = scenarioIdeal(scenario);
  const world = await createWorld({
    address: context.address,
    orgs: orgConfigs(scenario),
    limits: tenantLimits(scenario, rateConfigured),
    ...(genesys && {
      writers: Object.fromEntries(
        scenario.tenants.map((tenant) => [
          tenant.name,
          { writer: 'genesys-schedule-update' as const, genesys: { pollSeconds: 1 } },
        ]),
      ),
    }),
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
    const cpuAtStart = processCpuMs(worker.child.pid);

    const rows = genesys
      ? scenario.tenants.flatMap((tenant) => {
          const orgId = orgIdOf(tenant.name);
          return genesysRows(orgId, [`${orgId}-s1`], tenant.assignments);
        })
      : inputRows(scenario, orgIdOf);
    const disarmDrops = armLimitDrops(world.sim, plannedDrops(scenario, orgIdOf));
    const input = await world.startJobFromRows(rows, {
      batchSize: genesys && !scenario.profile ? GENESYS_BATCH_SIZE : scenario.batchSize,
    });
    const handle = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    const timeoutMs = runTimeoutMs(scenario);
    const stopTrace = process.env.BENCH_TRACE ? tracePacing(context, world.client, input.jobId) : undefined;
    const finished = await finishesWithin(handle.result(), timeoutMs).finally(disarmDrops);
    stopTrace?.();
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
    await logPacing(context, world.client, input.jobId).catch((error: unknown) =>
      context.log(`could not read the pacers: ${String(error)}`),
    );
    const { startTime, closeTime } = await handle.describe();
    const makespanMs = closeTime!.getTime() - startTime.getTime();
    const activities = input.tenants.reduce((sum, tenant) => sum + tenant.batchCount, 0);
    const stats = world.sim.state.stats();
    // Each tenant's first and last PUT at the simulator, against the job's start.
    const times = tenantTimes(
      startTime.getTime(),
      Object.values(stats.orgs).map((org) => ({ firstWriteAt: org.firstPutAt, lastWriteAt: org.lastPutAt })),
    );
    // A profile's ideal: the requests each tenant made (its 429s left out) at the profile's limit.
    const made = scenario.profile
      ? genesysIdeal(
          scenario.tenants.map((tenant) => {
            const org = stats.orgs[orgIdOf(tenant.name)];
            return org ? org.putRequests - org.status429 : 0;
          }),
        )
      : undefined;
    return {
      ...measured,
      makespanMs,
      ...(made && { idealMs: made.idealMs }),
      // The ideal counts one PUT per batch; the Genesys writer's requests are the updates' platform calls.
      ratio: made ? ratioToIdeal(makespanMs, made) : genesys ? null : ratioToIdeal(makespanMs, ideal),
      ...simulatorFigures(stats, rows.length),
      // The Genesys writer's rows are held as shifts, not PUT assignments.
      ...(genesys && { lost: rows.length - genesysShiftsHeld(world) }),
      // Every batch ends in exactly one completed putBatch activity (applied or a final answer).
      activitiesPerSec: round(activities / (makespanMs / 1000), 1),
      ...(genesys && { batches: activities }),
      peakRssMb: peakRssMb(worker.child.pid),
      ...(times && { tenantTimes: times }),
      ...cpuPerWrite(cpuAtStart, processCpuMs(worker.child.pid), activities),
    };
  } catch (error) {
    context.log(`worker output, last lines:\n${worker.output().slice(-1500)}`);
    throw error;
  } finally {
    await killWorker();
    await closeWorld();
  }
}

/** A tenant's pacer in a few characters: applied, planned rate / measured refill, 429s. */
function pacerFigures(tenant: TenantView): string {
  const rate = tenant.pacing?.ratePerSecond?.toFixed(2) ?? '-';
  const estimate = tenant.pacing?.estimatedPerSecond?.toFixed(2) ?? '-';
  return `${tenant.applied}:${rate}/${estimate}/${tenant.throttled}`;
}

/** Where each tenant's pacer ended (applied:rate/refill/429s): the figures behind a ratio. */
async function logPacing(context: RunContext, client: Client, jobId: string) {
  const view = await fetchJobView(client, jobId);
  const tenants = view.tenants.map((t) => `${t.tenantId.slice(0, 8)} ${t.pacing?.mode ?? '?'} ${pacerFigures(t)}`);
  // The first ten keep the log readable for (c).
  context.log(`pacing at the end: ${tenants.slice(0, 10).join('; ')}${tenants.length > 10 ? '; …' : ''}`);
}

/** Samples every tenant's pacer every 2 s; the returned function stops and logs one line per tenant. */
function tracePacing(context: RunContext, client: Client, jobId: string): () => void {
  const samples = new Map<string, string[]>();
  const timer = setInterval(() => {
    fetchJobView(client, jobId).then(
      (view) =>
        view.tenants.forEach((t) => samples.set(t.tenantId, [...(samples.get(t.tenantId) ?? []), pacerFigures(t)])),
      () => undefined, // a sample missed under load is no reason to fail the run
    );
  }, 2_000);
  return () => {
    clearInterval(timer);
    for (const [tenantId, points] of samples) context.log(`trace ${tenantId.slice(0, 8)} ${points.join(' ')}`);
  };
}

/**
 * One run of the Temporal ceiling in a process of its own, as wfm-bulk's worker runs in one: Workers for the
 * workflows and for each tenant queue (with wfm-bulk's slots and pollers), the job started and awaited, then one
 * JSON line with the figures. Environment: `CEILING_ADDRESS`, `CEILING_TENANTS`, `CEILING_ACTIVITIES`,
 * `CEILING_CONCURRENCY`, and for a throttled scenario `CEILING_BURST` and `CEILING_REFILL_PER_SECOND`: each
 * tenant's no-op then waits for its turn as a write waits at wfm-bulk's gate (a token bucket that knows the API's
 * limit), so the ceiling has the scenario's shape, activities waiting in their slots included.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WorkerLogger, forwardedLogging } from '../../../worker/runtime';
import { orchestrationWorkflowOptions, tenantWorkerOptions } from '../../../worker/workers';
import type { CeilingTenant } from './workflows';

async function main(): Promise<void> {
  const address = process.env.CEILING_ADDRESS!;
  const tenantCount = Number(process.env.CEILING_TENANTS);
  const activities = Number(process.env.CEILING_ACTIVITIES);
  const concurrency = Number(process.env.CEILING_CONCURRENCY);
  const burst = process.env.CEILING_BURST ? Number(process.env.CEILING_BURST) : undefined;
  const refillPerSecond = Number(process.env.CEILING_REFILL_PER_SECOND);
  Runtime.install({ logger: new WorkerLogger('WARN'), telemetryOptions: { logging: forwardedLogging('WARN') } });
  const run = Math.random().toString(36).slice(2, 8);
  const tenants: CeilingTenant[] = Array.from({ length: tenantCount }, (_, i) => ({
    taskQueue: `ceiling-${run}-${i}`,
    activities,
    concurrency,
  }));
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'workflows.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const connection = await NativeConnection.connect({ address });
  const writes: Writes[] = tenants.map(() => ({}));
  const orchestration = `ceiling-${run}-workflows`;
  const workers = await Promise.all([
    Worker.create({
      connection,
      taskQueue: orchestration,
      workflowBundle: { code },
      ...orchestrationWorkflowOptions(),
    }),
    ...tenants.map((tenant, index) =>
      Worker.create({
        connection,
        taskQueue: tenant.taskQueue,
        activities: { noop: recorded(writes[index]!, burst === undefined ? undefined : turns(burst, refillPerSecond)) },
        ...tenantWorkerOptions({ concurrency }),
      }),
    ),
  ]);
  const running = Promise.all(workers.map((worker) => worker.run()));
  const client = new Client({ connection: await Connection.connect({ address }) });
  const cpuAtStart = process.cpuUsage();
  const handle = await client.workflow.start('ceilingJob', {
    taskQueue: orchestration,
    workflowId: `ceiling-${run}`,
    args: [tenants],
  });
  await handle.result();
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1_000;
  const { startTime, closeTime } = await handle.describe();
  const makespanMs = closeTime!.getTime() - startTime.getTime();
  for (const worker of workers) worker.shutdown();
  await running;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const jobStartMs = startTime.getTime();
  console.log(
    JSON.stringify({ makespanMs, activities: tenantCount * activities, peakRssMb, cpuMs, jobStartMs, writes }),
  );
}

/** When a tenant's first and last no-op took its turn (epoch ms): the ceiling's writes. */
interface Writes {
  firstWriteAt?: number;
  lastWriteAt?: number;
}

/** A tenant's no-op: waits for its turn where the scenario has a throttle, then counts as a write. */
function recorded(writes: Writes, turn: (() => Promise<void>) | undefined): () => Promise<void> {
  return async () => {
    if (turn) await turn();
    const now = Date.now();
    writes.firstWriteAt ??= now;
    writes.lastWriteAt = now;
  };
}

/** A tenant's turns: `burst` at once, then one every 1/`refillPerSecond` s; each call waits for the next turn. */
function turns(burst: number, refillPerSecond: number): () => Promise<void> {
  let startedAt: number | undefined;
  let taken = 0;
  return () => {
    startedAt ??= Date.now();
    const turn = taken++;
    const at = startedAt + Math.max(0, turn - burst + 1) * (1_000 / refillPerSecond);
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);

/**
 * One run of the Temporal ceiling in a process of its own, as wfm-bulk's worker runs in one: Workers for the
 * workflows and for each tenant queue (with wfm-bulk's slots and pollers), the job started and awaited, then one
 * JSON line with the figures. Environment: `CEILING_ADDRESS`, `CEILING_TENANTS`, `CEILING_ACTIVITIES`,
 * `CEILING_CONCURRENCY`.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { WorkerLogger, forwardedLogging } from '../../../worker/runtime';
import { tenantWorkerOptions } from '../../../worker/workers';
import type { CeilingTenant } from './workflows';

async function main(): Promise<void> {
  const address = process.env.CEILING_ADDRESS!;
  const tenantCount = Number(process.env.CEILING_TENANTS);
  const activities = Number(process.env.CEILING_ACTIVITIES);
  const concurrency = Number(process.env.CEILING_CONCURRENCY);
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
  const orchestration = `ceiling-${run}-workflows`;
  const workers = await Promise.all([
    Worker.create({
      connection,
      taskQueue: orchestration,
      workflowBundle: { code },
      stickyQueueScheduleToStartTimeout: '5s',
    }),
    ...tenants.map((tenant) =>
      Worker.create({
        connection,
        taskQueue: tenant.taskQueue,
        activities: { noop: () => Promise.resolve() },
        ...tenantWorkerOptions({ concurrency }),
      }),
    ),
  ]);
  const running = Promise.all(workers.map((worker) => worker.run()));
  const client = new Client({ connection: await Connection.connect({ address }) });
  const handle = await client.workflow.start('ceilingJob', {
    taskQueue: orchestration,
    workflowId: `ceiling-${run}`,
    args: [tenants],
  });
  await handle.result();
  const { startTime, closeTime } = await handle.describe();
  const makespanMs = closeTime!.getTime() - startTime.getTime();
  for (const worker of workers) worker.shutdown();
  await running;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ makespanMs, activities: tenantCount * activities, peakRssMb }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);

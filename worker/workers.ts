/**
 * The Workers of one process: one for the orchestration queue (job and tenant workflows) and one per tenant
 * queue (that tenant's PUT activities), all on one connection.
 */
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { ORCHESTRATION_TASK_QUEUE, tenantTaskQueue } from '../contracts/names';
import type { TenantSettings } from '../contracts/tenants';
import { createActivities } from '../activities';
import { createActivityDeps } from '../activities/deps';
import { createTenantRuntimes } from '../activities/tenant-runtime';
import type { BlobStore } from '../store/blob-store';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  tenants: Iterable<TenantSettings>;
  store: BlobStore;
  /** Prebuilt workflow code (tests build it once); built from `workflows/` when omitted. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Run the orchestration Worker in this process (default true); false for a process of tenant Workers only. */
  orchestration?: boolean;
  /** Environment holding the tenants' secrets (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  identity?: string;
  /** Payload encryption (`codec/`); also used by the activities' client, so their signals are encrypted too. */
  dataConverter?: DataConverter;
}

export async function createWorkers(options: WorkerSetOptions): Promise<Worker[]> {
  const tenants = [...options.tenants];
  // Secrets are read here, before any Worker polls, so a missing one stops the process at once.
  const runtimes = createTenantRuntimes(tenants, options.env);
  const activities = createActivities(createActivityDeps(runtimes, options.store));
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    ...(options.identity && { identity: options.identity }),
    ...(options.dataConverter && { dataConverter: options.dataConverter }),
  };

  const workers: Promise<Worker>[] = tenants.map((tenant) =>
    Worker.create({
      ...common,
      taskQueue: tenantTaskQueue(tenant.id),
      activities,
      // Per-process ceiling; the tenant workflow's window holds the cap across processes.
      maxConcurrentActivityTaskExecutions: tenant.limits.concurrency,
      // The tenant workflow's pacer holds the rate (with its burst) across processes; the server's queue limit is
      // a safety net above it, for the whole queue and every process (all must give the same value).
      ...(tenant.limits.ratePerSecond !== undefined && {
        maxTaskQueueActivitiesPerSecond: serverDispatchCap(tenant.limits),
      }),
      // A tenant queue carries at most a few tasks at a time; two polls keep it fed without crowding the server.
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
    }),
  );
  if (options.orchestration !== false) {
    workers.push(
      Worker.create({
        ...common,
        taskQueue: ORCHESTRATION_TASK_QUEUE,
        // A workflow cached by a worker that died moves to another after this long (SDK default 10 s): the
        // tenant's PUTs stand still meanwhile. Shorter than that costs a replay when a worker is only busy.
        stickyQueueScheduleToStartTimeout: '5s',
        ...(options.workflowBundle
          ? { workflowBundle: options.workflowBundle }
          : { workflowsPath: require.resolve('../workflows') }),
      }),
    );
  }
  return Promise.all(workers);
}

/**
 * Twice the configured rate, or rate + burst: high enough never to shape the pacer's plan (the server's limiter
 * allows about one second's worth at once, which would eat the API's burst), low enough to stop a runaway.
 */
export function serverDispatchCap(limits: TenantSettings['limits']): number {
  return limits.ratePerSecond! + (limits.burst ?? limits.ratePerSecond!);
}

/** Runs every Worker until all have shut down (SIGINT/SIGTERM start a graceful shutdown). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.run()));
}

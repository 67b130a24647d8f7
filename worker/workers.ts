/**
 * The Workers of one process, on one connection:
 *
 * - the **orchestration** Worker (job, tenant and lease workflows), unless the process serves tenants only;
 * - the **claims** Worker on the queue every process polls (`holdTenant`, the hold on a tenant's lease): its slots
 *   are how many tenants this process holds at once;
 * - one Worker per tenant whose lease this process holds, on that tenant's queue in this process (`putBatch` of
 *   every job writing to the tenant), opened when the process takes the lease and closed once it let go. A tenants
 *   file of 1,000 tenants costs nothing until they have work, and no poller waits on a queue without work.
 */
import os from 'node:os';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { ORCHESTRATION_TASK_QUEUE, TENANT_CLAIMS_TASK_QUEUE, tenantTaskQueue } from '../contracts/names';
import { HOLD_HEARTBEAT_THROTTLE_MS, PUT_HEARTBEAT_THROTTLE_MS } from '../contracts/timing';
import type { TenantLimits, TenantSettings } from '../contracts/tenants';
import { createActivities } from '../activities';
import { createActivityDeps, type TenantQueueLease } from '../activities/deps';
import type { LogFields } from '../activities/log-fields';
import { readClientSecret } from '../activities/auth/secrets';
import { TenantRuntimes, type TenantRuntime } from '../activities/tenant-runtime';
import { ConfigError } from '../config/issues';
import type { BlobStore } from '../store/blob-store';
import { activityLogFields } from './activity-log-fields';

/** Tenants a process serves at once unless told otherwise (`WFM_MAX_TENANTS`). */
export const DEFAULT_MAX_TENANTS_PER_PROCESS = 200;
/**
 * A tenant's Worker stays open this long after the hold on the tenant's lease ended here: a lease that continues
 * as new, or the tenant's next job, is often taken by this same process a moment later.
 */
export const DEFAULT_IDLE_CLOSE_MS = 2_000;

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  /** The tenants file as it is now; read again when a job names a tenant this process does not know. */
  loadTenants: () => ReadonlyMap<string, TenantSettings>;
  store: BlobStore;
  /** Prebuilt workflow code (tests build it once); built from `workflows/` when omitted. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Run the orchestration Worker in this process (default true); false for a process that serves tenants only. */
  orchestration?: boolean;
  /** Most tenants this process serves at once (default 200). */
  maxTenants?: number;
  /** How long a tenant's Worker stays open once this process no longer holds the tenant (default 2 s). */
  idleCloseMs?: number;
  /** Environment holding the tenants' secrets (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** This process's id in its tenant queues' names and as its Worker identity (default host-pid-random). */
  workerId?: string;
  /** Payload encryption (`codec/`); also used by the activities' client, so their signals are encrypted too. */
  dataConverter?: DataConverter;
  /** The process's log (`worker/log.ts`); console.warn when omitted. */
  log?: (message: string, fields?: LogFields) => void;
}

export class WorkerSet {
  private readonly tenantWorkers = new Map<string, TenantWorker>();
  private stopping = false;
  private readonly fixed: Worker[] = [];
  private readonly activities: ReturnType<typeof createActivities>;

  private constructor(
    private readonly options: WorkerSetOptions,
    readonly workerId: string,
    readonly runtimes: TenantRuntimes,
  ) {
    this.activities = createActivities(
      createActivityDeps({
        workerId,
        tenants: runtimes,
        store: options.store,
        serveTenantQueue: (tenantId, runtime) => this.serveTenantQueue(tenantId, runtime),
        ...(options.log && { log: options.log }),
      }),
    );
  }

  static async create(options: WorkerSetOptions): Promise<WorkerSet> {
    const workerId = options.workerId ?? defaultWorkerId();
    const runtimes = new TenantRuntimes({
      loadTenants: options.loadTenants,
      ...(options.env && { env: options.env }),
      ...(options.log && { log: options.log }),
    });
    // Every secret is looked for now, so a missing one stops the process before it takes any task.
    checkSecrets(runtimes.configured.values(), options.env);
    const set = new WorkerSet(options, workerId, runtimes);
    set.fixed.push(
      await Worker.create({
        ...set.common(),
        taskQueue: TENANT_CLAIMS_TASK_QUEUE,
        activities: { holdTenant: set.activities.holdTenant, serveTenant: set.activities.serveTenant },
        maxConcurrentActivityTaskExecutions: options.maxTenants ?? DEFAULT_MAX_TENANTS_PER_PROCESS,
        // One poll at a time: a process that stalls with a poll open may be handed a hold it cannot run, which
        // then waits out the lease timeout before it moves on; one open poll loses one tenant that long, not four.
        activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 1 },
        // A lease's holder also renews by hand every fifth of the timeout and reads each answer
        // (`activities/lease/renewals.ts`); a `serveTenant` hold has only these heartbeats.
        maxHeartbeatThrottleInterval: HOLD_HEARTBEAT_THROTTLE_MS,
      }),
    );
    if (options.orchestration !== false) {
      set.fixed.push(
        await Worker.create({
          ...set.common(),
          taskQueue: ORCHESTRATION_TASK_QUEUE,
          activities: {
            accountForTenant: set.activities.accountForTenant,
            storeFailures: set.activities.storeFailures,
            joinTenantLease: set.activities.joinTenantLease,
            closedWorkflows: set.activities.closedWorkflows,
          },
          ...orchestrationWorkflowOptions(),
          ...(options.workflowBundle
            ? { workflowBundle: options.workflowBundle }
            : { workflowsPath: require.resolve('../workflows') }),
        }),
      );
    }
    return set;
  }

  /** Tenant Workers open now (one per tenant this process serves). */
  get openTenantQueues(): number {
    return this.tenantWorkers.size;
  }

  /** Runs until `shutdown()` or SIGINT/SIGTERM, then until every Worker has stopped. */
  async run(): Promise<void> {
    try {
      await Promise.all(this.fixed.map((worker) => worker.run()));
    } finally {
      this.stopping = true;
      await Promise.all([...this.tenantWorkers.values()].map((tenant) => tenant.close()));
      this.runtimes.close();
    }
  }

  shutdown(): void {
    this.stopping = true;
    for (const worker of this.fixed) if (worker.getState() === 'RUNNING') worker.shutdown();
    for (const tenant of this.tenantWorkers.values()) void tenant.close();
  }

  private common() {
    const { connection, namespace, dataConverter } = this.options;
    return {
      connection,
      namespace,
      identity: this.workerId,
      interceptors: { activity: [activityLogFields] },
      ...(dataConverter && { dataConverter }),
    };
  }

  private async serveTenantQueue(tenantId: string, runtime: TenantRuntime): Promise<TenantQueueLease> {
    for (;;) {
      if (this.stopping) throw new Error('this worker process is shutting down');
      let tenant = this.tenantWorkers.get(tenantId);
      if (tenant?.closing) {
        await tenant.closing;
        continue;
      }
      if (!tenant) {
        tenant = new TenantWorker(
          Worker.create({
            ...this.common(),
            taskQueue: tenantTaskQueue(tenantId, this.workerId),
            activities: { putBatch: this.activities.putBatch },
            ...tenantWorkerOptions(runtime.settings.limits),
          }),
          () => {
            if (this.tenantWorkers.get(tenantId) === tenant) this.tenantWorkers.delete(tenantId);
          },
          this.options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS,
          (message) => (this.options.log ? this.options.log(message, { tenantId }) : console.warn(message)),
        );
        this.tenantWorkers.set(tenantId, tenant);
      }
      return tenant.hold(tenantTaskQueue(tenantId, this.workerId));
    }
  }
}

/** How the orchestration Worker takes workflow tasks. */
export function orchestrationWorkflowOptions(): Partial<WorkerOptions> {
  return {
    // A workflow cached by a worker that died moves to another after this long (SDK default 10 s): the
    // tenant stands still meanwhile. Shorter than that costs a replay when a worker is only busy.
    stickyQueueScheduleToStartTimeout: '5s',
    // Polls stay at the SDK's default (2 of 10 on the shared queue, where new workflows' first tasks come). All 10
    // there shortened the bench's (c) by a quarter, but one run of fault scenario 21 (a stalled process) then never
    // finished: not adopted until that is understood (docs/PERFORMANCE.md).
  };
}

/** Slots, rate cap and pollers of a tenant's Worker. */
export function tenantWorkerOptions(limits: TenantLimits): Partial<WorkerOptions> {
  const { concurrency, ratePerSecond } = limits;
  return {
    // This process alone holds the tenant's lease: its slots are the tenant's concurrency cap, for every job.
    maxConcurrentActivityTaskExecutions: concurrency,
    // The gate paces; the server's queue limit is a safety net above it, never shaping the plan.
    ...(ratePerSecond !== undefined && { maxTaskQueueActivitiesPerSecond: serverDispatchCap(limits) }),
    // One poll while the tenant is quiet, up to one per slot when its batches come fast (measured: at most 4 held
    // (e) to 133 PUT activities/s, one per slot reached 206/s).
    activityTaskPollerBehavior: { type: 'autoscaling', minimum: 1, initial: 1, maximum: concurrency },
    // A batch waiting long at the gate beats this often: well inside its heartbeat timeout, so it is never taken
    // for dead, and a cancellation (its tenant moved, the job stopped) reaches it within seconds.
    maxHeartbeatThrottleInterval: PUT_HEARTBEAT_THROTTLE_MS,
  };
}

/**
 * Twice the configured rate, or rate + burst: high enough never to shape the pacer's plan (the server's limiter
 * allows about one second's worth at once, which would eat the API's burst), low enough to stop a runaway.
 */
export function serverDispatchCap(limits: TenantLimits): number {
  return limits.ratePerSecond! + (limits.burst ?? limits.ratePerSecond!);
}

/** One tenant's Worker in this process, open while some tenant workflow holds it. */
class TenantWorker {
  private holders = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private worker: Worker | undefined;
  closing: Promise<void> | undefined;

  constructor(
    private readonly created: Promise<Worker>,
    private readonly onClosed: () => void,
    private readonly idleCloseMs: number,
    private readonly log: (message: string) => void,
  ) {
    created.then(
      (worker) => {
        this.worker = worker;
        this.running = worker.run().catch((error: unknown) => {
          this.log(`a tenant Worker stopped: ${(error as Error).message}`);
        });
        void this.running.finally(() => {
          this.closing ??= Promise.resolve();
          onClosed();
        });
      },
      () => onClosed(),
    );
  }

  async hold(taskQueue: string): Promise<TenantQueueLease> {
    this.holders++;
    clearTimeout(this.idleTimer);
    try {
      await this.created;
    } catch (error) {
      this.holders--;
      throw error;
    }
    let released = false;
    return {
      taskQueue,
      stopped: this.running?.then(() => undefined) ?? Promise.resolve(),
      release: () => {
        if (released) return;
        released = true;
        if (--this.holders === 0) {
          this.idleTimer = setTimeout(() => void this.close(), this.idleCloseMs);
          this.idleTimer.unref();
        }
      },
    };
  }

  close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.closing ??= (async () => {
      const worker = await this.created.catch(() => undefined);
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await this.running;
    })();
    return this.closing;
  }
}

function checkSecrets(tenants: Iterable<TenantSettings>, env?: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  for (const tenant of tenants) {
    try {
      readClientSecret(tenant, env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** `host-pid-xxxx`: unique per process start, so a restarted process never inherits a dead one's queues. */
function defaultWorkerId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-');
  return `${host}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * One bulk job: a child workflow per tenant, so each tenant has its own history, its own failure and its own
 * line in the Web UI, and one tenant's trouble never fails another. At most `maxActiveTenants` tenants run at
 * once (each holds a worker process's slot and a Worker there); the others wait their turn, in input order.
 * Steering signals land here and are forwarded to the tenants; the job keeps the steering state so tenants that
 * start later get it too.
 *
 * History stays bounded however many tenants a job has: past a limit the job starts no more tenants, waits for
 * those out (a child does not outlive its parent's run: continuing as new would cancel it) and continues as new,
 * carrying compact summaries of the tenants that ended and the steering state.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  allHandlersFinished,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { FailureReason } from '../contracts/failures';
import type { JobCarry, JobInput, JobProgress, JobResult, TenantSummary } from '../contracts/job';
import { DEFAULT_JOB_OPTIONS } from '../contracts/job-options';
import type { TenantPlan } from '../contracts/tenant';
import { cancelSignal, jobProgressQuery, pauseSignal, resumeSignal, setLimitsSignal } from '../contracts/messages';
import { ORCHESTRATION_TASK_QUEUE, searchAttributes, tenantWorkflowId } from '../contracts/names';
import type { TenantLimits } from '../contracts/tenants';
import type { Activities } from '../activities';
import { mergeLimits } from './limits';
import { closedTenantResult, jobStatusOf, summaryOf, tenantClosureReason } from './outcome';
import { tenantAssignments } from './tenant';

const { accountForTenant } = proxyActivities<Activities>({
  taskQueue: ORCHESTRATION_TASK_QUEUE,
  startToCloseTimeout: '30s',
  // A closed tenant's run is replayed to answer; a few tries, then its summary counts nothing as applied.
  retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2 },
});

/** Jobs begun with this patch continue as new past `historyEventLimit`; older runs never do. */
const JOB_CONTINUE_AS_NEW_PATCH = 'job-continue-as-new';
/**
 * Events a job's run may reach before it continues as new: about 6 per tenant, so some 1,300 tenants a run. Each
 * continue-as-new waits for the tenants out, so the job does it only when it must (not at Temporal's suggestion).
 */
const DEFAULT_JOB_HISTORY_EVENT_LIMIT = 8_000;
/** Events each tenant out may still add when it ends (its completion, a workflow task, now and then counts). */
const EVENTS_PER_TENANT_END = 5;
/** Bytes likewise, far below Temporal's 50 MB (each tenant's summary is small; its failure detail stays with it). */
const JOB_HISTORY_BYTES_LIMIT = 8 * 1024 * 1024;

/** A signal to pass on to tenants (all of them, or one). */
interface Forward {
  tenantId?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwards signals of any argument list
  signal: SignalDefinition<any[]>;
  args: unknown[];
}

export async function bulkJob(input: JobInput, carry?: JobCarry): Promise<JobResult> {
  const total = carry?.total ?? input.tenants.reduce((sum, tenant) => sum + tenant.total, 0);
  /** Tenants that ended in earlier runs; `input.tenants` are the rest. */
  const ended = carry?.ended ?? [];
  const limits = new Map<string, TenantLimits>(input.tenants.map((tenant) => [tenant.tenantId, tenant.limits]));
  const done = new Map<string, TenantSummary>();
  /** Tenants whose start this run issued, and those whose child has started. */
  const launched = new Set<string>();
  const started = new Set<string>();
  /** Tenants of this run not ended yet: each holds one of the job's places. */
  let active = 0;
  const outbox: Forward[] = [];
  let paused = carry?.paused ?? false;
  let cancel: FailureReason | undefined;
  const mayContinueAsNew = patched(JOB_CONTINUE_AS_NEW_PATCH);
  const historyEventLimit = input.tuning?.jobHistoryEventLimit ?? DEFAULT_JOB_HISTORY_EVENT_LIMIT;
  // Room is kept for the tenants out: they end in this run, whatever it has written by then.
  const historyFull = () =>
    mayContinueAsNew &&
    (workflowInfo().historyLength + EVENTS_PER_TENANT_END * active >= historyEventLimit ||
      workflowInfo().historySize >= JOB_HISTORY_BYTES_LIMIT);

  setHandler(pauseSignal, () => {
    paused = true;
    outbox.push({ signal: pauseSignal, args: [] });
  });
  setHandler(resumeSignal, () => {
    paused = false;
    outbox.push({ signal: resumeSignal, args: [] });
  });
  const requestCancel = (reason: string) => {
    cancel ??= { code: 'cancelled', message: reason };
    outbox.push({ signal: cancelSignal, args: [{ reason: cancel.message }] });
  };
  setHandler(cancelSignal, ({ reason }) => requestCancel(reason ?? 'job cancelled'));
  // A Temporal cancellation (Web UI, `temporal workflow cancel`) is the same graceful cancel: the tenants run in
  // scopes of their own, so it reaches them as the cancel signal.
  CancellationScope.current().cancelRequested.catch(() => requestCancel('job cancelled'));
  setHandler(setLimitsSignal, (change) => {
    const current = limits.get(change.tenantId);
    if (!current) {
      log.warn('limits for a tenant that is not in this job, or has ended, ignored', { tenantId: change.tenantId });
      return;
    }
    limits.set(change.tenantId, mergeLimits(current, change));
    outbox.push({ tenantId: change.tenantId, signal: setLimitsSignal, args: [change] });
  });
  setHandler(jobProgressQuery, (): JobProgress => ({
    jobId: input.jobId,
    status:
      done.size === input.tenants.length ? jobStatusOf([...ended, ...done.values()], cancel !== undefined) : 'running',
    paused,
    cancelRequested: cancel !== undefined,
    total,
    tenants: [
      ...ended.map((summary) => ({ tenantId: summary.tenantId, total: summary.total, queued: false, done: summary })),
      ...input.tenants.map((tenant) => {
        const summary = done.get(tenant.tenantId);
        return {
          tenantId: tenant.tenantId,
          total: tenant.total,
          limits: limits.get(tenant.tenantId)!,
          queued: !launched.has(tenant.tenantId),
          ...(summary && { done: summary }),
        };
      }),
    ],
  }));

  if (!carry) {
    upsertSearchAttributes([
      { key: searchAttributes.status, value: 'running' },
      { key: searchAttributes.total, value: total },
    ]);
  }

  // Forward steering in the background, still after a cancellation request (a cancel must reach the tenants).
  void CancellationScope.nonCancellable(() => forwardSteering(input.jobId, started, outbox, done));

  let publishedDecile = -1;
  const maxActive = Math.max(1, input.options.maxActiveTenants ?? DEFAULT_JOB_OPTIONS.maxActiveTenants);
  const running: Promise<void>[] = [];
  let nextTenant = 0;
  try {
    for (; nextTenant < input.tenants.length; nextTenant++) {
      const plan = input.tenants[nextTenant]!;
      // A place frees when a running tenant finishes; cancellation stops starting more.
      await condition(() => cancel !== undefined || active < maxActive);
      // A full history: the rest start in the next run.
      if (cancel || historyFull()) break;
      launched.add(plan.tenantId);
      active++;
      // Started side by side: a job of 1,000 tenants issues its first 200 starts in one workflow task.
      running.push(CancellationScope.nonCancellable(() => runTenant(plan)));
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    requestCancel('job cancelled before all tenants started');
  }

  await CancellationScope.nonCancellable(() => Promise.all(running));
  if (!cancel && nextTenant < input.tenants.length) {
    await condition(allHandlersFinished);
    // A cancel handled while waiting ends the job here instead.
    if (!cancel) {
      return continueAsNew<typeof bulkJob>(
        {
          ...input,
          tenants: input.tenants.slice(nextTenant).map((plan) => ({ ...plan, limits: limits.get(plan.tenantId)! })),
        },
        {
          runNumber: (carry?.runNumber ?? 1) + 1,
          total,
          ended: [...ended, ...input.tenants.slice(0, nextTenant).map((plan) => done.get(plan.tenantId)!)],
          paused,
        },
      );
    }
  }

  /** Runs one tenant to its outcome: its result, or, when it ended without one, an account of it. */
  async function runTenant(plan: TenantPlan) {
    let summary: TenantSummary;
    try {
      summary = await tenantResult(plan);
    } catch (error) {
      summary = await closedTenantSummary(plan, error);
    }
    done.set(plan.tenantId, summary);
    active--;
    publishCounts();
  }

  async function tenantResult(plan: TenantPlan): Promise<TenantSummary> {
    const startedWith = { paused, limits: limits.get(plan.tenantId)! };
    const child = await startChild(tenantAssignments, {
      workflowId: tenantWorkflowId(input.jobId, plan.tenantId),
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      // A terminated job stops its tenants as a cancel does: requests on the wire finish and count.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      args: [
        {
          jobId: input.jobId,
          plan: { ...plan, limits: startedWith.limits },
          options: input.options,
          ...(input.tuning && { tuning: input.tuning }),
          control: { paused: startedWith.paused },
        },
      ],
      typedSearchAttributes: [
        { key: searchAttributes.jobId, value: input.jobId },
        { key: searchAttributes.tenantId, value: plan.tenantId },
        { key: searchAttributes.status, value: 'waiting-for-worker' },
        { key: searchAttributes.total, value: plan.total },
      ],
      memo: { jobId: input.jobId, tenantId: plan.tenantId, file: input.source.fileName, total: plan.total },
    });
    started.add(plan.tenantId);
    // Steering that arrived while the child was starting passed it by: it gets the difference directly.
    catchUp(plan.tenantId, startedWith);
    return summaryOf(await child.result());
  }

  /**
   * A tenant that ended without a result (terminated, timed out, failed) or could not start: recorded with the
   * reason, its applied count read from its last run; every other tenant goes on.
   */
  async function closedTenantSummary(plan: TenantPlan, error: unknown): Promise<TenantSummary> {
    const reason = tenantClosureReason(error);
    log.warn('tenant ended without a result', { tenantId: plan.tenantId, reason: reason.message });
    let account;
    if (started.has(plan.tenantId)) {
      try {
        account = {
          failures: [],
          unfinished: [],
          nextItem: 0,
          ...(await accountForTenant({ jobId: input.jobId, tenantId: plan.tenantId })),
        };
      } catch (readError) {
        log.warn('what the tenant applied could not be read; counted as failed', {
          tenantId: plan.tenantId,
          error: String(readError),
        });
      }
    }
    return summaryOf(closedTenantResult(plan, account, reason));
  }

  /** The job's counts for the Web UI, every tenth of the way (an update per tenant would fill its history). */
  function publishCounts() {
    const summaries = [...ended, ...done.values()];
    const applied = summaries.reduce((sum, t) => sum + t.applied, 0);
    const failed = summaries.reduce((sum, t) => sum + t.failed, 0);
    const decile = Math.floor(((applied + failed) / Math.max(1, total)) * 10);
    if (decile === publishedDecile) return;
    publishedDecile = decile;
    upsertSearchAttributes([
      { key: searchAttributes.applied, value: applied },
      { key: searchAttributes.failed, value: failed },
    ]);
  }

  function catchUp(tenantId: string, startedWith: { paused: boolean; limits: TenantLimits }) {
    if (paused !== startedWith.paused) outbox.push({ tenantId, signal: paused ? pauseSignal : resumeSignal, args: [] });
    if (limits.get(tenantId) !== startedWith.limits)
      outbox.push({ tenantId, signal: setLimitsSignal, args: [{ tenantId, ...limits.get(tenantId) }] });
    if (cancel) outbox.push({ tenantId, signal: cancelSignal, args: [{ reason: cancel.message }] });
  }

  const tenants = [
    ...ended,
    ...input.tenants.map((plan): TenantSummary => {
      const summary = done.get(plan.tenantId);
      if (summary) return summary;
      const notStarted = {
        code: 'cancelled',
        message: `${cancel?.message ?? 'job cancelled'} (before the tenant started)`,
      };
      return summaryOf(closedTenantResult(plan, undefined, notStarted));
    }),
  ];
  const status = jobStatusOf(tenants, cancel !== undefined);
  const applied = tenants.reduce((sum, t) => sum + t.applied, 0);
  const failed = tenants.reduce((sum, t) => sum + t.failed, 0);
  upsertSearchAttributes([
    { key: searchAttributes.status, value: status },
    { key: searchAttributes.applied, value: applied },
    { key: searchAttributes.failed, value: failed },
  ]);
  return { jobId: input.jobId, status, total, applied, failed, tenants };
}

/** Passes steering on to the tenants started so far (those that start later get the job's state as input). */
async function forwardSteering(
  jobId: string,
  started: ReadonlySet<string>,
  outbox: Forward[],
  done: ReadonlyMap<string, unknown>,
) {
  for (;;) {
    await condition(() => outbox.length > 0);
    for (const { tenantId, signal, args } of outbox.splice(0)) {
      const targets = tenantId ? [tenantId].filter((id) => started.has(id)) : [...started];
      await Promise.all(
        targets
          .filter((target) => !done.has(target))
          .map((target) =>
            getExternalWorkflowHandle(tenantWorkflowId(jobId, target))
              .signal(signal, ...args)
              .catch((error: unknown) =>
                log.info('tenant did not take a forwarded signal', { target, error: String(error) }),
              ),
          ),
      );
    }
  }
}

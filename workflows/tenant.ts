/**
 * One tenant of a bulk job: a sliding window of single-write activities over the tenant's batches, sent to the
 * worker process that holds the tenant's lease.
 *
 * - The tenant's limits are the organisation's, so one lease per tenant (`lease.ts`) decides for every job: this
 *   workflow joins it, is told where to send and how many batches it may have out (its share of the tenant's
 *   concurrency), and leaves when done. Views of the lease carry a sequence number; an older one is ignored.
 * - When the lease moves to another process, batches out on the old one are cancelled there and still count in
 *   the window until they end (the old process writes nothing more: it is fenced), and their answers count.
 *   Whatever did not land goes again to the new holder: a batch the old process turned away, one that no process
 *   picked up in time (`scheduleToStartTimeout`), one cancelled before it was sent.
 * - Steering (pause, resume, cancel, limits) arrives by signal from the job workflow, addressed by workflow id
 *   only, so it reaches the latest run after continue-as-new; pause and limits go on to the lease.
 * - History stays bounded: past a limit the window drains and the workflow continues as new, carrying counts and
 *   the compact failure log, never assignments.
 *
 * Runs begun before the lease had a hold of their own; they finish as they began (`legacy/tenant-0.5.ts`).
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PutBatchResult } from '../contracts/batch';
import type { FailureReason } from '../contracts/failures';
import type { PacingView } from '../contracts/pacing';
import type {
  TenantAccount,
  TenantCarry,
  TenantProgress,
  TenantResult,
  TenantStatus,
  TenantWorkflowInput,
} from '../contracts/tenant';
import type { LeaseMemberRef, LeaseTuning, LeaseView } from '../contracts/lease';
import type { TenantLimits } from '../contracts/tenants';
import {
  cancelSignal,
  leaseLimitsSignal,
  leaseViewSignal,
  leaveLeaseSignal,
  memberActiveSignal,
  pauseSignal,
  resumeSignal,
  setLimitsSignal,
  tenantAccountQuery,
  tenantProgressQuery,
} from '../contracts/messages';
import { ORCHESTRATION_TASK_QUEUE, failureTypes, searchAttributes, tenantLeaseWorkflowId } from '../contracts/names';
import { chunksOf, planBatches } from '../contracts/plan';
import {
  DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_SCHEDULE_TO_START_MS,
  PUT_HEARTBEAT_TIMEOUT_MS,
  putBatchStartToCloseMs,
} from '../contracts/timing';
import { DEFAULT_BACKOFF } from '../pacing/backoff';
import { lastRecordOf, reasonOfFailure, unfinishedRanges } from './failures';
import { legacyTenantAssignments } from './legacy/tenant-0.5';
import { mergeLimits } from './limits';
import { BatchQueue } from './tenant/batch-queue';
import { FailureLedger } from './tenant/ledger';
import { LeaseViewState } from './tenant/lease-view';

/** Runs begun with this patch write through the tenant's lease; older runs keep their own hold to the end. */
const LEASE_PATCH = 'tenant-lease';

/** Runs begun with this patch return at most `RESULT_INLINE_RANGES` failed ranges; the rest go to the store. */
const COMPACT_RESULT_PATCH = 'compact-tenant-result';
/** Failed ranges a result carries itself (a few hundred bytes each at most): the job's history records it. */
const RESULT_INLINE_RANGES = 10;
const DEFAULT_HISTORY_EVENT_LIMIT = 8_000;
/** A batch with more items refused one by one than this stores them itself (a ref comes back, not the items). */
const ITEM_FAILURES_INLINE = 10;
/** Without a holder for this long, the workflow asks the lease again (it also starts a lease that is gone). */
const REJOIN_AFTER_MS = 60_000;

/** A batch out on a holder. */
interface Flight {
  taskQueue: string;
  scope?: CancellationScope;
  /** Its process no longer holds the lease: cancelled there; sent again on the holder unless it landed. */
  movedAway: boolean;
}

export async function tenantAssignments(input: TenantWorkflowInput): Promise<TenantResult> {
  if (!patched(LEASE_PATCH)) return legacyTenantAssignments(input);
  return leasedTenant(input);
}

async function leasedTenant(input: TenantWorkflowInput): Promise<TenantResult> {
  const { jobId, plan, options, tuning } = input;
  const tenantId = plan.tenantId;
  const batches = planBatches(plan.scheduleSizes, options.batchSize);
  const historyEventLimit = tuning?.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const member: LeaseMemberRef = { workflowId: workflowInfo().workflowId, jobId };
  const leaseTuning: LeaseTuning = {
    leaseTimeoutMs: tuning?.heartbeatTimeoutMs ?? DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
    ...(tuning?.loginBudgetMs !== undefined && { loginBudgetMs: tuning.loginBudgetMs }),
  };

  const state: TenantCarry = input.carry ?? {
    runNumber: 1,
    redo: [],
    nextBatch: 0,
    applied: 0,
    failed: 0,
    throttled: 0,
    failures: [],
    limits: plan.limits,
    limitsRevision: 0,
  };
  // The lease keeps the tenant's pacing; a run carried over from one with a hold of its own drops its copy.
  delete state.pacing;
  const failureLog = (state.failureLog ??= { stored: [], recent: [] });
  const { storeFailures, joinTenantLease } = proxyActivities<Activities>({
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const queue = new BatchQueue(batches, state);
  const ledger = new FailureLedger(batches, state, failureLog, (ranges) =>
    CancellationScope.nonCancellable(() => storeFailures({ jobId, tenantId, ranges })),
  );

  let paused = input.control.paused;
  let stopReason: FailureReason | undefined = input.control.cancel;
  /** The lease as last told; no holder until the join answers. */
  const lease = new LeaseViewState();
  /** A `setLimits` that came before the lease was joined, for the lease once it is. */
  let limitsToTell: Partial<TenantLimits> | undefined;
  const holder = () => lease.holder;
  /** The pacing the last batch saw in its holder: for progress only. */
  let shownPacing: PacingView | undefined;
  const inFlight = new Map<number, Flight>();
  /** Batches to send again, with what their last activity recorded (`PutBatchInput.resumeFrom`). */
  const resumeRecords = new Map<number, unknown>();
  /** What the search attributes say now (updated only when it changes). */
  let publishedStatus: string | undefined;
  let publishedDecile = -1;

  const putBatchOn = (taskQueue: string) =>
    proxyActivities<Activities>({
      taskQueue,
      startToCloseTimeout: putBatchStartToCloseMs(options.requestTimeoutMs),
      // The holder's slots match the shares, so a batch waits in its queue only briefly.
      scheduleToStartTimeout: tuning?.scheduleToStartMs ?? DEFAULT_SCHEDULE_TO_START_MS,
      heartbeatTimeout: PUT_HEARTBEAT_TIMEOUT_MS,
      // A cancelled batch is waited for: one already on the wire finishes and its answer counts.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      // The activity itself decides when to give up (faults spend attempts, throttling spends time) and sets each
      // delay; these values serve only when an attempt times out.
      retry: {
        initialInterval: DEFAULT_BACKOFF.initialMs,
        backoffCoefficient: DEFAULT_BACKOFF.coefficient,
        maximumInterval: DEFAULT_BACKOFF.maxMs,
      },
    }).putBatch;

  const leaseHandle = () => getExternalWorkflowHandle(tenantLeaseWorkflowId(tenantId));
  /** Tells the lease something (pause, limits, leaving); a lease that is gone is joined afresh when needed. */
  const tellLease = (send: () => Promise<void>) =>
    void CancellationScope.nonCancellable(send).catch((error: unknown) =>
      log.info('the tenant lease did not take a signal', { tenantId, error: String(error) }),
    );

  const stopped = () => stopReason !== undefined;
  const stop = (reason: FailureReason) => {
    const first = stopReason === undefined;
    stopReason ??= reason;
    // Batches waiting at the gate or for a retry are not sent; one on the wire finishes and counts.
    if (first) for (const flight of inFlight.values()) flight.scope?.cancel();
    publishStatus();
  };
  const hasWork = () => queue.hasWork;

  setHandler(pauseSignal, () => {
    paused = true;
    tellLease(() => leaseHandle().signal(memberActiveSignal, { ...member, active: false }));
    publishStatus();
  });
  setHandler(resumeSignal, () => {
    paused = false;
    tellLease(() => leaseHandle().signal(memberActiveSignal, { ...member, active: true }));
    publishStatus();
  });
  setHandler(cancelSignal, ({ reason }) => stop({ code: 'cancelled', message: reason ?? 'job cancelled' }));
  setHandler(setLimitsSignal, ({ tenantId: _tenantId, ...change }) => {
    // The tenant's limits are the organisation's: the lease applies them for every job, and says so in its view.
    // Before the lease is joined (it may not exist yet) the change waits, and goes with the join.
    state.limits = mergeLimits(state.limits, change);
    if (!lease.joined) limitsToTell = { ...limitsToTell, ...change };
    else tellLease(() => leaseHandle().signal(leaseLimitsSignal, change));
  });
  setHandler(leaseViewSignal, (view) => follow(view));
  setHandler(tenantAccountQuery, (): TenantAccount => ({
    applied: state.applied,
    throttled: state.throttled,
    failures: state.failures,
    failureLog,
    unfinished: unfinishedRanges(batches, [...inFlight.keys(), ...queue.toRedo], batches.length),
    nextItem: queue.nextItem(plan.total),
  }));
  setHandler(tenantProgressQuery, (): TenantProgress => ({
    jobId,
    tenantId,
    status: currentStatus(),
    total: plan.total,
    applied: state.applied,
    failed: state.failed,
    pending: plan.total - state.applied - state.failed,
    inFlight: inFlight.size,
    batchCount: batches.length,
    batchesDone: queue.handedOut - inFlight.size,
    throttled: state.throttled,
    ...(coolingUntil() !== undefined && { cooldownUntil: coolingUntil() }),
    limits: state.limits,
    pacing: shownPacing ?? { mode: state.limits.ratePerSecond === undefined ? 'learning' : 'configured', burst: 1 },
    paused,
    ...(stopReason && { stopReason }),
    runNumber: state.runNumber,
    ...(holder() && { worker: holder()!.worker }),
  }));

  /**
   * A newer view of the lease. A new holder: batches out on another process are cancelled there (they count in
   * the window until they end). Refused: no process can serve the tenant, so it stops with the lease's reason.
   */
  function follow(view: LeaseView) {
    const { ignored, movedTo } = lease.follow(view);
    if (ignored) return;
    state.limits = view.directive.limits;
    if (movedTo !== undefined) {
      for (const flight of inFlight.values()) {
        if (flight.taskQueue === movedTo || flight.movedAway) continue;
        flight.movedAway = true;
        flight.scope?.cancel();
      }
    }
    if (view.refused) stop(view.refused);
    publishStatus();
  }

  function coolingUntil(): number | undefined {
    const until = shownPacing?.cooldownUntil;
    return until !== undefined && until > Date.now() ? until : undefined;
  }

  function currentStatus(): TenantStatus {
    if (stopReason) return 'stopping';
    if (!holder()) return 'waiting-for-worker';
    if (paused) return 'paused';
    if (coolingUntil() !== undefined) return 'cooling-down';
    return 'running';
  }

  function publishStatus(final?: TenantStatus) {
    const status = final ?? currentStatus();
    const decile = Math.floor(((state.applied + state.failed) / Math.max(1, plan.total)) * 10);
    if (status === publishedStatus && decile === publishedDecile) return;
    publishedStatus = status;
    publishedDecile = decile;
    upsertSearchAttributes([
      { key: searchAttributes.status, value: status },
      { key: searchAttributes.applied, value: state.applied },
      { key: searchAttributes.failed, value: state.failed },
    ]);
  }

  function onResult(batch: number, result: PutBatchResult) {
    resumeRecords.delete(batch);
    shownPacing = result.pacing;
    ledger.recordResult(batch, result);
    if (result.outcome === 'tenant-forbidden') stop(result.reason);
    else if (result.outcome === 'rejected' && result.scheduleMissing) skipRestOfSchedule(batch, result.reason);
    publishStatus();
  }

  /** A schedule the API does not know: its later batches would be refused too, so they are not sent. */
  function skipRestOfSchedule(batch: number, reason: FailureReason) {
    for (const skipped of queue.skipRestOfSchedule(batch)) ledger.recordBatches(skipped, skipped, reason);
  }

  /**
   * A batch that ended without an answer. It goes again to the holder when it did not land for want of one: its
   * process lost the lease, none picked it up in time, or the tenant is stopping (then it fails as not sent).
   * Otherwise it failed with the reason Temporal gave up on.
   */
  function onNoAnswer(batch: number, flight: Flight, error: unknown) {
    const notHeld = failureTypeOf(error) === failureTypes.leaseNotHeld;
    // The process we were told of holds no lease (any more): wait for the lease's word of the next holder.
    if (notHeld && lease.turnedAway(flight.taskQueue)) publishStatus();
    if (flight.movedAway || notHeld || notPickedUp(error) || (stopped() && isCancellation(error))) {
      // What its attempts recorded goes with it: the next activity takes up from there.
      const record = lastRecordOf(error);
      if (record !== undefined) resumeRecords.set(batch, record);
      queue.sendAgain(batch);
      return;
    }
    const { reason, fatal } = reasonOfFailure(error);
    ledger.recordBatches(batch, batch, reason);
    if (fatal) stop(reason);
    publishStatus();
  }

  function dispatch(batch: number) {
    const to = holder()!;
    const directive = lease.directive!;
    const flight: Flight = { taskQueue: to.taskQueue, movedAway: false };
    inFlight.set(batch, flight);
    const putBatch = putBatchOn(to.taskQueue);
    // Not cancelled with the workflow: once sent, a batch's outcome is waited for, so a cancelled job still knows
    // what landed. Its own scope is cancelled when the tenant stops or its process no longer holds the lease.
    void CancellationScope.nonCancellable(() => {
      flight.scope = new CancellationScope();
      return flight.scope.run(() =>
        putBatch({
          jobId,
          tenantId,
          ...(plan.itemChunks
            ? { chunks: chunksOf(plan.itemChunks, batches[batch]!) }
            : plan.itemsRef !== undefined && { itemsRef: plan.itemsRef }),
          batchSize: options.batchSize,
          batchIndex: batch,
          items: { start: batches[batch]!.start, end: batches[batch]!.end },
          ...(resumeRecords.has(batch) && { resumeFrom: resumeRecords.get(batch) }),
          storeItemFailuresOver: ITEM_FAILURES_INLINE,
          requestTimeoutMs: options.requestTimeoutMs,
          ...(options.dryRun === true && { dryRun: true }),
          maxAttempts: options.maxAttempts,
          throttleBudgetMs: options.throttleBudgetMs,
          limits: {
            revision: directive.revision,
            ...(directive.limits.ratePerSecond !== undefined && { ratePerSecond: directive.limits.ratePerSecond }),
            ...(directive.limits.burst !== undefined && { burst: directive.limits.burst }),
          },
          lease: { epoch: to.epoch, directive },
        }),
      );
    })
      .then(
        (result) => onResult(batch, result),
        (error: unknown) => onNoAnswer(batch, flight, error),
      )
      .finally(() => {
        if (inFlight.get(batch) === flight) inFlight.delete(batch);
      });
  }

  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyEventLimit;
  const windowOpen = () => !paused && holder() !== undefined && inFlight.size < lease.share;

  /** Waits until one more batch may go; false when none should (all sent, stopping, or history full). */
  async function nextSlot(): Promise<boolean> {
    for (;;) {
      if (stopReason || !hasWork() || historyFull()) return false;
      if (windowOpen()) return true;
      await condition(() => stopReason !== undefined || windowOpen());
    }
  }

  /** Joins the lease now, and again whenever it has named no holder for a while (it may be gone). */
  async function keepJoined() {
    for (;;) {
      const view = await joinTenantLease({
        tenantId,
        member,
        active: !paused,
        limits: state.limits,
        tuning: leaseTuning,
      });
      follow(view);
      const change = limitsToTell;
      limitsToTell = undefined;
      if (change) tellLease(() => leaseHandle().signal(leaseLimitsSignal, change));
      for (;;) {
        await condition(() => holder() === undefined || stopped());
        if (stopped()) return;
        if (!(await condition(() => holder() !== undefined || stopped(), REJOIN_AFTER_MS))) break;
      }
    }
  }

  async function run() {
    publishStatus();
    void CancellationScope.nonCancellable(keepJoined).catch((error: unknown) =>
      log.warn('could not join the tenant lease', { tenantId, error: String(error) }),
    );
    while (await nextSlot()) dispatch(queue.take());
  }

  try {
    await run();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    stop({ code: 'cancelled', message: 'tenant workflow cancelled' });
  }

  return CancellationScope.nonCancellable(async () => {
    await condition(() => inFlight.size === 0 && !ledger.busy);
    if (!stopReason && hasWork()) {
      await condition(allHandlersFinished);
      // A cancel handled while waiting ends the tenant here instead.
      if (!stopped()) {
        return continueAsNew<typeof tenantAssignments>({
          ...input,
          control: { paused },
          carry: { ...state, runNumber: state.runNumber + 1 },
        });
      }
    }
    // Waited for: Temporal drops a signal that a workflow sends in the task that closes it.
    await leaseHandle()
      .signal(leaveLeaseSignal, member)
      .catch((error: unknown) =>
        log.info('the tenant lease did not take the leave', { tenantId, error: String(error) }),
      );
    if (stopReason && hasWork()) failRemaining(stopReason);
    if (patched(COMPACT_RESULT_PATCH)) {
      ledger.seal(RESULT_INLINE_RANGES);
      await condition(() => !ledger.busy);
    }
    const status: TenantStatus =
      stopReason?.code === 'cancelled'
        ? 'cancelled'
        : stopReason
          ? 'failed'
          : state.failed > 0
            ? 'completed-with-failures'
            : 'completed';
    publishStatus(status);
    return {
      tenantId,
      status,
      total: plan.total,
      applied: state.applied,
      failed: state.failed,
      throttled: state.throttled,
      failures: state.failures,
      failureLog,
      ...(stopReason && { stopReason }),
      ...(shownPacing && { pacing: shownPacing }),
    };
  });

  /** Everything not sent fails with the reason the tenant stopped. */
  function failRemaining(reason: FailureReason) {
    const notSent = { ...reason, message: `not sent: ${reason.message}` };
    const { again, rest } = queue.drain();
    for (const batch of again) ledger.recordBatches(batch, batch, notSent);
    if (rest) ledger.recordBatches(rest[0], rest[1], notSent);
  }
}

/** The failure type an activity ended with, when it threw one. */
function failureTypeOf(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** No process picked the batch up within its schedule-to-start timeout. */
function notPickedUp(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START';
}

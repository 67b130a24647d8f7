/**
 * The tenant workflow as 0.5.0 ran it, kept unchanged so that runs begun by 0.5.0 and earlier replay and finish as
 * they began (`tenant.ts` chooses it for them; their next run after continue-as-new takes the tenant's lease).
 * Delete it once no such run is open.
 *
 * One tenant of a bulk job: a sliding window of single-PUT activities over the tenant's batches, all sent to the
 * one worker process that serves the tenant.
 *
 * - First it asks for a process (`serveTenant` on the queue every process polls) and holds it for the whole run.
 *   That process checks the tenant's access and signals its tenant queue; every PUT goes there, so that
 *   process's gate alone decides when the tenant's requests go (cooldown, probe, pace), whatever the number of
 *   processes. If the process dies, its hold stops heartbeating, Temporal retries the hold on another process,
 *   and that one signals its own queue: the batches that were in flight on the dead one are sent again there.
 * - The window is the tenant's concurrency, counted here.
 * - Steering (pause, resume, cancel, limits) arrives by signal from the job workflow, addressed by workflow id
 *   only, so it reaches the latest run after continue-as-new.
 * - History stays bounded: past a limit the window drains and the workflow continues as new, carrying counts,
 *   compact failure records and what the pacer learned, never assignments.
 */
import {
  ActivityCancellationType,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PutBatchResult } from '../../contracts/batch';
import type { FailureReason, ItemFailure } from '../../contracts/failures';
import type {
  TenantAccount,
  TenantCarry,
  TenantProgress,
  TenantResult,
  TenantStatus,
  TenantWorkflowInput,
} from '../../contracts/tenant';
import {
  cancelSignal,
  pauseSignal,
  resumeSignal,
  setLimitsSignal,
  tenantAccountQuery,
  tenantProgressQuery,
  tenantServedSignal,
  tenantThrottledSignal,
} from '../../contracts/messages';
import { ORCHESTRATION_TASK_QUEUE, TENANT_CLAIMS_TASK_QUEUE, searchAttributes } from '../../contracts/names';
import { planBatches } from '../../contracts/plan';
import {
  DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
  LEGACY_PUT_HEARTBEAT_TIMEOUT_MS,
  putBatchStartToCloseMs,
} from '../../contracts/timing';
import { DEFAULT_BACKOFF } from '../../pacing/backoff';
import {
  FAILURE_LOG_BOUND,
  addBatchFailure,
  addFailedRange,
  addItemFailures,
  reasonOfFailure,
  unfinishedRanges,
} from '../failures';
import { mergeLimits } from '../limits';

const DEFAULT_HISTORY_EVENT_LIMIT = 8_000;
/** A batch with more items refused one by one than this stores them itself (a ref comes back, not the items). */
const ITEM_FAILURES_INLINE = 10;

/** A batch out on the serving process. */
interface Flight {
  taskQueue: string;
  scope?: CancellationScope;
  /** Its process stopped serving the tenant: the batch is sent again on the new one. */
  movedAway: boolean;
  /** Left behind (moved away): whatever it reports later is ignored, its batch is out again elsewhere. */
  abandoned?: boolean;
}

export async function legacyTenantAssignments(input: TenantWorkflowInput): Promise<TenantResult> {
  const { jobId, plan, options } = input;
  const batches = planBatches(plan.scheduleSizes, options.batchSize);
  const sizeOf = (batch: number) => batches[batch]!.end - batches[batch]!.start;
  const historyEventLimit = input.tuning?.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const { runId } = workflowInfo();
  /**
   * A stop (cancel, or a reason no batch can get past) cancels the batches not sent yet, and each batch's
   * cancellation waits for its activity's word, so one already on the wire finishes and counts. Runs begun without
   * the patch keep their behaviour to the end (their histories replay as recorded).
   */
  const stopCancelsUnsent = patched('stop-cancels-unsent-batches');
  /** Failures go to a bounded failure log, so state stays small; runs begun without the patch keep batch records. */
  const boundedFailureLog = patched('bounded-failure-log');

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
  if (boundedFailureLog) state.failureLog ??= { stored: [], recent: [] };
  /** Blocks of the failure log on their way to the claim-check store. */
  let storing = 0;
  let paused = input.control.paused;
  let stopReason: FailureReason | undefined = input.control.cancel;
  /** The process serving the tenant now: where PUTs go. */
  let serving: { taskQueue: string; worker: string } | undefined;
  const inFlight = new Map<number, Flight>();

  const { serveTenant } = proxyActivities<Activities>({
    taskQueue: TENANT_CLAIMS_TASK_QUEUE,
    // Held for the whole run; a run that lasts longer gets a fresh hold (the same process, most likely).
    startToCloseTimeout: '1 day',
    heartbeatTimeout: input.tuning?.heartbeatTimeoutMs ?? DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS,
    // Retried without end on another process when its process dies; final only for what no process can fix.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
  });
  const { storeFailures } = proxyActivities<Activities>({
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const putBatchOn = (taskQueue: string) =>
    proxyActivities<Activities>({
      taskQueue,
      startToCloseTimeout: putBatchStartToCloseMs(options.requestTimeoutMs),
      heartbeatTimeout: LEGACY_PUT_HEARTBEAT_TIMEOUT_MS,
      cancellationType: stopCancelsUnsent
        ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
        : ActivityCancellationType.TRY_CANCEL,
      // The activity itself decides when to give up (faults spend attempts, throttling spends time) and sets each
      // delay; these values serve only when an attempt times out.
      retry: {
        initialInterval: DEFAULT_BACKOFF.initialMs,
        backoffCoefficient: DEFAULT_BACKOFF.coefficient,
        maximumInterval: DEFAULT_BACKOFF.maxMs,
      },
    }).putBatch;

  const stopped = () => stopReason !== undefined;
  const stop = (reason: FailureReason) => {
    const first = stopReason === undefined;
    stopReason ??= reason;
    // Batches waiting at the gate or for a retry are not sent; one on the wire finishes and counts.
    if (first && stopCancelsUnsent) for (const flight of inFlight.values()) flight.scope?.cancel();
    publishStatus();
  };
  const hasWork = () => state.redo.length > 0 || state.nextBatch < batches.length;

  setHandler(pauseSignal, () => {
    paused = true;
    publishStatus();
  });
  setHandler(resumeSignal, () => {
    paused = false;
    publishStatus();
  });
  setHandler(cancelSignal, ({ reason }) => stop({ code: 'cancelled', message: reason ?? 'job cancelled' }));
  setHandler(setLimitsSignal, ({ tenantId: _tenantId, ...change }) => {
    state.limits = mergeLimits(state.limits, change);
    state.limitsRevision++;
  });
  setHandler(tenantServedSignal, (served) => {
    // A hold of an earlier run (before continue-as-new) may still speak for a moment.
    if (served.runId !== runId || served.taskQueue === serving?.taskQueue) return;
    serving = { taskQueue: served.taskQueue, worker: served.worker };
    // Batches out on a process that no longer serves the tenant will not come back from there.
    for (const [batch, flight] of inFlight) {
      if (flight.taskQueue === served.taskQueue) continue;
      flight.movedAway = true;
      flight.scope?.cancel();
      // Its cancellation now waits for the dead process's attempt to time out: the batch goes again at once.
      if (stopCancelsUnsent) {
        flight.abandoned = true;
        inFlight.delete(batch);
        state.redo.push(batch);
      }
    }
    publishStatus();
  });
  setHandler(tenantThrottledSignal, (throttled) => {
    if (throttled.runId !== runId) return;
    state.pacing = throttled.pacing;
    publishStatus();
  });
  setHandler(tenantAccountQuery, (): TenantAccount => ({
    applied: state.applied,
    throttled: state.throttled,
    failures: state.failures,
    ...(state.failureLog && { failureLog: state.failureLog }),
    unfinished: unfinishedRanges(batches, [...inFlight.keys(), ...state.redo], batches.length),
    nextItem: batches[state.nextBatch]?.start ?? plan.total,
  }));
  setHandler(tenantProgressQuery, (): TenantProgress => ({
    jobId,
    tenantId: plan.tenantId,
    status: currentStatus(),
    total: plan.total,
    applied: state.applied,
    failed: state.failed,
    pending: plan.total - state.applied - state.failed,
    inFlight: inFlight.size,
    batchCount: batches.length,
    batchesDone: state.nextBatch - inFlight.size - state.redo.length,
    throttled: state.throttled,
    ...(coolingUntil() !== undefined && { cooldownUntil: coolingUntil() }),
    limits: state.limits,
    pacing: state.pacing ?? { mode: plan.limits.ratePerSecond === undefined ? 'learning' : 'configured', burst: 1 },
    paused,
    ...(stopReason && { stopReason }),
    runNumber: state.runNumber,
    ...(serving && { worker: serving.worker }),
  }));

  function coolingUntil(): number | undefined {
    const until = state.pacing?.cooldownUntil;
    return until !== undefined && until > Date.now() ? until : undefined;
  }

  function currentStatus(): TenantStatus {
    if (stopReason) return 'stopping';
    if (!serving) return 'waiting-for-worker';
    if (paused) return 'paused';
    if (coolingUntil() !== undefined) return 'cooling-down';
    return 'running';
  }

  let publishedStatus: string | undefined;
  let publishedDecile = -1;
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
    state.throttled += result.throttled;
    state.pacing = result.pacing;
    // Many items refused one by one: the activity stored them as a block of the failure log.
    if (result.storedFailures) {
      state.failed += result.storedFailures.count;
      state.failureLog?.stored.push(result.storedFailures.ref);
    }
    switch (result.outcome) {
      case 'done':
        state.applied += result.applied;
        state.failed += result.failures.length;
        recordItemFailures(batch, result.failures);
        break;
      case 'rejected':
      case 'tenant-forbidden':
        state.failed += result.failures.length + result.count;
        // With stored failures, every item of the batch is in the stored block (counted above).
        if (!result.storedFailures) recordRefusedBatch(batch, result.failures, result.count, result.reason);
        if (result.outcome === 'tenant-forbidden') stop(result.reason);
        else if (result.scheduleMissing) skipRestOfSchedule(batch, result.reason);
        break;
    }
    publishStatus();
  }

  /** A batch refused: the items named one by one with their reasons, the other `count` with the batch's reason. */
  function recordRefusedBatch(batch: number, named: readonly ItemFailure[], count: number, reason: FailureReason) {
    recordItemFailures(batch, named);
    if (named.length === 0) return recordBatchFailure(batch, batch, count, reason);
    const offsets = new Set(named.map((failure) => failure.offset));
    const rest = Array.from({ length: sizeOf(batch) }, (_, offset) => offset).filter((offset) => !offsets.has(offset));
    recordItemFailures(
      batch,
      rest.map((offset) => ({ offset, reason })),
    );
  }

  /** A schedule the API does not know: its later batches would be refused too, so they are not sent. */
  function skipRestOfSchedule(batch: number, reason: FailureReason) {
    const schedule = batches[batch]!.schedule;
    while (state.nextBatch < batches.length && batches[state.nextBatch]!.schedule === schedule) {
      const size = sizeOf(state.nextBatch);
      state.failed += size;
      recordBatchFailure(state.nextBatch, state.nextBatch, size, reason);
      state.nextBatch++;
    }
  }

  function onFailure(batch: number, error: unknown) {
    const { reason, fatal } = reasonOfFailure(error);
    state.failed += sizeOf(batch);
    recordBatchFailure(batch, batch, sizeOf(batch), reason);
    if (fatal) stop(reason);
    publishStatus();
  }

  /** Items of one batch the API refused, each with its reason. */
  function recordItemFailures(batch: number, failures: readonly ItemFailure[]) {
    const log = state.failureLog;
    if (!log) return addItemFailures(state.failures, batch, failures);
    const start = batches[batch]!.start;
    for (const { offset, reason } of [...failures].sort((a, b) => a.offset - b.offset))
      addFailedRange(log, start + offset, start + offset + 1, reason);
    storeIfFull();
  }

  /** Whole batches `fromBatch..toBatch` (`count` items) failed for `reason`. */
  function recordBatchFailure(fromBatch: number, toBatch: number, count: number, reason: FailureReason) {
    const log = state.failureLog;
    if (!log) return addBatchFailure(state.failures, fromBatch, toBatch, count, reason);
    addFailedRange(log, batches[fromBatch]!.start, batches[toBatch]!.end, reason);
    storeIfFull();
  }

  /** Past the bound, the log's ranges move to the claim-check store as one block; the workflow keeps its ref. */
  function storeIfFull() {
    const log = state.failureLog;
    if (!log || log.recent.length < FAILURE_LOG_BOUND) return;
    const ranges = log.recent.splice(0);
    storing++;
    void CancellationScope.nonCancellable(() => storeFailures({ jobId, tenantId: plan.tenantId, ranges }))
      .then(
        (ref) => void log.stored.push(ref),
        // Kept in the workflow instead (the store retries without end; this is only a cancelled run).
        () => void log.recent.unshift(...ranges),
      )
      .finally(() => storing--);
  }

  function dispatch(batch: number, taskQueue: string) {
    const flight: Flight = { taskQueue, movedAway: false };
    inFlight.set(batch, flight);
    const putBatch = putBatchOn(taskQueue);
    // Not cancelled with the workflow: once sent, a batch's outcome is waited for, so a cancelled job still knows
    // what landed. Its own scope is cancelled only when its process stops serving the tenant.
    void CancellationScope.nonCancellable(() => {
      flight.scope = new CancellationScope();
      return flight.scope.run(() =>
        putBatch({
          jobId,
          tenantId: plan.tenantId,
          itemsRef: plan.itemsRef,
          batchSize: options.batchSize,
          batchIndex: batch,
          items: { start: batches[batch]!.start, end: batches[batch]!.end },
          ...(state.failureLog && { storeItemFailuresOver: ITEM_FAILURES_INLINE }),
          requestTimeoutMs: options.requestTimeoutMs,
          maxAttempts: options.maxAttempts,
          throttleBudgetMs: options.throttleBudgetMs,
          limits: limitsChange(),
          ...(state.pacing && { pacing: state.pacing }),
        }),
      );
    })
      .then(
        (result) => {
          if (!flight.abandoned) onResult(batch, result);
        },
        (error: unknown) => {
          if (flight.abandoned) return;
          // Moved away: sent again on the new process. Stopped before it was sent: failed as not sent at the end.
          if ((flight.movedAway || (stopCancelsUnsent && stopped())) && isCancellation(error)) state.redo.push(batch);
          else onFailure(batch, error);
        },
      )
      .finally(() => {
        if (inFlight.get(batch) === flight) inFlight.delete(batch);
      });
  }

  const limitsChange = () => ({
    revision: state.limitsRevision,
    ...(state.limits.ratePerSecond !== undefined && { ratePerSecond: state.limits.ratePerSecond }),
    ...(state.limits.burst !== undefined && { burst: state.limits.burst }),
  });

  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyEventLimit;
  const windowOpen = () => !paused && serving !== undefined && inFlight.size < state.limits.concurrency;

  /** Waits until one more batch may go; false when none should (all sent, stopping, or history full). */
  async function nextSlot(): Promise<boolean> {
    for (;;) {
      if (stopReason || !hasWork() || historyFull()) return false;
      if (windowOpen()) return true;
      await condition(() => stopReason !== undefined || windowOpen());
    }
  }

  // The hold on a serving process outlives a cancellation of this workflow: in-flight batches still need it.
  let hold: CancellationScope | undefined;
  void CancellationScope.nonCancellable(() => {
    hold = new CancellationScope();
    return hold.run(() =>
      serveTenant({
        jobId,
        tenantId: plan.tenantId,
        runId,
        limits: limitsChange(),
        ...(state.pacing && { pacing: state.pacing }),
      }),
    );
  }).catch((error: unknown) => {
    // Let go by this workflow, or refused for good: no process can serve the tenant (unknown, no access).
    if (!isCancellation(error)) stop(reasonOfFailure(error).reason);
  });

  async function run() {
    publishStatus();
    while (await nextSlot()) dispatch(state.redo.shift() ?? state.nextBatch++, serving!.taskQueue);
  }

  try {
    await run();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    stop({ code: 'cancelled', message: 'tenant workflow cancelled' });
  }

  return CancellationScope.nonCancellable(async () => {
    await condition(() => inFlight.size === 0 && storing === 0);
    hold?.cancel();
    if (!stopReason && hasWork()) {
      await condition(allHandlersFinished);
      // A cancel handled while waiting ends the tenant here instead.
      if (!stopped()) {
        return continueAsNew<typeof legacyTenantAssignments>({
          ...input,
          control: { paused },
          carry: { ...state, runNumber: state.runNumber + 1 },
        });
      }
    }
    if (stopReason && hasWork()) failRemaining(stopReason);
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
      tenantId: plan.tenantId,
      status,
      total: plan.total,
      applied: state.applied,
      failed: state.failed,
      throttled: state.throttled,
      failures: state.failures,
      ...(state.failureLog && { failureLog: state.failureLog }),
      ...(stopReason && { stopReason }),
      ...(state.pacing && { pacing: state.pacing }),
    };
  });

  /** Everything not sent fails with the reason the tenant stopped. */
  function failRemaining(reason: FailureReason) {
    const notSent = { ...reason, message: `not sent: ${reason.message}` };
    for (const batch of state.redo.splice(0).sort((a, b) => a - b)) {
      state.failed += sizeOf(batch);
      recordBatchFailure(batch, batch, sizeOf(batch), notSent);
    }
    if (state.nextBatch < batches.length) {
      let remaining = 0;
      for (let batch = state.nextBatch; batch < batches.length; batch++) remaining += sizeOf(batch);
      recordBatchFailure(state.nextBatch, batches.length - 1, remaining, notSent);
      state.failed += remaining;
      state.nextBatch = batches.length;
    }
  }
}

/**
 * One tenant of a bulk job: a sliding window of single-PUT activities over the tenant's batches.
 *
 * - The window is the tenant's concurrency, counted here, so the cap holds across every worker process.
 * - A 429 reaches this workflow by signal; until its Retry-After has passed nothing new is scheduled, and every
 *   activity carries that cooldown so each worker process's gate holds too.
 * - Steering (pause, resume, cancel, limits) arrives by signal from the job workflow, addressed by workflow id
 *   only, so it reaches the latest run after continue-as-new.
 * - History stays bounded: past a limit the window drains and the workflow continues as new, carrying counts
 *   and compact failure records, never assignments.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  FailureReason,
  PacingView,
  PutBatchResult,
  TenantCarry,
  TenantProgress,
  TenantResult,
  TenantStatus,
  TenantWorkflowInput,
} from '../contracts/job';
import {
  cancelSignal,
  pauseSignal,
  resumeSignal,
  setLimitsSignal,
  tenantProgressQuery,
  throttledSignal,
} from '../contracts/messages';
import { searchAttributes, tenantFatalFailureTypes, tenantTaskQueue } from '../contracts/names';
import { planBatches } from '../contracts/plan';
import { addBatchFailure, addItemFailures } from './failures';
import { mergeLimits } from './limits';
import { changeLimits, initialPacer, recordSuccess, recordThrottle, reserve } from './pacing';

const DEFAULT_HISTORY_EVENT_LIMIT = 8_000;
/** Activities heartbeat every 2 s; a worker silent for this long is presumed dead and its batch retried. */
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;

export async function tenantAssignments(input: TenantWorkflowInput): Promise<TenantResult> {
  const { jobId, plan, options } = input;
  const batches = planBatches(plan.scheduleSizes, options.batchSize);
  const sizeOf = (batch: number) => batches[batch]!.end - batches[batch]!.start;
  const historyEventLimit = input.tuning?.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;

  const state: TenantCarry = input.carry ?? {
    runNumber: 1,
    preflightDone: false,
    nextBatch: 0,
    applied: 0,
    failed: 0,
    throttled: 0,
    failures: [],
    limits: plan.limits,
    pacer: initialPacer(plan.limits, Date.now()),
  };
  let paused = input.control.paused;
  let stopReason: FailureReason | undefined = input.control.cancel;
  const inFlight = new Set<number>();

  const { putBatch } = proxyActivities<Activities>({
    taskQueue: tenantTaskQueue(plan.tenantId),
    // Covers a PUT, a re-send of the valid items after a 400, a 401 refresh, and gate waits.
    startToCloseTimeout: 3 * options.requestTimeoutMs + 60_000,
    heartbeatTimeout: input.tuning?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '60s',
      maximumAttempts: options.maxAttempts,
    },
  });
  const { checkTenantAccess } = proxyActivities<Activities>({
    taskQueue: tenantTaskQueue(plan.tenantId),
    startToCloseTimeout: '1m',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: options.maxAttempts },
  });

  const stopped = () => stopReason !== undefined;
  const stop = (reason: FailureReason) => {
    stopReason ??= reason;
    publishStatus();
  };

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
    if (change.ratePerSecond !== undefined || change.burst !== undefined)
      changeLimits(state.pacer, state.limits, Date.now());
  });
  setHandler(throttledSignal, ({ at, retryAfterMs }) => {
    state.throttled++;
    recordThrottle(state.pacer, at, retryAfterMs);
    if (retryAfterMs !== undefined) state.cooldownUntil = Math.max(state.cooldownUntil ?? 0, at + retryAfterMs);
  });
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
    batchesDone: state.nextBatch - inFlight.size,
    throttled: state.throttled,
    ...(state.cooldownUntil !== undefined && { cooldownUntil: state.cooldownUntil }),
    limits: state.limits,
    pacing: pacingView(),
    paused,
    ...(stopReason && { stopReason }),
    runNumber: state.runNumber,
  }));

  function pacingView(): PacingView {
    const { mode, ratePerSecond, estimatedPerSecond, burst } = state.pacer;
    return {
      mode,
      burst,
      ...(ratePerSecond !== undefined && { ratePerSecond }),
      ...(estimatedPerSecond !== undefined && { estimatedPerSecond }),
      ...(state.cooldownUntil !== undefined && { cooldownUntil: state.cooldownUntil }),
    };
  }

  function currentStatus(): TenantStatus {
    if (stopReason) return 'stopping';
    if (!state.preflightDone) return 'preflight';
    if (paused) return 'paused';
    if ((state.cooldownUntil ?? 0) > Date.now()) return 'cooling-down';
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
    recordSuccess(state.pacer, result.requests);
    switch (result.outcome) {
      case 'done':
        state.applied += result.applied;
        state.failed += result.failures.length;
        addItemFailures(state.failures, batch, result.failures);
        break;
      case 'rejected':
      case 'tenant-forbidden':
        state.failed += result.failures.length + result.count;
        addItemFailures(state.failures, batch, result.failures);
        if (result.failures.length === 0) {
          addBatchFailure(state.failures, batch, batch, result.count, result.reason);
        } else {
          // Only the items not refused one by one: their offsets are the ones not named above.
          const named = new Set(result.failures.map((failure) => failure.offset));
          const rest = Array.from({ length: sizeOf(batch) }, (_, offset) => offset).filter(
            (offset) => !named.has(offset),
          );
          addItemFailures(
            state.failures,
            batch,
            rest.map((offset) => ({ offset, reason: result.reason })),
          );
        }
        if (result.outcome === 'tenant-forbidden') stop(result.reason);
        else if (result.scheduleMissing) skipRestOfSchedule(batch, result.reason);
        break;
    }
    publishStatus();
  }

  /** A schedule the API does not know: its later batches would be refused too, so they are not sent. */
  function skipRestOfSchedule(batch: number, reason: FailureReason) {
    const schedule = batches[batch]!.schedule;
    while (state.nextBatch < batches.length && batches[state.nextBatch]!.schedule === schedule) {
      const size = sizeOf(state.nextBatch);
      state.failed += size;
      addBatchFailure(state.failures, state.nextBatch, state.nextBatch, size, reason);
      state.nextBatch++;
    }
  }

  function onFailure(batch: number, error: unknown) {
    const reason = reasonOfFailure(error);
    state.failed += sizeOf(batch);
    addBatchFailure(state.failures, batch, batch, sizeOf(batch), reason);
    if (tenantFatalFailureTypes.includes(reason.code)) stop(reason);
    publishStatus();
  }

  function dispatch(batch: number) {
    inFlight.add(batch);
    // Not cancellable: once sent, a batch's outcome is waited for, so a cancelled job still knows what landed.
    void CancellationScope.nonCancellable(() =>
      putBatch({
        jobId,
        tenantId: plan.tenantId,
        itemsRef: plan.itemsRef,
        batchSize: options.batchSize,
        batchIndex: batch,
        requestTimeoutMs: options.requestTimeoutMs,
        pacing: {
          notBefore: reserve(state.pacer, Date.now()),
          ...(state.pacer.ratePerSecond !== undefined && { ratePerSecond: state.pacer.ratePerSecond }),
          ...(state.cooldownUntil !== undefined && { cooldownUntil: state.cooldownUntil }),
        },
      }),
    )
      .then(
        (result) => onResult(batch, result),
        (error: unknown) => onFailure(batch, error),
      )
      .finally(() => inFlight.delete(batch));
  }

  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyEventLimit;
  const windowOpen = () => !paused && inFlight.size < state.limits.concurrency;

  /** Waits until one more batch may go; false when none should (all sent, stopping, or history full). */
  async function nextSlot(): Promise<boolean> {
    for (;;) {
      if (stopReason || state.nextBatch >= batches.length || historyFull()) return false;
      const coolingMs = (state.cooldownUntil ?? 0) - Date.now();
      if (coolingMs > 0) {
        publishStatus();
        await condition(() => stopReason !== undefined, coolingMs);
        continue;
      }
      if (windowOpen()) return true;
      const seenCooldown = state.cooldownUntil;
      await condition(() => stopReason !== undefined || state.cooldownUntil !== seenCooldown || windowOpen());
    }
  }

  async function run() {
    if (!state.preflightDone) {
      try {
        const access = await checkTenantAccess(plan.tenantId);
        if (access.ok) state.preflightDone = true;
        else stop(access.reason!);
      } catch (error) {
        if (isCancellation(error)) throw error;
        stop(reasonOfFailure(error));
      }
    }
    publishStatus();
    while (await nextSlot()) dispatch(state.nextBatch++);
  }

  try {
    await run();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    stop({ code: 'cancelled', message: 'tenant workflow cancelled' });
  }

  return CancellationScope.nonCancellable(async () => {
    await condition(() => inFlight.size === 0);
    if (!stopReason && state.nextBatch < batches.length) {
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
    if (stopReason && state.nextBatch < batches.length) {
      let remaining = 0;
      for (let batch = state.nextBatch; batch < batches.length; batch++) remaining += sizeOf(batch);
      addBatchFailure(state.failures, state.nextBatch, batches.length - 1, remaining, {
        ...stopReason,
        message: `not sent: ${stopReason.message}`,
      });
      state.failed += remaining;
      state.nextBatch = batches.length;
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
      tenantId: plan.tenantId,
      status,
      total: plan.total,
      applied: state.applied,
      failed: state.failed,
      throttled: state.throttled,
      failures: state.failures,
      ...(stopReason && { stopReason }),
      pacing: pacingView(),
    };
  });
}

/** The reason a batch failed after Temporal gave up retrying it, from the activity's own failure. */
function reasonOfFailure(error: unknown): FailureReason {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'activity-failed', message: cause.message };
  if (cause instanceof Error) return { code: 'activity-failed', message: cause.message };
  return { code: 'activity-failed', message: String(cause) };
}

/**
 * The one activity that writes: one batch of one tenant, through the tenant's writer (`writers/`): one PUT (plus one
 * more when the API refuses some items, to land the rest, `writers/put.ts`), or for a tenant of the Genesys writer
 * one schedule update at a time until the batch's rows are in its schedule (`writers/schedule-update/`). It runs in
 * the process that serves the tenant, on the tenant's queue there; every request takes its token first and passes
 * the tenant's gate last, right before it is written (`http/gated-request.ts`, pacing/gate.ts). Here: the batch's
 * rows loaded, the writer picked, the heartbeat, the lease checked, and what Temporal retries decided.
 *
 * Retryable trouble is thrown for Temporal's retry policy, with the delay taken from Retry-After for a 429 and
 * from jittered backoff otherwise; final answers of the API are returned as data. Being throttled spends time,
 * faults spend attempts (pacing/attempts.ts).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { encodeFailureBlock } from '../contracts/failure-blocks';
import type { StoredItem } from '../contracts/assignment';
import type { EncodedItems } from '../contracts/stored-items';
import type { BatchOutcome, PutBatchInput, PutBatchResult } from '../contracts/batch';
import type { FailedRange, FailureReason } from '../contracts/failures';
import { failureTypes } from '../contracts/names';
import { PUT_FIRST_HEARTBEAT_MS, PUT_HEARTBEAT_EVERY_MS } from '../contracts/timing';
import type { TenantSettings } from '../contracts/tenants';
import { faultsBefore, mayRetryFault, mayRetryThrottled, type AttemptFacts } from '../pacing/attempts';
import { backoffDelayMs, retryAfterWithJitterMs } from '../pacing/backoff';
import { GateWaitTooLong, LeaseNotHeldError } from '../pacing/waiting-room';
import type { ActivityDeps } from './deps';
import { Fault, TenantRequests, Throttled } from './http/gated-request';
import type { TenantRuntime } from './tenant-runtime';
import { putWriter } from './writers/put';
import { ScheduleUpdateWriter } from './writers/schedule-update/writer';
import { startingProgress, type HeartbeatProgress, type Writer } from './writers/writer';

export function createPutBatch(deps: ActivityDeps) {
  /** The writer of each kind, kept for the process: the Genesys writer keeps state per tenant. */
  const writers: Record<TenantSettings['writer'], Writer> = {
    put: putWriter,
    'genesys-schedule-update': new ScheduleUpdateWriter(),
  };
  return async function putBatch(input: PutBatchInput): Promise<PutBatchResult> {
    // The attempt uses the tenant's runtime until it ends: it is not closed as idle under it.
    const use = deps.acquireTenant(input.tenantId);
    try {
      return await attempt(input, use.runtime);
    } finally {
      use.release();
    }
  };

  async function attempt(input: PutBatchInput, tenant: TenantRuntime): Promise<PutBatchResult> {
    const context = Context.current();
    const workflowId = context.info.workflowExecution?.workflowId ?? input.jobId;
    const key = `${workflowId}/${context.info.workflowExecution?.runId}/${context.info.activityId}`;
    if (input.lease) {
      // Only the lease's holder writes for the tenant; a batch that reached another process goes back at once.
      if (tenant.fence.verdict() === 'closed') throw leaseNotHeld(input.tenantId);
      tenant.followLease(input.lease.directive);
      // Checked here now that no hold is per job: a process with another store than the job's says so by name.
      await deps.jobStores.check(input.jobId, context.client, context.info.attempt);
    } else {
      // Runs begun before the lease (patch `tenant-lease`): their own hold, their limits and pacing in each batch.
      tenant.follow(workflowId, input.limits);
      tenant.adopt(input.pacing, input.limits);
    }
    // Beats while waiting at the gate and while a request is out; cancellation reaches the attempt this way. It
    // starts from the earlier attempt's record, so a beat before the writer has read it does not erase it.
    const progress = startingProgress(context.info.heartbeatDetails as unknown, input.resumeFrom);
    const stopBeating = beatWhileRunning(() => context.heartbeat(progress.details));
    try {
      const facts = factsOf(context, tenant, key);
      if (faultsBefore(facts) >= input.maxAttempts) {
        throw ApplicationFailure.nonRetryable(
          `tenant ${input.tenantId}: ${faultsBefore(facts)} attempts of this batch ended without an answer (timed out or lost with their worker)`,
          failureTypes.attemptsExhausted,
        );
      }
      const outcome = await storeIfMany(await writeBatch(input, context, deps, tenant, writers, progress), input, deps);
      const result = { ...outcome, throttled: tenant.throttledAttempts.of(key).http429, pacing: tenant.gate.view() };
      tenant.throttledAttempts.finish(key);
      tenant.metrics.batchFinished(result);
      return result;
    } catch (error) {
      throw retryDecision(error, input, context, tenant, key);
    } finally {
      stopBeating();
    }
  }
}

/** Beats from `PUT_FIRST_HEARTBEAT_MS` on, every `PUT_HEARTBEAT_EVERY_MS`; returns what stops it. */
function beatWhileRunning(beat: () => void): () => void {
  let every: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    beat();
    every = setInterval(beat, PUT_HEARTBEAT_EVERY_MS);
  }, PUT_FIRST_HEARTBEAT_MS);
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

function factsOf(context: Context, tenant: TenantRuntime, key: string): AttemptFacts {
  const throttled = tenant.throttledAttempts.of(key);
  return {
    attempt: context.info.attempt,
    throttledAttempts: throttled.http429 + throttled.turnedAway,
    ageMs: Date.now() - context.info.scheduledTimestampMs,
  };
}

/** What Temporal is told when an attempt does not end with an answer: retry (after when), or give up. */
function retryDecision(
  error: unknown,
  input: PutBatchInput,
  context: Context,
  tenant: TenantRuntime,
  key: string,
): unknown {
  const budget = { maxAttempts: input.maxAttempts, throttleBudgetMs: input.throttleBudgetMs };
  if (context.cancellationSignal.aborted) {
    tenant.throttledAttempts.finish(key);
    return error;
  }
  if (error instanceof LeaseNotHeldError) {
    tenant.throttledAttempts.finish(key);
    return leaseNotHeld(input.tenantId);
  }
  if (error instanceof Throttled || error instanceof GateWaitTooLong) {
    tenant.throttledAttempts.add(key, error instanceof Throttled ? 'http429' : 'turnedAway');
    const facts = factsOf(context, tenant, key);
    if (!mayRetryThrottled(facts, budget)) {
      tenant.throttledAttempts.finish(key);
      const reason: FailureReason = {
        code: 'throttle-budget-exhausted',
        ...(error instanceof Throttled && { status: 429 }),
        message:
          `tenant ${input.tenantId} kept this batch throttled for ${Math.round(facts.ageMs / 60_000)} min, ` +
          `past the job's throttle budget of ${Math.round(input.throttleBudgetMs / 60_000)} min (${error.message})`,
      };
      return ApplicationFailure.nonRetryable(reason.message, failureTypes.throttleBudgetExhausted, reason);
    }
    return ApplicationFailure.create({
      message:
        error instanceof Throttled
          ? `API throttled tenant ${input.tenantId} (429), retry after ${error.retryAfterMs ?? 'unknown'} ms`
          : `tenant ${input.tenantId}: ${error.message}; nothing was sent`,
      type: error instanceof Throttled ? failureTypes.rateLimited : failureTypes.coolingDown,
      nextRetryDelay: retryAfterWithJitterMs(error.retryInMs, Math.random),
      // Throttling is expected traffic, not an error: kept out of the worker's warnings and error metrics.
      category: ApplicationFailureCategory.BENIGN,
      details: [{ retryAfterMs: error instanceof Throttled ? (error.retryAfterMs ?? null) : null }],
    });
  }
  const fault =
    error instanceof Fault
      ? error
      : error instanceof ApplicationFailure && !error.nonRetryable
        ? new Fault(error.message, error.type ?? failureTypes.networkError)
        : undefined;
  if (!fault) {
    tenant.throttledAttempts.finish(key);
    return error;
  }
  const facts = factsOf(context, tenant, key);
  if (!mayRetryFault(facts, budget)) {
    tenant.throttledAttempts.finish(key);
    return ApplicationFailure.nonRetryable(
      `${fault.message} (gave up after ${input.maxAttempts} attempts that met a fault)`,
      fault.type,
    );
  }
  return ApplicationFailure.create({
    message: fault.message,
    type: fault.type,
    nextRetryDelay: backoffDelayMs(faultsBefore(facts) + 1, Math.random),
  });
}

/** Final for this attempt, not for the batch: its tenant workflow sends it again to the lease's holder. */
function leaseNotHeld(tenantId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `this worker process does not hold the lease of tenant ${tenantId}; nothing was sent`,
    failureTypes.leaseNotHeld,
  );
}

/**
 * A batch whose items were refused one by one, more than the workflow asked to receive inline: every failed item
 * of it goes to the claim-check store as one failure-log block, and the result carries its ref and count.
 */
async function storeIfMany(outcome: BatchOutcome, input: PutBatchInput, deps: ActivityDeps): Promise<BatchOutcome> {
  const bound = input.storeItemFailuresOver;
  if (bound === undefined || outcome.failures.length <= bound || !input.items) return outcome;
  const { start, end } = input.items;
  const ranges: FailedRange[] = outcome.failures.map(({ offset, reason }) => ({
    start: start + offset,
    end: start + offset + 1,
    reason,
  }));
  if (outcome.outcome !== 'done') {
    // The rest of the batch, refused as a whole after those.
    const named = new Set(outcome.failures.map((failure) => failure.offset));
    for (let position = start; position < end; position++)
      if (!named.has(position - start)) ranges.push({ start: position, end: position + 1, reason: outcome.reason });
  }
  const ref = await deps.store.put(encodeFailureBlock(ranges), input.jobId);
  const storedFailures = { ref, count: ranges.length };
  return outcome.outcome === 'done'
    ? { ...outcome, failures: [], storedFailures }
    : { ...outcome, failures: [], count: 0, storedFailures };
}

/** Loads the batch's rows and has the tenant's writer write them. */
async function writeBatch(
  input: PutBatchInput,
  context: Context,
  deps: ActivityDeps,
  tenant: TenantRuntime,
  writers: Record<TenantSettings['writer'], Writer>,
  progress: HeartbeatProgress,
): Promise<BatchOutcome> {
  const { scheduleId, rows, lastOfChunks } = await batchRows(input, deps);
  const requests = new TenantRequests(tenant, deps, context, input.requestTimeoutMs);
  const outcome = await writers[tenant.settings.writer].write(requests, { input, scheduleId, rows, progress });
  // Written: the tenant's later batches start past these chunks, so the cache need not keep them.
  deps.releaseItems(lastOfChunks);
  return outcome;
}

/**
 * The batch's rows, decoded from the tenant's stored items (of the chunks that hold them): the write holds only
 * these, and what the cache holds stays as stored.
 */
async function batchRows(
  input: PutBatchInput,
  deps: ActivityDeps,
): Promise<{ scheduleId: string; rows: StoredItem[]; lastOfChunks: string[] }> {
  const where = input.chunks ? `chunks ${input.chunks.refs.join(', ')}` : (input.itemsRef ?? 'no stored items');
  const batch = `batch ${input.batchIndex} (items ${input.items?.start ?? '?'}-${input.items?.end ?? '?'})`;
  let range = input.items;
  let held: EncodedItems[];
  if (input.chunks) {
    held = (await Promise.all(input.chunks.refs.map((ref) => deps.items(ref)))).map((chunk) => chunk.items);
    // The chunks' items start at `firstItem` of the tenant's.
    const offset = input.chunks.firstItem;
    range = range && { start: range.start - offset, end: range.end - offset };
  } else {
    if (input.itemsRef === undefined)
      throw ApplicationFailure.nonRetryable(`${batch} names no stored items`, failureTypes.inputUnavailable);
    const stored = await deps.items(input.itemsRef);
    held = [stored.items];
    range ??= (await stored.batchesOf(input.batchSize))[input.batchIndex];
  }
  /** Where each chunk ends in the items held. */
  let total = 0;
  const chunkEnds = held.map((chunk) => (total += chunk.length));
  if (!range || range.start < 0 || range.end > total || range.start >= range.end)
    throw ApplicationFailure.nonRetryable(`${batch} is not in ${where}`, failureTypes.inputUnavailable);
  let rows: StoredItem[];
  try {
    rows = held.flatMap((chunk, i) => {
      const chunkStart = chunkEnds[i]! - chunk.length;
      return chunk.slice(range.start - chunkStart, range.end - chunkStart);
    });
  } catch (error) {
    // What was stored does not read as items: no retry reads it otherwise.
    throw ApplicationFailure.nonRetryable(
      `${batch} of ${where}: ${(error as Error).message}`,
      failureTypes.inputUnavailable,
    );
  }
  const scheduleId = rows[0]!.scheduleId;
  if (rows.at(-1)!.scheduleId !== scheduleId)
    throw ApplicationFailure.nonRetryable(`${batch} spans two schedules of ${where}`, failureTypes.inputUnavailable);
  // The chunks whose last item is in this batch (batches run in the items' order: the tenant's others are done with
  // them, but for a retry, which reads them again).
  const end = range.end;
  const lastOfChunks = input.chunks ? input.chunks.refs.filter((_, i) => end >= chunkEnds[i]!) : [];
  return { scheduleId, rows, lastOfChunks };
}

/**
 * The one activity that writes: one batch of one tenant, one PUT (plus one more when the API refuses some
 * items, to land the rest), or for a tenant of the Genesys writer one schedule update at a time until the batch's
 * rows are in its schedule (`schedule-update/write-schedule-batch.ts`). It runs in the process that serves the
 * tenant, on the tenant's queue there, and takes its token first and passes the tenant's gate last, right before
 * the request (pacing/gate.ts).
 *
 * Retryable trouble is thrown for Temporal's retry policy, with the delay taken from Retry-After for a 429 and
 * from jittered backoff otherwise; final answers of the API are returned as data. Being throttled spends time,
 * faults spend attempts (pacing/attempts.ts).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Assignment } from '../contracts/assignment';
import { encodeFailureBlock } from '../contracts/failure-blocks';
import type { BatchOutcome, PutBatchInput, PutBatchResult } from '../contracts/batch';
import type { FailedRange, FailureReason, ItemFailure } from '../contracts/failures';
import { failureTypes } from '../contracts/names';
import { PUT_HEARTBEAT_EVERY_MS } from '../contracts/timing';
import type { TenantSettings } from '../contracts/tenants';
import { faultsBefore, mayRetryFault, mayRetryThrottled, type AttemptFacts } from '../pacing/attempts';
import { backoffDelayMs, retryAfterWithJitterMs } from '../pacing/backoff';
import { GateWaitTooLong, LeaseNotHeldError } from '../pacing/waiting-room';
import { safeJson, summarize } from './auth/oauth';
import type { ActivityDeps } from './deps';
import { Fault, Throttled, reasonOf, sendWithToken, type ApiErrorBody } from './http/gated-request';
import { writeScheduleBatch, type HeartbeatProgress } from './schedule-update/write-schedule-batch';
import type { TenantRuntime } from './tenant-runtime';

/**
 * Whether a 404 says the schedule itself is unknown, so its later batches would be refused too: a not-found code
 * whose message names the schedule. Any other 404 (a gateway's, a wrong path) refuses this batch only.
 */
export function saysScheduleUnknown(body: ApiErrorBody | undefined, scheduleId: string): boolean {
  if (typeof body?.code !== 'string' || !/not[._]found/i.test(body.code)) return false;
  const text = `${body.code} ${body.message ?? ''}`;
  return text.includes(scheduleId) || /schedule/i.test(text);
}

export function createPutBatch(deps: ActivityDeps) {
  return async function putBatch(input: PutBatchInput): Promise<PutBatchResult> {
    const context = Context.current();
    const tenant = deps.tenant(input.tenantId);
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
    // Beats while waiting at the gate and while a request is out; cancellation reaches the attempt this way.
    const progress: HeartbeatProgress = {};
    const heartbeat = setInterval(() => context.heartbeat(progress.details), PUT_HEARTBEAT_EVERY_MS);
    try {
      const facts = factsOf(context, tenant, key);
      if (faultsBefore(facts) >= input.maxAttempts) {
        throw ApplicationFailure.nonRetryable(
          `tenant ${input.tenantId}: ${faultsBefore(facts)} attempts of this batch ended without an answer (timed out or lost with their worker)`,
          failureTypes.attemptsExhausted,
        );
      }
      const outcome = await storeIfMany(await sendBatch(input, context, deps, tenant, progress), input, deps);
      const result = { ...outcome, throttled: tenant.throttledAttempts.of(key).http429, pacing: tenant.gate.view() };
      tenant.throttledAttempts.finish(key);
      tenant.metrics.batchFinished(result);
      return result;
    } catch (error) {
      throw retryDecision(error, input, context, tenant, key);
    } finally {
      clearInterval(heartbeat);
    }
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

async function sendBatch(
  input: PutBatchInput,
  context: Context,
  deps: ActivityDeps,
  tenant: TenantRuntime,
  progress: HeartbeatProgress,
): Promise<BatchOutcome> {
  const stored = await deps.items(input.itemsRef);
  const range = input.items ?? stored.batchesOf(input.batchSize)[input.batchIndex];
  if (!range || range.start < 0 || range.end > stored.items.length || range.start >= range.end)
    throw ApplicationFailure.nonRetryable(
      `batch ${input.batchIndex} (items ${range ? `${range.start}-${range.end}` : '?'}) is not in ${input.itemsRef}`,
      failureTypes.inputUnavailable,
    );
  const scheduleId = stored.scheduleIds[range.start]!;
  if (stored.scheduleIds[range.end - 1] !== scheduleId)
    throw ApplicationFailure.nonRetryable(
      `batch ${input.batchIndex} (items ${range.start}-${range.end}) spans two schedules of ${input.itemsRef}`,
      failureTypes.inputUnavailable,
    );
  if (tenant.settings.writer === 'genesys-schedule-update') {
    const first = stored.items[range.start]!;
    if (first.businessUnitId === undefined || first.weekId === undefined)
      throw ApplicationFailure.nonRetryable(
        `tenant ${input.tenantId} writes through genesys-schedule-update, but the stored rows of schedule ` +
          `${scheduleId} name no businessUnitId and weekId (was the job started with another tenants file?)`,
        failureTypes.inputUnavailable,
      );
    const place = { businessUnitId: first.businessUnitId, weekId: first.weekId, scheduleId };
    const rows = stored.items
      .slice(range.start, range.end)
      .map((item, offset) => ({ offset, assignment: item.assignment }));
    return writeScheduleBatch(
      { place, rows, requestTimeoutMs: input.requestTimeoutMs },
      context,
      deps,
      tenant,
      progress,
    );
  }
  const url =
    tenant.settings.apiBaseUrl + tenant.settings.pathTemplate.replace('{scheduleId}', encodeURIComponent(scheduleId));

  // Offsets (within the batch) still to send; items the API refused leave this list with their reason.
  let pending = Array.from({ length: range.end - range.start }, (_, offset) => offset);
  const failures: ItemFailure[] = [];
  // One retry with a fresh token for the whole batch, whatever the number of PUTs it takes.
  const unauthorized = { retried: false };

  while (pending.length > 0) {
    const assignments = pending.map((offset) => stored.items[range.start + offset]!.assignment);
    const call = { method: 'PUT', url, body: toBody(tenant.settings, assignments) } as const;
    const response = await sendWithToken(call, input.requestTimeoutMs, context, deps, tenant, unauthorized);

    if (response.ok) return { outcome: 'done', applied: pending.length, failures };
    const body = safeJson(response.text) as ApiErrorBody | undefined;
    const reason = reasonOf(response.status, body, response.text);
    switch (response.status) {
      case 403:
        return { outcome: 'tenant-forbidden', reason, count: pending.length, failures };
      case 404:
        return {
          outcome: 'rejected',
          reason,
          count: pending.length,
          failures,
          ...(saysScheduleUnknown(body, scheduleId) && { scheduleMissing: true }),
        };
      case 400: {
        const refused = refusedOffsets(body, pending);
        if (refused.size === 0) return { outcome: 'rejected', reason, count: pending.length, failures };
        for (const [offset, itemReason] of refused) failures.push({ offset, reason: itemReason });
        pending = pending.filter((offset) => !refused.has(offset));
        continue;
      }
      default:
        if (response.status >= 500) {
          throw new Fault(
            `API answered ${response.status} for tenant ${input.tenantId}: ${reason.message}`,
            failureTypes.serverError,
          );
        }
        return { outcome: 'rejected', reason, count: pending.length, failures };
    }
  }
  return { outcome: 'done', applied: 0, failures };
}

function toBody(settings: TenantSettings, assignments: Assignment[]): string {
  const renamed = assignments.map((assignment) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(assignment))
      if (value !== undefined) out[settings.fieldNames[key] ?? key] = value;
    return out;
  });
  return JSON.stringify({ [settings.listField]: renamed });
}

/** Items the API named as invalid, by offset within the batch; `details[].index` counts within what was sent. */
function refusedOffsets(body: ApiErrorBody | undefined, sent: number[]): Map<number, FailureReason> {
  const refused = new Map<number, FailureReason>();
  for (const detail of body?.details ?? []) {
    const offset = typeof detail.index === 'number' ? sent[detail.index] : undefined;
    if (offset === undefined) continue;
    const field = detail.fieldName ? `${detail.fieldName}: ` : '';
    refused.set(offset, {
      status: 400,
      code: 'invalid-item',
      message: summarize(`${field}${detail.message ?? 'invalid'}`),
    });
  }
  return refused;
}

/**
 * The one activity that writes: one batch of one tenant, one PUT (plus one more when the API refuses some
 * items, to land the rest). Retryable trouble is thrown for Temporal's retry policy, with the delay taken from
 * Retry-After for a 429 and from jittered backoff otherwise; final answers of the API are returned as data.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Assignment } from '../contracts/assignment';
import type { FailureReason, ItemFailure, PutBatchInput, PutBatchResult } from '../contracts/job';
import { throttledSignal } from '../contracts/messages';
import { failureTypes, tenantWorkflowId } from '../contracts/names';
import type { TenantSettings } from '../contracts/tenants';
import { describeFetchError, safeJson, summarize } from './auth/oauth';
import type { AccessToken } from './auth/token-cache';
import { backoffDelayMs, retryAfterWithJitterMs } from './http/backoff';
import { parseRetryAfter, parseRetryAfterFromBody } from './http/retry-after';
import type { ActivityDeps } from './deps';
import type { TenantMetrics } from './metrics';
import type { TenantRuntime } from './tenant-runtime';
import { waitForGate } from './wait-for-gate';

/** The platform's error body: `{message, code, status, contextId, details, errors}`. */
interface ApiErrorBody {
  message?: string;
  code?: string;
  details?: { index?: number; id?: string; fieldName?: string; message?: string }[];
}

export function createPutBatch(deps: ActivityDeps) {
  return async function putBatch(input: PutBatchInput): Promise<PutBatchResult> {
    const context = Context.current();
    // Beats while waiting in the gate and while a request is out, so a dead worker is noticed within the
    // heartbeat timeout rather than the much longer start-to-close timeout.
    const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      const result = await putBatchAttempt(input, context, deps);
      deps.tenant(input.tenantId).metrics.batchFinished(result);
      return result;
    } finally {
      clearInterval(heartbeat);
    }
  };
}

/** Well inside the heartbeat timeout the workflow sets. */
const HEARTBEAT_EVERY_MS = 2_000;

async function putBatchAttempt(input: PutBatchInput, context: Context, deps: ActivityDeps): Promise<PutBatchResult> {
  const tenant = deps.tenant(input.tenantId);
  const stored = await deps.items(input.itemsRef);
  const batches = stored.batchesOf(input.batchSize);
  const range = batches[input.batchIndex];
  if (!range)
    throw ApplicationFailure.nonRetryable(
      `batch ${input.batchIndex} is not in ${input.itemsRef}`,
      failureTypes.inputUnavailable,
    );
  const scheduleId = stored.scheduleIds[range.start]!;
  const url =
    tenant.settings.apiBaseUrl + tenant.settings.pathTemplate.replace('{scheduleId}', encodeURIComponent(scheduleId));

  if (input.pacing.cooldownUntil) tenant.gate.holdUntil(input.pacing.cooldownUntil);

  // Offsets (within the batch) still to send; items the API refused leave this list with their reason.
  let pending = Array.from({ length: range.end - range.start }, (_, offset) => offset);
  const failures: ItemFailure[] = [];
  let retriedUnauthorized = false;
  // PUTs the API answered without a 429: the workflow's pacer counts them as paid by the API's bucket.
  let requests = 0;
  // Only the first request waits for the planned slot; a re-send after a 401 or a per-item 400 follows at once.
  let notBefore = input.pacing.notBefore;

  while (pending.length > 0) {
    await waitForGate(tenant.gate, context, notBefore);
    notBefore = undefined;
    let token: AccessToken;
    let response: ApiResponse | undefined;
    try {
      token = await deps.token(tenant);
      const assignments = pending.map((offset) => stored.items[range.start + offset]!.assignment);
      const requestBody = toBody(tenant.settings, assignments);
      response = await send(url, token, requestBody, input.requestTimeoutMs, context, tenant.metrics);
    } finally {
      // Every request the gate let through reports back, so a probe after a cooldown never blocks the others.
      tenant.gate.requestDone(response?.status === 429);
    }
    if (response.status !== 429) requests++;

    if (response.ok) {
      return { outcome: 'done', applied: pending.length, failures, requests };
    }
    const body = safeJson(response.text) as ApiErrorBody | undefined;
    const reason = reasonOf(response.status, body, response.text);
    switch (response.status) {
      case 401:
        tenant.tokens.invalidate(token);
        if (!retriedUnauthorized) {
          retriedUnauthorized = true;
          continue;
        }
        throw retryable(
          `API refused a fresh token of tenant ${input.tenantId} (401): ${reason.message}`,
          failureTypes.unauthorized,
          context,
        );
      case 403:
        return { outcome: 'tenant-forbidden', reason, count: pending.length, failures, requests };
      case 404:
        return { outcome: 'rejected', reason, count: pending.length, failures, requests, scheduleMissing: true };
      case 429:
        throw await throttled(input, response, body, context, deps, tenant);
      case 400: {
        const refused = refusedOffsets(body, pending);
        if (refused.size === 0) return { outcome: 'rejected', reason, count: pending.length, failures, requests };
        for (const [offset, itemReason] of refused) failures.push({ offset, reason: itemReason });
        pending = pending.filter((offset) => !refused.has(offset));
        continue;
      }
      default:
        if (response.status >= 500) {
          throw retryable(
            `API answered ${response.status} for tenant ${input.tenantId}: ${reason.message}`,
            failureTypes.serverError,
            context,
          );
        }
        return { outcome: 'rejected', reason, count: pending.length, failures, requests };
    }
  }
  return { outcome: 'done', applied: 0, failures, requests };
}

interface ApiResponse {
  ok: boolean;
  status: number;
  headers: Headers;
  text: string;
  receivedAt: number;
}

async function send(
  url: string,
  token: AccessToken,
  body: string,
  timeoutMs: number,
  context: Context,
  metrics: TenantMetrics,
): Promise<ApiResponse> {
  const finished = metrics.requestStarted();
  try {
    const response = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token.value}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), context.cancellationSignal]),
    });
    const text = await response.text();
    finished(response.status);
    return { ok: response.ok, status: response.status, headers: response.headers, text, receivedAt: Date.now() };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    finished(context.cancellationSignal.aborted ? 'cancelled' : timedOut ? 'timeout' : 'network_error');
    if (context.cancellationSignal.aborted) throw error;
    throw retryable(
      `PUT ${new URL(url).pathname} ${timedOut ? `timed out after ${timeoutMs} ms` : `failed: ${describeFetchError(error)}`}`,
      timedOut ? failureTypes.requestTimeout : failureTypes.networkError,
      context,
    );
  }
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

function reasonOf(status: number, body: ApiErrorBody | undefined, text: string): FailureReason {
  return {
    status,
    code: body?.code ?? `http-${status}`,
    message: summarize(body?.message ?? text) || `HTTP ${status}`,
  };
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

/**
 * A 429: holds the whole tenant in this process until Retry-After has passed, tells the tenant workflow (so
 * it schedules nothing new meanwhile), and asks Temporal to retry this batch after that same delay.
 */
async function throttled(
  input: PutBatchInput,
  response: ApiResponse,
  body: ApiErrorBody | undefined,
  context: Context,
  deps: ActivityDeps,
  tenant: Pick<TenantRuntime, 'gate' | 'metrics'>,
): Promise<ApplicationFailure> {
  const retryAfterMs =
    parseRetryAfter(response.headers.get('retry-after'), response.receivedAt) ?? parseRetryAfterFromBody(body?.message);
  tenant.metrics.throttled(retryAfterMs);
  // Holds the tenant in this process at once, and gives this request its own retry slot after the window.
  const retryDelayMs =
    retryAfterMs !== undefined
      ? tenant.gate.throttled(
          response.receivedAt,
          retryAfterMs,
          input.pacing.ratePerSecond ? 1000 / input.pacing.ratePerSecond : retryAfterMs,
        )
      : undefined;
  try {
    await context.client.workflow
      .getHandle(tenantWorkflowId(input.jobId, input.tenantId))
      .signal(throttledSignal, { at: response.receivedAt, ...(retryAfterMs !== undefined && { retryAfterMs }) });
  } catch (error) {
    // The gate already holds this process; the workflow learning of it later costs nothing but a few requests.
    deps.log(`tenant ${input.tenantId}: could not tell the workflow about a 429: ${(error as Error).message}`);
  }
  const delay =
    retryDelayMs !== undefined
      ? retryAfterWithJitterMs(retryDelayMs, Math.random)
      : backoffDelayMs(context.info.attempt, Math.random);
  return ApplicationFailure.create({
    message: `API throttled tenant ${input.tenantId} (429), retry after ${retryAfterMs ?? 'unknown'} ms`,
    type: failureTypes.rateLimited,
    nextRetryDelay: delay,
    // Throttling is expected traffic, not an error: kept out of the worker's warnings and error metrics.
    category: ApplicationFailureCategory.BENIGN,
    details: [{ retryAfterMs: retryAfterMs ?? null }],
  });
}

function retryable(message: string, type: string, context: Context): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nextRetryDelay: backoffDelayMs(context.info.attempt, Math.random),
  });
}

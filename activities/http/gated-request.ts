/**
 * One request of a tenant to its API through the tenant's gate: every writer's calls (the PUT writer's PUT, the
 * Genesys writer's reads, upload URL and update) go out this way, so one authority per tenant paces and throttles
 * them all alike. A 429 becomes `Throttled` (no attempt spent), no answer becomes a `Fault` (an attempt spent).
 */
import type { Context } from '@temporalio/activity';
import { request, type Dispatcher } from 'undici';
import type { FailureReason } from '../../contracts/failures';
import { lateThrottleSignal } from '../../contracts/messages';
import { failureTypes, tenantLeaseWorkflowId } from '../../contracts/names';
import type { GateTicket, RequestAnswer } from '../../pacing/gate';
import { MAX_GATE_WAIT_MS } from '../../contracts/timing';
import { parseRetryAfter, parseRetryAfterFromBody, parseWindowQuota } from '../../pacing/retry-after';
import { OAuthError, describeFetchError, safeJson, summarize } from '../auth/oauth';
import type { AccessToken } from '../auth/token-cache';
import type { ActivityDeps } from '../deps';
import type { RequestOutcome } from '../metrics';
import type { TenantRuntime } from '../tenant-runtime';
import { HeldBeforeWrite, checkBeforeWrite } from './check-before-write';
import { userAgent } from './user-agent';

/** The platform's error body: `{message, code, status, contextId, details, errors}`. */
export interface ApiErrorBody {
  message?: string;
  code?: string;
  details?: { index?: number; id?: string; fieldName?: string; message?: string }[];
}

/** A 429 for this request: the gate is already held; Temporal should retry after `retryInMs`. */
export class Throttled extends Error {
  constructor(
    readonly retryInMs: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`API throttled the request (429), retry after ${retryAfterMs ?? 'unknown'} ms`);
  }
}

/** A fault worth retrying: 5xx, connection trouble, timeout, a 401 that a fresh token did not cure. */
export class Fault extends Error {
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

/** A request of the tenant's API. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'HEAD';
  url: string;
  /** JSON text; sent with `content-type: application/json`. */
  body?: string;
}

export interface ApiResponse {
  ok: boolean;
  status: number;
  text: string;
}

/** Whether a 401 was already met and answered with a fresh token, over the calls that share it. */
export interface UnauthorizedRetry {
  retried: boolean;
}

/** What a tenant's requests take from the worker process. */
export type RequestDeps = Pick<ActivityDeps, 'workerId' | 'http' | 'token' | 'log'>;

/**
 * The requests of one tenant in one activity attempt, which every writer calls: a token from the tenant's cache,
 * the tenant's line and gate, the lease's fence, the user agent, the metrics, and a 401 answered with a fresh token.
 * The attempt's context bounds them (cancellation) and reports a 429 read after the lease was lost.
 */
export class TenantRequests {
  constructor(
    readonly tenant: TenantRuntime,
    readonly deps: RequestDeps,
    readonly context: Context,
    /** How long a request may take once written. */
    readonly requestTimeoutMs: number,
  ) {}

  /**
   * `call` through the gate with a token of the tenant: again when nothing was sent (the token aged at the gate, or
   * a 429 came first), and once more with a fresh token after a 401, since a token may be revoked before it expires.
   * @param unauthorized shared by the calls that may spend the one retry with a fresh token between them
   * @returns any answer but a 401
   * @throws Fault when a fresh token is refused too; what `throughGate` throws
   */
  async send(call: ApiCall, unauthorized: UnauthorizedRetry = { retried: false }): Promise<ApiResponse> {
    const { tenant, deps } = this;
    for (;;) {
      const token = await loginOrWait(tenant, deps);
      const response = await throughGate(call, token, this);
      if (!response) continue;
      if (response.status !== 401) return response;
      tenant.tokens.invalidate(token);
      if (!unauthorized.retried) {
        unauthorized.retried = true;
        continue;
      }
      const reason = reasonOf(401, safeJson(response.text) as ApiErrorBody | undefined, response.text);
      throw new Fault(
        `API refused a fresh token of tenant ${tenant.settings.id} (401): ${reason.message}`,
        failureTypes.unauthorized,
      );
    }
  }
}

/** A token; a login 429 is throttling like any 429 (no attempt spent, waited out in Temporal's retry). */
async function loginOrWait(tenant: TenantRuntime, deps: RequestDeps): Promise<AccessToken> {
  try {
    return await deps.token(tenant);
  } catch (error) {
    if (error instanceof OAuthError && error.retryAfterMs !== undefined)
      throw new Throttled(error.retryAfterMs, error.retryAfterMs);
    throw error;
  }
}

/**
 * Waits at the tenant's gate, then sends at once; the gate and the lease's fence are asked once more right before
 * the request is written to its socket (`check-before-write.ts`). The gate hears of a 429 from the status line and headers, before the
 * body is read, so nothing else of the tenant goes out meanwhile.
 * @returns the answer; undefined when nothing was sent (the token aged at the gate, or a 429 came while the
 *   request waited for a connection): the caller goes round again
 * @throws Throttled for a 429, Fault when no answer came, GateWaitTooLong when the gate stays closed too long
 */
async function throughGate(
  call: ApiCall,
  token: AccessToken,
  { tenant, deps, context, requestTimeoutMs }: TenantRequests,
): Promise<ApiResponse | undefined> {
  const ticket = await tenant.room.enter(MAX_GATE_WAIT_MS, context.cancellationSignal);
  let answered = false;
  const answer = (result: RequestAnswer) => {
    answered = true;
    return tenant.room.answered(ticket, result);
  };
  let stopListening = () => {};
  try {
    if (!tenant.tokens.usable(token)) return undefined;
    // The epoch this request is written under: it goes only while this process still holds that very lease.
    const epoch = tenant.fence.epoch;
    // Counted from the moment it is written: a request held back at the last moment was never sent.
    let finished: ((outcome: RequestOutcome) => void) | undefined;
    // Cancelled (the job stopped), a request not yet written stays unsent; one written finishes and counts.
    const unsent = new AbortController();
    const abortUnsent = () => {
      if (!finished) unsent.abort(context.cancellationSignal.reason);
    };
    context.cancellationSignal.addEventListener('abort', abortUnsent, { once: true });
    stopListening = () => context.cancellationSignal.removeEventListener('abort', abortUnsent);
    const dispatcher = checkBeforeWrite(deps.http, () => {
      if (context.cancellationSignal.aborted || !tenant.fence.mayWrite(epoch) || !tenant.gate.mayStillSend(ticket))
        return false;
      finished = tenant.metrics.requestStarted();
      return true;
    });
    const signal = AbortSignal.any([AbortSignal.timeout(requestTimeoutMs), unsent.signal]);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(call.url, {
        method: call.method,
        headers: {
          authorization: `Bearer ${token.value}`,
          'user-agent': userAgent(deps.workerId, epoch),
          ...(call.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(call.body !== undefined && { body: call.body }),
        signal,
        dispatcher,
      });
    } catch (error) {
      if (error instanceof HeldBeforeWrite) return undefined;
      throw noAnswer(error, call, requestTimeoutMs, context, finished ?? tenant.metrics.requestStarted());
    }
    const receivedAt = Date.now();
    const status = response.statusCode;
    const done = finished ?? tenant.metrics.requestStarted();
    if (status === 429) {
      const headerMs = parseRetryAfter(headerValue(response.headers['retry-after']), receivedAt);
      let retryInMs = answer({
        kind: 'throttled',
        at: receivedAt,
        ...(headerMs !== undefined && { retryAfterMs: headerMs }),
      });
      // Reported at once, before the body is read: a process that dies now leaves the window to its successor.
      tenant.cooldownChanged();
      const text = await response.body.text().catch(() => '');
      done(429);
      const bodyMs =
        headerMs === undefined
          ? parseRetryAfterFromBody((safeJson(text) as ApiErrorBody | undefined)?.message)
          : undefined;
      if (bodyMs !== undefined) {
        retryInMs = retryAfterFromBody(tenant, ticket, receivedAt, bodyMs);
        tenant.cooldownChanged();
      }
      tenant.metrics.throttled(headerMs ?? bodyMs);
      // Written under a lease this process has lost since: the window is the tenant's all the same.
      if (epoch !== undefined && !tenant.fence.holds(epoch)) reportLateThrottle(context, deps, tenant, epoch);
      throw new Throttled(retryInMs, headerMs ?? bodyMs);
    }
    const quota = parseWindowQuota((name) => headerValue(response.headers[name]));
    answer({ kind: 'answered', at: receivedAt, ...(quota && { quota }) });
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw noAnswer(error, call, requestTimeoutMs, context, done);
    }
    done(status);
    return { ok: status >= 200 && status < 300, status, text };
  } finally {
    stopListening();
    if (!answered) answer({ kind: 'unanswered' });
  }
}

/**
 * Tells the tenant's lease of a 429 this process read after it lost the lease: the lease extends its window (never
 * shortens it) and the holder honours it with the next batch.
 */
function reportLateThrottle(context: Context, deps: RequestDeps, tenant: TenantRuntime, epoch: number): void {
  const cooldownUntil = tenant.gate.cooldownEndsAt;
  if (cooldownUntil === undefined) return;
  context.client.workflow
    .getHandle(tenantLeaseWorkflowId(tenant.settings.id))
    .signal(lateThrottleSignal, { epoch, cooldownUntil })
    .catch((error: unknown) =>
      deps.log(`tenant ${tenant.settings.id}: could not report a late 429: ${(error as Error).message}`, {
        tenantId: tenant.settings.id,
      }),
    );
}

/** A header's value as one string (the first, when it came more than once). */
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function retryAfterFromBody(tenant: TenantRuntime, ticket: GateTicket, at: number, retryAfterMs: number): number {
  const retryInMs = tenant.gate.retryAfterFromBody(ticket, at, retryAfterMs);
  tenant.room.pump();
  return retryInMs;
}

/** A request that got no (whole) answer: cancelled, timed out or cut off. */
function noAnswer(
  error: unknown,
  call: ApiCall,
  requestTimeoutMs: number,
  context: Context,
  finished: (outcome: 'cancelled' | 'timeout' | 'network_error') => void,
): unknown {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  finished(context.cancellationSignal.aborted ? 'cancelled' : timedOut ? 'timeout' : 'network_error');
  if (context.cancellationSignal.aborted) return error;
  return new Fault(
    `${call.method} ${new URL(call.url).pathname} ${timedOut ? `timed out after ${requestTimeoutMs} ms` : `failed: ${describeFetchError(error)}`}`,
    timedOut ? failureTypes.requestTimeout : failureTypes.networkError,
  );
}

/** An answer other than 2xx as a failure reason: the platform's code and message when it sent them. */
export function reasonOf(status: number, body: ApiErrorBody | undefined, text: string): FailureReason {
  return {
    status,
    code: body?.code ?? `http-${status}`,
    message: summarize(body?.message ?? text) || `HTTP ${status}`,
  };
}

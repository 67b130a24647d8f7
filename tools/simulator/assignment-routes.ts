import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { WRITE_SCOPE } from './config';
import { ERROR_CODES } from './errors';
import { planFaults, type FaultPlan } from './faults';
import { PutExchange, sendPlatformError } from './put-exchange';
import type { OrgRuntime, SimulatorState } from './state';
import { validateAssignmentsBody, type ItemProblem } from './validation';

/** The path the forum thread uses and the project targets. */
export const ASSIGNMENTS_PATH = '/api/v2/wfm/schedules/:scheduleId/assignments';

interface ScheduleRoute {
  Params: { scheduleId: string };
}

/** Answer of a write that passed auth, scope and throttle. */
type WriteOutcome =
  { ok: true; body: unknown } | { ok: false; status: number; code: string; message: string; details: ItemProblem[] };

const INVALID_TOKEN_MESSAGE = 'Invalid login credentials.';
const scheduleNotFound = (scheduleId: string) => `Schedule ${scheduleId} was not found`;
const missingScope = `Unable to perform the requested action. You are missing the following permission(s): [${WRITE_SCOPE}]`;

/** Waits `ms`; false when the server shut down meanwhile. */
async function delay(ms: number, shutdown: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: shutdown });
    return true;
  } catch {
    return false;
  }
}

/** Schedule check (404), body check (400/413), then the idempotent apply. */
function processWrite(
  state: SimulatorState,
  org: OrgRuntime,
  exchange: PutExchange,
  scheduleId: string,
  rawBody: string,
): WriteOutcome {
  const owner = state.orgOfSchedule(scheduleId);
  if (owner !== org) {
    if (owner) exchange.noteCrossOrgUse(); // answered like an unknown schedule so nothing leaks across orgs
    return { ok: false, status: 404, code: ERROR_CODES.notFound, message: scheduleNotFound(scheduleId), details: [] };
  }
  const check = validateAssignmentsBody(rawBody, {
    maxAssignments: state.options.maxAssignmentsPerRequest,
    users: org.users,
  });
  exchange.record.items = check.itemCount;
  if (!check.ok) {
    const code = check.status === 413 ? ERROR_CODES.payloadTooLarge : ERROR_CODES.badRequest;
    return { ok: false, status: check.status, code, message: check.message, details: check.details };
  }
  const results = state.apply(org, scheduleId, check.assignments);
  return { ok: true, body: { assignments: check.assignments.map((a, i) => ({ id: a.id, result: results[i] })) } };
}

/** Injects a planned failure; returns false when there was none. */
async function injectFailure(
  exchange: PutExchange,
  plan: FaultPlan,
  hangMs: number,
  shutdown: AbortSignal,
): Promise<boolean> {
  switch (plan.failure) {
    case 'none':
      return false;
    case 'server-error':
      exchange.fail(
        503,
        ERROR_CODES.serviceUnavailable,
        'The service is currently unavailable. Please try again later.',
      );
      return true;
    case 'connection-reset':
      exchange.reset();
      return true;
    case 'hang':
      await exchange.hang(hangMs, shutdown);
      return true;
  }
}

/**
 * The PUT. Order of checks: token (401) → scope (403) → throttle (429) → faults → schedule (404) → body (400/413)
 * → apply. The throttle comes before 404/400 so that every request of an org costs a token, as a gateway would.
 */
async function handlePut(
  state: SimulatorState,
  shutdown: AbortSignal,
  scheduleId: string,
  rawBody: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const arrivedAt = request.arrivedAt || state.now();
  const auth = state.tokens.check(request.headers.authorization);
  const org = auth.token ? state.org(auth.token.orgId) : undefined;
  if (!org) {
    state.countUnattributed('putRequests');
    sendPlatformError(reply, 401, ERROR_CODES.badCredentials, INVALID_TOKEN_MESSAGE);
    return;
  }
  const exchange = new PutExchange(state, org, request, reply, arrivedAt);
  if (!auth.valid) return exchange.fail(401, ERROR_CODES.badCredentials, INVALID_TOKEN_MESSAGE);
  // Scopes are read live from the client, so a scope removed at runtime hits tokens already issued.
  if (!org.clients.get(auth.token.clientId)?.scopes.includes(WRITE_SCOPE)) {
    return exchange.fail(403, ERROR_CODES.missingPermissions, missingScope);
  }
  const decision = org.throttle?.tryTake(arrivedAt) ?? { allowed: true };
  exchange.noteArrival(decision);
  if (!decision.allowed) {
    return exchange.rateLimited(decision.retryAfterSeconds);
  }

  const faults = org.config.faults;
  const plan = planFaults(faults, org.random);
  if (plan.delayMs > 0 && !(await delay(plan.delayMs, shutdown))) return exchange.abandon();
  if (!faults.faultsAfterApply && (await injectFailure(exchange, plan, faults.hangMs, shutdown))) return;
  const outcome = processWrite(state, org, exchange, scheduleId, rawBody);
  if (faults.faultsAfterApply && (await injectFailure(exchange, plan, faults.hangMs, shutdown))) return;
  if (outcome.ok) exchange.send(200, outcome.body);
  else exchange.fail(outcome.status, outcome.code, outcome.message, outcome.details);
}

/** The assignment PUT and its read-back GET. */
export function registerAssignmentRoutes(app: FastifyInstance, state: SimulatorState, shutdown: AbortSignal): void {
  app.put<ScheduleRoute>(ASSIGNMENTS_PATH, async (request, reply) => {
    const rawBody = typeof request.body === 'string' ? request.body : '';
    await handlePut(state, shutdown, request.params.scheduleId, rawBody, request, reply);
  });

  // Read-back: same 401/404 rules, no scope check, not throttled, not counted in PUT stats.
  app.get<ScheduleRoute>(ASSIGNMENTS_PATH, (request, reply) => {
    const auth = state.tokens.check(request.headers.authorization);
    const org = auth.valid ? state.org(auth.token.orgId) : undefined;
    if (!org) return sendPlatformError(reply, 401, ERROR_CODES.badCredentials, INVALID_TOKEN_MESSAGE);
    const { scheduleId } = request.params;
    const owner = state.orgOfSchedule(scheduleId);
    if (owner !== org) {
      if (owner) org.counters.crossOrgTokenUses++;
      return sendPlatformError(reply, 404, ERROR_CODES.notFound, scheduleNotFound(scheduleId));
    }
    const entities = state.scheduleAssignments(org, scheduleId);
    return reply.code(200).send({ entities, total: entities.length });
  });
}

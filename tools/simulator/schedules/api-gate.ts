/**
 * The checks every platform call of the schedule-update and notifications API passes first, in the assignment
 * PUT's order: bearer token (401) → permission (403) → the org's one token bucket (429 + Retry-After). Each call
 * is one {@link PutExchange}, so it counts in the org's request counters, log, concurrency and Retry-After
 * violations exactly as the PUTs do; its log record names the call in `route`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../errors';
import { PutExchange, sendPlatformError } from '../put-exchange';
import type { OrgRuntime, SimulatorState } from '../state';
import { PUBLISHED_SCHEDULE_VIEW_SCOPE, SCHEDULE_EDIT_SCOPE, SCHEDULE_VIEW_SCOPE } from './settings';

/** A call that passed token, permission and throttle. */
export interface OpenedCall {
  org: OrgRuntime;
  clientId: string;
  exchange: PutExchange;
}

/** The 403 message of the platform, naming the permissions of which any one would do. */
export function missingPermissionsMessage(permissions: readonly string[]): string {
  return `Unable to perform the requested action. You are missing the following permission(s): [${permissions.join(', ')}]`;
}

/**
 * Permissions of which any one lets a client read schedules and business-unit data: a view permission, and
 * `wfm:schedule:edit` too unless the org says edit alone does not do (`editGrantsRead`, false under `genesys`).
 */
export function readPermissions(org: OrgRuntime): readonly string[] {
  const view = [SCHEDULE_VIEW_SCOPE, PUBLISHED_SCHEDULE_VIEW_SCOPE];
  return org.buSchedules.settings.editGrantsRead === false ? view : [...view, SCHEDULE_EDIT_SCOPE];
}

/** True when the client (read live, so runtime scope changes apply) has any of the permissions. */
export function clientHasAny(org: OrgRuntime, clientId: string, permissions: readonly string[]): boolean {
  const scopes = org.clients.get(clientId)?.scopes ?? [];
  return permissions.some((permission) => scopes.includes(permission));
}

/**
 * Opens one platform call, or answers it (401/403/429) and returns undefined.
 * @param route name of the call in the request log, e.g. `POST schedules/update`
 * @param anyOf permissions of which the client needs one (or the org's list of them); empty = none needed
 * @param named the permissions the 403 message names
 */
export function openPlatformCall(
  state: SimulatorState,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  anyOf: readonly string[] | ((org: OrgRuntime) => readonly string[]),
  named: readonly string[] = typeof anyOf === 'function' ? [] : anyOf,
): OpenedCall | undefined {
  const arrivedAt = request.arrivedAt || state.now();
  const auth = state.tokens.check(request.headers.authorization);
  const org = auth.token ? state.org(auth.token.orgId) : undefined;
  if (!auth.token || !org) {
    state.countUnattributed('putRequests');
    sendPlatformError(reply, 401, ERROR_CODES.badCredentials, 'Invalid login credentials.');
    return undefined;
  }
  const exchange = new PutExchange(state, org, request, reply, arrivedAt);
  exchange.record.route = route;
  if (!auth.valid) {
    exchange.fail(401, ERROR_CODES.badCredentials, 'Invalid login credentials.');
    return undefined;
  }
  const clientId = auth.token.clientId;
  const permissions = typeof anyOf === 'function' ? anyOf(org) : anyOf;
  if (permissions.length > 0 && !clientHasAny(org, clientId, permissions)) {
    exchange.fail(403, ERROR_CODES.missingPermissions, missingPermissionsMessage(named));
    return undefined;
  }
  const decision = org.throttle?.tryTake(arrivedAt) ?? { allowed: true };
  exchange.noteArrival(decision);
  if (!decision.allowed) {
    exchange.rateLimited(decision.retryAfterSeconds);
    return undefined;
  }
  return { org, clientId, exchange };
}

/** Reads a raw JSON body (the server hands bodies over as text); undefined body = empty. */
export function parseJsonBody(request: { body?: unknown }): { ok: true; value: unknown } | { ok: false } {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  if (raw === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

/** One query parameter's values (`?a=1&a=2` and `?a=1,2` alike). */
export function queryValues(request: FastifyRequest, name: string): string[] {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim());
}

/** True when a boolean query parameter says true. */
export function queryFlag(request: FastifyRequest, name: string): boolean {
  return queryValues(request, name).some((v) => v.toLowerCase() === 'true');
}

/** `http://<Host of the request>`, so URLs handed out work on whatever address and port the client used. */
export function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

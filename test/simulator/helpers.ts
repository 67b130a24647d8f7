import { expect } from 'vitest';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorConfigInput,
  type StartSimulatorOptions,
} from '../../tools/simulator';

/** The platform's 429 body, as the simulator sends it for PUTs and logins alike. */
export function rateLimitedBody(retryAfterSeconds: number): Record<string, unknown> {
  return {
    message: `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`,
    code: 'too.many.requests.retry.after',
    status: 429,
    contextId: expect.any(String) as unknown,
    details: [],
    errors: [],
  };
}

/** A valid assignment with a given id; override any field. */
export function assignment(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, userId: 'u1', start: '2025-03-01T08:00:00Z', end: '2025-03-01T16:00:00Z', ...overrides };
}

/** Config of one org `a` (schedules a-s1, a-s2) and one org `b` (b-s1), with the given throttle for `a`. */
export function twoOrgConfig(overrides: SimulatorConfigInput = {}): SimulatorConfigInput {
  return {
    seed: 42,
    orgs: [
      { id: 'a', schedules: ['a-s1', 'a-s2'], throttle: null },
      { id: 'b', schedules: ['b-s1'], throttle: null },
    ],
    ...overrides,
  };
}

/** Starts a simulator; remember to close it. */
export function start(config: SimulatorConfigInput, options?: StartSimulatorOptions): Promise<RunningSimulator> {
  return startSimulator(config, options);
}

/** application/x-www-form-urlencoded form of one value (space as `+`), as RFC 6749 §2.3.1 wants in Basic auth. */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** Basic auth header value as a correct client builds it: id and secret form-urlencoded, then joined and base64'd. */
export function basic(clientId: string, clientSecret: string): string {
  return rawBasic(formUrlEncode(clientId), formUrlEncode(clientSecret));
}

/** Basic auth header value of id and secret exactly as given (a client that forgot to encode them). */
export function rawBasic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** POSTs a token request with the given `Authorization` header value. */
export function postToken(
  sim: RunningSimulator,
  authorization: string,
  grantType = 'client_credentials',
): Promise<Response> {
  return fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType }).toString(),
  });
}

/** POSTs a client-credentials token request with correctly encoded Basic credentials. */
export function requestToken(
  sim: RunningSimulator,
  clientId: string,
  clientSecret: string,
  grantType = 'client_credentials',
): Promise<Response> {
  return postToken(sim, basic(clientId, clientSecret), grantType);
}

/** Gets an access token for an org's default client (`<org>-client` / `<org>-secret`). */
export async function tokenFor(sim: RunningSimulator, orgId: string): Promise<string> {
  const response = await requestToken(sim, `${orgId}-client`, `${orgId}-secret`);
  if (response.status !== 200) throw new Error(`token request for ${orgId} failed: ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** PUTs a body (object → JSON, string as is) to a schedule's assignments. */
export function putAssignments(
  sim: RunningSimulator,
  token: string | undefined,
  scheduleId: string,
  body: unknown,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${sim.url}/api/v2/wfm/schedules/${scheduleId}/assignments`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** PUTs the given assignments. */
export function putItems(
  sim: RunningSimulator,
  token: string | undefined,
  scheduleId: string,
  items: unknown[],
  signal?: AbortSignal,
): Promise<Response> {
  return putAssignments(sim, token, scheduleId, { assignments: items }, signal ? { signal } : {});
}

/** Calls an admin endpoint and returns status and parsed JSON. */
export async function admin<T = unknown>(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${sim.url}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

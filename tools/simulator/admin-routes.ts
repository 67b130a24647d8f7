import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientSecretSchema, faultSettingsSchema, orgThrottleSchema, throttleLimitsSchema } from './config';
import type { SimulatorState } from './state';

/** Prefix of the admin endpoints, apart from anything the real API has. */
export const ADMIN_PREFIX = '/__admin';

/** An admin request the simulator refuses, with its HTTP status. */
export class AdminRequestError extends Error {
  readonly type = 'AdminRequestError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface OrgRoute {
  Params: { orgId: string };
}

interface ClientRoute {
  Params: { orgId: string; clientId: string };
}

/** Admin bodies arrive as raw text (one catch-all parser), so parse JSON here; empty body = undefined. */
export function readJson(request: FastifyRequest): unknown {
  const raw = typeof request.body === 'string' ? request.body.trim() : '';
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AdminRequestError(400, 'request body is not valid JSON');
  }
}

const scopesBodySchema = z.object({ scopes: z.array(z.string().min(1)) }).strict();

/** Body of a secret rotation; `revokeTokens` revokes every token of the org issued so far. */
const secretBodySchema = z
  .object({ clientSecret: clientSecretSchema, revokeTokens: z.boolean().default(false) })
  .strict();

/**
 * Test and demo controls under `/__admin`. No auth: bind the simulator to loopback and never expose it.
 * Unknown orgs and clients answer 404 through the error handler (UnknownEntityError), bad bodies 400.
 */
export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get(`${ADMIN_PREFIX}/stats`, () => state.stats());

  app.get(`${ADMIN_PREFIX}/config`, () => state.config);

  // Test aid: lets tests search workflow histories and logs for leaked token strings.
  app.get(`${ADMIN_PREFIX}/tokens`, () => state.issuedTokens());

  app.get<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/requests`, (request) => state.requestLog(request.params.orgId));

  app.get<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/assignments`, (request) => state.assignments(request.params.orgId));

  app.put<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/faults`, (request) => {
    const { orgId } = request.params;
    state.requireOrg(orgId);
    state.setFaults(orgId, faultSettingsSchema.parse(readJson(request) ?? {}));
    return { orgId, faults: state.requireOrg(orgId).config.faults };
  });

  app.put<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/throttle`, (request) => {
    const { orgId } = request.params;
    state.requireOrg(orgId);
    state.setThrottle(orgId, orgThrottleSchema.nullable().parse(readJson(request)));
    return { orgId, throttle: state.requireOrg(orgId).throttle?.snapshot() ?? null };
  });

  app.put<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/login-throttle`, (request) => {
    const { orgId } = request.params;
    state.requireOrg(orgId);
    state.setLoginThrottle(orgId, throttleLimitsSchema.nullable().parse(readJson(request)));
    return { orgId, loginThrottle: state.requireOrg(orgId).config.loginThrottle };
  });

  app.post<OrgRoute>(`${ADMIN_PREFIX}/orgs/:orgId/revoke-tokens`, (request) => {
    const { orgId } = request.params;
    return { orgId, revoked: state.revokeTokens(orgId) };
  });

  app.put<ClientRoute>(`${ADMIN_PREFIX}/orgs/:orgId/clients/:clientId/scopes`, (request) => {
    const { orgId, clientId } = request.params;
    state.requireOrg(orgId);
    const { scopes } = scopesBodySchema.parse(readJson(request));
    state.setClientScopes(orgId, clientId, scopes);
    return { orgId, clientId, scopes };
  });

  // Unknown org or client answer 404 before the body is judged: nothing to rotate there.
  app.post<ClientRoute>(`${ADMIN_PREFIX}/orgs/:orgId/clients/:clientId/secret`, (request) => {
    const { orgId, clientId } = request.params;
    state.requireClient(orgId, clientId);
    const { clientSecret, revokeTokens } = secretBodySchema.parse(readJson(request));
    const revoked = state.setClientSecret(orgId, clientId, clientSecret, { revokeTokens });
    return { orgId, clientId, revoked };
  });

  app.post(`${ADMIN_PREFIX}/reset`, (request) => {
    const body = readJson(request);
    state.reset(body === undefined ? undefined : (body as Parameters<SimulatorState['reset']>[0])); // validated by reset
    return { reset: true, startedAt: state.stats().startedAt };
  });
}

/**
 * Test controls of the schedule-update API under `/__admin/orgs/{orgId}/bu-schedules`: the read-back of every
 * schedule with its agents' shifts and versions, the update operations with their (otherwise secret) outcome
 * reasons, the channels, the fault switches, and closing every socket to test reconnects. Same rules as the other
 * admin routes: no auth, 404 for an unknown org, 400 naming each bad field.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_PREFIX, readJson } from '../admin-routes';
import type { SimulatorState } from '../state';
import { buScheduleFaultsSchema } from './settings';

interface OrgRoute {
  Params: { orgId: string };
}

const closeSocketsBodySchema = z
  .object({
    /** Send `v2.system.socket_closing` first; default: the org's `socketClosingNotice` fault switch. */
    notice: z.boolean().optional(),
    /** Drop the connections without a close frame (a network break). Default false: close frame 1001. */
    terminate: z.boolean().optional(),
  })
  .strict();

/** Registers the schedule-update admin routes. */
export function registerBuScheduleAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  const base = `${ADMIN_PREFIX}/orgs/:orgId/bu-schedules`;

  app.get<OrgRoute>(base, (request) => state.requireOrg(request.params.orgId).buSchedules.snapshot());

  app.get<OrgRoute>(`${base}/operations`, (request) =>
    state.requireOrg(request.params.orgId).buSchedules.operationLog(),
  );

  app.get<OrgRoute>(`${base}/channels`, (request) =>
    state.requireOrg(request.params.orgId).buSchedules.channels.snapshot(),
  );

  app.put<OrgRoute>(`${base}/faults`, (request) => {
    const { orgId } = request.params;
    state.requireOrg(orgId);
    const faults = state.setBuScheduleFaults(orgId, buScheduleFaultsSchema.parse(readJson(request) ?? {}));
    return { orgId, faults };
  });

  app.post<OrgRoute>(`${base}/close-sockets`, (request) => {
    const { orgId } = request.params;
    const runtime = state.requireOrg(orgId).buSchedules;
    const options = closeSocketsBodySchema.parse(readJson(request) ?? {});
    return { orgId, closed: runtime.closeSockets(options) };
  });
}

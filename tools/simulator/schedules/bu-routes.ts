/**
 * The platform's business-unit routes a schedule writer reads before it writes: the unit (with `expand=settings…`
 * its time zone and week start), its activity codes, its agents by management unit, and the schedules spanning a
 * week. Checks as the schedule routes: token → read permission → throttle → `weekId` (400) → unit (404: neither
 * described nor holding a schedule, with `autoCreate` off). A described unit answers from the config, an open one
 * from its schedules.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../errors';
import type { SimulatorState } from '../state';
import { openPlatformCall, queryFlag, queryValues, readPermissions, requestOrigin, type OpenedCall } from './api-gate';
import {
  activityCodesView,
  businessUnitView,
  describedUnitData,
  openUnitData,
  usersView,
  weekSchedulesView,
  type BusinessUnitData,
} from './bu-views';
import { addDays } from './calendar';
import { isoDateSchema } from './model';
import { DOWNLOADS_PREFIX, READ_NAMED } from './wfm-routes';

/** Path of one business unit; the routes below hang off it. */
export const BUSINESS_UNIT_PATH = '/api/v2/workforcemanagement/businessunits/:businessUnitId';

interface UnitRoute {
  Params: { businessUnitId: string };
}

interface WeekRoute {
  Params: { businessUnitId: string; weekId: string };
}

/** The unit's data, or a 404 answer and undefined when the org knows no such unit. */
function unitOf(call: OpenedCall, businessUnitId: string): BusinessUnitData | undefined {
  const runtime = call.org.buSchedules;
  if (!runtime.knowsBusinessUnit(businessUnitId)) {
    call.exchange.fail(404, ERROR_CODES.notFound, `Business unit ${businessUnitId} was not found`);
    return undefined;
  }
  const described = runtime.describedUnit(businessUnitId);
  if (described) return describedUnitData(described.description);
  const schedules = runtime.store.inBusinessUnit(businessUnitId);
  return openUnitData(businessUnitId, schedules, runtime.timeZoneOf(businessUnitId));
}

/** Opens a read of a unit: permission, throttle, unit; counts it. */
function openUnitRead(
  state: SimulatorState,
  request: FastifyRequest<UnitRoute>,
  reply: FastifyReply,
  route: string,
): { call: OpenedCall; unit: BusinessUnitData } | undefined {
  const call = openPlatformCall(state, request, reply, route, readPermissions, READ_NAMED);
  if (!call) return undefined;
  const unit = unitOf(call, request.params.businessUnitId);
  if (!unit) return undefined;
  call.org.buSchedules.counters.businessUnitReads++;
  return { call, unit };
}

/** Registers the business-unit routes. */
export function registerBusinessUnitRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<UnitRoute>(BUSINESS_UNIT_PATH, (request, reply) => {
    const read = openUnitRead(state, request, reply, 'GET businessunits/{id}');
    if (!read) return;
    // `settings`, or any of its fields (`settings.timeZone`), brings the settings; anything else is ignored.
    const withSettings = queryValues(request, 'expand').some((v) => v === 'settings' || v.startsWith('settings.'));
    read.call.exchange.send(200, businessUnitView(read.unit, withSettings));
  });

  app.get<UnitRoute>(`${BUSINESS_UNIT_PATH}/activitycodes`, (request, reply) => {
    const read = openUnitRead(state, request, reply, 'GET businessunits/{id}/activitycodes');
    if (!read) return;
    const listing = activityCodesView(read.unit);
    if (queryFlag(request, 'forceDownloadService')) {
      const runtime = read.call.org.buSchedules;
      const downloadUrl = `${requestOrigin(request)}${DOWNLOADS_PREFIX}/${read.call.org.config.id}/${runtime.storeDownload(listing)}`;
      read.call.exchange.send(200, { downloadUrl });
      return;
    }
    read.call.exchange.send(200, listing);
  });

  app.get<UnitRoute>(`${BUSINESS_UNIT_PATH}/users`, (request, reply) => {
    const read = openUnitRead(state, request, reply, 'GET businessunits/{id}/users');
    if (!read) return;
    read.call.exchange.send(200, usersView(read.unit, queryValues(request, 'managementUnitIds')));
  });

  app.get<WeekRoute>(`${BUSINESS_UNIT_PATH}/weeks/:weekId/schedules`, (request, reply) => {
    const route = 'GET businessunits/{id}/weeks/{weekId}/schedules';
    const call = openPlatformCall(state, request, reply, route, readPermissions, READ_NAMED);
    if (!call) return;
    const { businessUnitId, weekId } = request.params;
    if (!isoDateSchema.safeParse(weekId).success) {
      call.exchange.fail(400, ERROR_CODES.badRequest, `weekId "${weekId}" must be a date in yyyy-MM-dd format`);
      return;
    }
    if (!unitOf(call, businessUnitId)) return;
    const runtime = call.org.buSchedules;
    runtime.counters.weekScheduleListings++;
    // Every schedule whose weeks include the one starting at weekId; none is created.
    const spanning = runtime.store
      .inBusinessUnit(businessUnitId)
      .filter((s) => s.weekDate <= weekId && weekId < addDays(s.weekDate, 7 * s.weekCount));
    const onlyPublished = queryFlag(request, 'includeOnlyPublished');
    const states = runtime.readStates(spanning).filter((s) => !onlyPublished || s.published);
    call.exchange.send(200, weekSchedulesView(states));
  });
}

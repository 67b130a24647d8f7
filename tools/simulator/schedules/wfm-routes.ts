/**
 * The platform's business-unit schedule routes a schedule writer calls: schedule metadata, agent-schedules query
 * (inline or through a `downloadUrl`), upload URL, and starting an update. Paths, bodies and answers as the real
 * ones (SDK models); checks in the assignment PUT's order: token → permission → throttle → schedule (404) → body
 * (400), so every call of an org costs a token from its one bucket.
 */
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { describeIssues } from '../config';
import { ERROR_CODES } from '../errors';
import type { SimulatorState } from '../state';
import {
  openPlatformCall,
  parseJsonBody,
  queryFlag,
  queryValues,
  readPermissions,
  requestOrigin,
  type OpenedCall,
} from './api-gate';
import { isoDateSchema, type BuSchedule, type UpdateScheduleUpload } from './model';
import { SCHEDULE_EDIT_SCOPE, SCHEDULE_VIEW_SCOPE } from './settings';
import { UPLOAD_HEADERS, type UploadTicket } from './uploads';
import { agentSchedulesQueryResult, scheduleMetadataView } from './views';

/** Path of one schedule; the routes below hang off it. */
export const SCHEDULE_PATH =
  '/api/v2/workforcemanagement/businessunits/:businessUnitId/weeks/:weekId/schedules/:scheduleId';
/** Where `forceDownloadService` results are fetched: simulator path, no auth, not throttled. */
export const DOWNLOADS_PREFIX = '/__downloads';

/** The 403 of a read names the view permission. */
export const READ_NAMED = [SCHEDULE_VIEW_SCOPE] as const;
const WRITE_PERMISSIONS = [SCHEDULE_EDIT_SCOPE] as const;

interface ScheduleRoute {
  Params: { businessUnitId: string; weekId: string; scheduleId: string };
}

const queryBodySchema = z.object({
  managementUnitId: z.string().min(1),
  userIds: z.array(z.string()).optional(),
  teamIds: z.array(z.string()).optional(),
});

const uploadUrlBodySchema = z.object({ contentLengthBytes: z.number().int().positive() });

const updateBodySchema = z.object({
  uploadKey: z.string().min(1),
  teamIds: z.array(z.string()).optional(),
  managementUnitIdsForAddedTeamUsers: z.array(z.string()).optional(),
});

/** Parses a JSON body with a schema, or answers 400 naming the problem and returns undefined. */
function readBody<T extends z.ZodType>(
  call: OpenedCall,
  request: { body?: unknown },
  schema: T,
): z.output<T> | undefined {
  const json = parseJsonBody(request);
  if (!json.ok) {
    call.exchange.fail(400, ERROR_CODES.badRequest, 'The request body is not valid JSON');
    return undefined;
  }
  const parsed = schema.safeParse(json.value ?? {});
  if (!parsed.success) {
    call.exchange.fail(400, ERROR_CODES.badRequest, `Invalid request body: ${describeIssues(parsed.error).join('; ')}`);
    return undefined;
  }
  return parsed.data;
}

/** The schedule of the path (created on first touch with `autoCreate`), or a 400/404 answer and undefined. */
function scheduleOf(call: OpenedCall, params: ScheduleRoute['Params']): BuSchedule | undefined {
  if (!isoDateSchema.safeParse(params.weekId).success) {
    call.exchange.fail(400, ERROR_CODES.badRequest, `weekId "${params.weekId}" must be a date in yyyy-MM-dd format`);
    return undefined;
  }
  const lookup = call.org.buSchedules.lookupSchedule(params.businessUnitId, params.weekId, params.scheduleId);
  if (!lookup.found) {
    const message = `Schedule ${params.scheduleId} was not found in business unit ${params.businessUnitId} for week ${params.weekId}`;
    call.exchange.fail(404, ERROR_CODES.notFound, message);
    return undefined;
  }
  return lookup.schedule;
}

/** The uploaded ticket an update may start from, or why the key cannot start one (or the fault says it expired). */
function usableUpload(
  call: OpenedCall,
  schedule: BuSchedule,
  uploadKey: string,
): { ticket: UploadTicket; upload: UpdateScheduleUpload } | { refusal: string } {
  const ticket = call.org.buSchedules.uploads.get(uploadKey);
  if (!ticket) return { refusal: `uploadKey ${uploadKey} is unknown` };
  if (ticket.businessUnitId !== schedule.businessUnitId || ticket.scheduleId !== schedule.id) {
    return { refusal: `uploadKey ${uploadKey} was issued for another schedule` };
  }
  if (ticket.usedAt !== undefined) return { refusal: `uploadKey ${uploadKey} was already used` };
  if (ticket.body === undefined) return { refusal: `nothing was uploaded for uploadKey ${uploadKey}` };
  // The `uploadKeyExpiredRate` fault: refused as the platform refuses an expired key; the ticket stays unused.
  if (call.org.buSchedules.drawUploadKeyExpired()) return { refusal: `uploadKey ${uploadKey} has expired` };
  return { ticket, upload: ticket.body };
}

/** Registers the schedule routes and the download route. */
export function registerWfmScheduleRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<ScheduleRoute>(SCHEDULE_PATH, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'GET schedules/{id}', readPermissions, READ_NAMED);
    if (!call) return;
    const schedule = scheduleOf(call, request.params);
    if (!schedule) return;
    const runtime = call.org.buSchedules;
    runtime.counters.scheduleReads++;
    const expandAgents = queryValues(request, 'expand').includes('managementUnits.agents');
    call.exchange.send(200, scheduleMetadataView(runtime.readState(schedule), expandAgents));
  });

  app.post<ScheduleRoute>(`${SCHEDULE_PATH}/agentschedules/query`, (request, reply) => {
    const route = 'POST schedules/{id}/agentschedules/query';
    const call = openPlatformCall(state, request, reply, route, readPermissions, READ_NAMED);
    if (!call) return;
    const schedule = scheduleOf(call, request.params);
    if (!schedule) return;
    const body = readBody(call, request, queryBodySchema);
    if (!body) return;
    const runtime = call.org.buSchedules;
    runtime.counters.agentScheduleQueries++;
    const timeZone = runtime.timeZoneOf(schedule.businessUnitId);
    const result = agentSchedulesQueryResult(runtime.readState(schedule), body, timeZone);
    const operationId = randomUUID();
    if (queryFlag(request, 'forceDownloadService')) {
      const id = runtime.storeDownload(result);
      const downloadUrl = `${requestOrigin(request)}${DOWNLOADS_PREFIX}/${call.org.config.id}/${id}`;
      call.exchange.send(200, { status: 'Complete', operationId, downloadUrl });
      return;
    }
    call.exchange.send(200, { status: 'Complete', operationId, result });
  });

  app.post<ScheduleRoute>(`${SCHEDULE_PATH}/update/uploadurl`, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'POST schedules/{id}/update/uploadurl', WRITE_PERMISSIONS);
    if (!call) return;
    const schedule = scheduleOf(call, request.params);
    if (!schedule) return;
    const body = readBody(call, request, uploadUrlBodySchema);
    if (!body) return;
    const runtime = call.org.buSchedules;
    const max = runtime.settings.maxUploadBytes;
    if (body.contentLengthBytes > max) {
      const message = `contentLengthBytes ${body.contentLengthBytes} exceeds the maximum of ${max} bytes`;
      call.exchange.fail(400, ERROR_CODES.badRequest, message);
      return;
    }
    const ticket = runtime.issueUpload(schedule, body.contentLengthBytes);
    call.exchange.send(200, {
      uploadKey: ticket.key,
      url: runtime.uploads.url(ticket, requestOrigin(request)),
      headers: { ...UPLOAD_HEADERS },
      uploadBodySchema: null,
    });
  });

  app.post<ScheduleRoute>(`${SCHEDULE_PATH}/update`, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'POST schedules/{id}/update', WRITE_PERMISSIONS);
    if (!call) return;
    const schedule = scheduleOf(call, request.params);
    if (!schedule) return;
    const runtime = call.org.buSchedules;
    const body = readBody(call, request, updateBodySchema);
    if (!body) {
      runtime.counters.updatesRefused++;
      return;
    }
    const usable = usableUpload(call, schedule, body.uploadKey);
    if ('refusal' in usable) {
      runtime.counters.updatesRefused++;
      call.exchange.fail(400, ERROR_CODES.badRequest, usable.refusal);
      return;
    }
    const started = runtime.startUpdate(schedule, usable.ticket, usable.upload, call.clientId);
    const { operationId } = started.operation;
    call.exchange.record.operationId = operationId;
    call.exchange.record.items = started.operation.agentsInUpload;
    if (started.loseAnswer) {
      call.exchange.reset(); // processing goes on; the client cannot know
      return;
    }
    call.exchange.send(200, started.finished ?? { status: 'Processing', operationId });
  });

  // Result of a forceDownloadService query: a simulator path, like the platform's download service.
  app.get<{ Params: { orgId: string; downloadId: string } }>(
    `${DOWNLOADS_PREFIX}/:orgId/:downloadId`,
    (request, reply) => {
      const result = state.org(request.params.orgId)?.buSchedules.download(request.params.downloadId);
      if (result === undefined) return reply.code(404).send({ error: 'not_found', message: 'unknown download' });
      return reply.code(200).send(result);
    },
  );
}

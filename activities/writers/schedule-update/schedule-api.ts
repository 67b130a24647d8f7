/**
 * The Genesys Cloud calls of one schedule-update attempt. Every platform call goes through the tenant's gate
 * (`gated-request.ts`), like the PUT writer's PUTs; the pre-signed upload and download go straight to the object
 * store they point at, which is not the platform's API and not under its rate limits.
 */
import { request } from 'undici';
import type { z } from 'zod';
import type { FailureReason } from '../../../contracts/failures';
import { failureTypes } from '../../../contracts/names';
import { describeFetchError, safeJson, summarize } from '../../auth/oauth';
import { Fault, reasonOf, type ApiCall, type ApiErrorBody, type TenantRequests } from '../../http/gated-request';
import type { ScheduleState } from './plan';
import {
  activityCodesSchema,
  agentSchedulesQuerySchema,
  businessUnitPath,
  businessUnitSchema,
  businessUnitUsersSchema,
  weekSchedulesSchema,
  type ActivityCodeListing,
  agentSchedulesResultSchema,
  asyncScheduleSchema,
  channelSchema,
  scheduleMetadataSchema,
  schedulePath,
  subscriptionsSchema,
  uploadUrlSchema,
  type AgentSchedule,
  type OperationStatus,
  type SchedulePlace,
  type UploadTicket,
} from './platform';

/** Agents asked for in one `agentschedules/query`. */
const AGENTS_PER_QUERY = 100;

/** The platform refused the call for good: the rows not yet applied fail with `reason`. */
export class Refused extends Error {
  constructor(
    readonly reason: FailureReason,
    /** 403: the tenant's client lacks a permission, so nothing of the tenant can be written. */
    readonly forbidden: boolean,
    /** 404 on the schedule itself. */
    readonly scheduleMissing: boolean,
  ) {
    super(reason.message);
  }
}

/** 409: the schedule changed since it was read; read again and build the update anew (a fault if it persists). */
export class VersionConflict extends Fault {
  constructor(message: string) {
    super(message, failureTypes.scheduleUpdateFailed);
  }
}

/** What `…/update` answered. */
export interface StartedUpdate {
  status: OperationStatus;
  operationId?: string;
  /** The schedule's version after the update, when it completed at once. */
  version?: number;
}

export class ScheduleApi {
  constructor(private readonly requests: TenantRequests) {}

  /** The schedule's version and the asked-for agents' schedules (those in the schedule; others are absent). */
  async readState(place: SchedulePlace, userIds: readonly string[]): Promise<ScheduleState> {
    const metadata = await this.json(
      { method: 'GET', path: `${schedulePath(place)}?expand=managementUnits.agents` },
      scheduleMetadataSchema,
      `schedule ${place.scheduleId}`,
    );
    const unitOf = new Map<string, string>();
    for (const unit of metadata.managementUnits ?? [])
      for (const agent of unit.agents ?? []) unitOf.set(agent.id, unit.managementUnit.id);
    const byUnit = new Map<string, string[]>();
    for (const userId of new Set(userIds)) {
      const unit = unitOf.get(userId);
      if (unit === undefined) continue;
      const users = byUnit.get(unit) ?? [];
      users.push(userId);
      byUnit.set(unit, users);
    }
    const agents = new Map<string, AgentSchedule>();
    for (const [unit, users] of byUnit)
      for (let from = 0; from < users.length; from += AGENTS_PER_QUERY)
        for (const schedule of await this.queryAgents(place, unit, users.slice(from, from + AGENTS_PER_QUERY)))
          agents.set(schedule.user.id, schedule);
    return {
      version: metadata.metadata.version,
      agents,
      ...(metadata.weekDate !== undefined && { weekDate: metadata.weekDate }),
      ...(metadata.weekCount !== undefined && { weekCount: metadata.weekCount }),
    };
  }

  /** The business unit's time zone and first day of the week. */
  async readBusinessUnit(businessUnitId: string): Promise<z.infer<typeof businessUnitSchema>> {
    return this.json(
      {
        method: 'GET',
        path: `${businessUnitPath(businessUnitId)}?expand=settings.timeZone,settings.startDayOfWeek`,
      },
      businessUnitSchema,
      `business unit ${businessUnitId}`,
    );
  }

  /** The business unit's activity codes (from the download URL when the platform left them there). */
  async readActivityCodes(businessUnitId: string): Promise<ActivityCodeListing['entities'] & {}> {
    const listing = await this.json(
      { method: 'GET', path: `${businessUnitPath(businessUnitId)}/activitycodes` },
      activityCodesSchema,
      `the activity codes of business unit ${businessUnitId}`,
    );
    if (listing.entities || !listing.downloadUrl) return listing.entities ?? [];
    const { status, text } = await this.objectStore('downloading activity codes', listing.downloadUrl);
    if (status !== 200) throw new Fault(`the download URL answered ${status}`, failureTypes.unexpectedAnswer);
    return parseAnswer(activityCodesSchema, safeJson(text), 'the downloaded activity codes').entities ?? [];
  }

  /** The business unit's agents, by management unit. */
  async readUsers(businessUnitId: string): Promise<z.infer<typeof businessUnitUsersSchema>> {
    return this.json(
      { method: 'GET', path: `${businessUnitPath(businessUnitId)}/users` },
      businessUnitUsersSchema,
      `the agents of business unit ${businessUnitId}`,
    );
  }

  /** The schedules that span the week beginning `weekId`, with their own `weekDate`. */
  async readWeekSchedules(businessUnitId: string, weekId: string): Promise<z.infer<typeof weekSchedulesSchema>> {
    return this.json(
      { method: 'GET', path: `${businessUnitPath(businessUnitId)}/weeks/${encodeURIComponent(weekId)}/schedules` },
      weekSchedulesSchema,
      `the schedules of business unit ${businessUnitId} in week ${weekId}`,
    );
  }

  /** The schedule's version alone (while waiting for an update to end). */
  async readVersion(place: SchedulePlace): Promise<number> {
    const metadata = await this.json(
      { method: 'GET', path: schedulePath(place) },
      scheduleMetadataSchema,
      `schedule ${place.scheduleId}`,
    );
    return metadata.metadata.version;
  }

  async uploadUrl(place: SchedulePlace, contentLengthBytes: number): Promise<UploadTicket> {
    return this.json(
      {
        method: 'POST',
        path: `${schedulePath(place)}/update/uploadurl`,
        body: JSON.stringify({ contentLengthBytes }),
      },
      uploadUrlSchema,
      'the upload URL',
    );
  }

  /** The gzip-encoded update to the pre-signed URL, with exactly the headers the platform asked for. */
  async upload(ticket: UploadTicket, gzipped: Buffer): Promise<void> {
    const { status, text } = await this.objectStore('uploading the schedule update', ticket.url, {
      method: 'PUT',
      headers: ticket.headers ?? {},
      body: gzipped,
    });
    // Any refusal here (expired URL, a header or length it did not expect) is cured by a new URL: next attempt.
    if (status < 200 || status >= 300)
      throw new Fault(
        `the upload URL answered ${status}: ${summarize(text) || 'no text'}`,
        status >= 500 ? failureTypes.serverError : failureTypes.unexpectedAnswer,
      );
  }

  /** `…/update` with the uploaded body's key. @throws VersionConflict on 409 */
  async startUpdate(place: SchedulePlace, uploadKey: string): Promise<StartedUpdate> {
    const answer = await this.json(
      { method: 'POST', path: `${schedulePath(place)}/update`, body: JSON.stringify({ uploadKey }) },
      asyncScheduleSchema,
      'the schedule update',
    );
    return {
      status: answer.status,
      ...(answer.operationId !== undefined && { operationId: answer.operationId }),
      ...(answer.result && { version: answer.result.metadata.version }),
    };
  }

  /** A notification channel of the tenant's OAuth client. */
  async createChannel(): Promise<{ id: string; connectUri: string }> {
    return this.json({ method: 'POST', path: '/api/v2/notifications/channels' }, channelSchema, 'the channel');
  }

  /**
   * Adds `topic` to the channel's subscriptions.
   * @returns the permissions missing for it, empty when it was accepted
   */
  async subscribe(channelId: string, topic: string): Promise<string[]> {
    const listing = await this.json(
      {
        method: 'POST',
        path: `/api/v2/notifications/channels/${encodeURIComponent(channelId)}/subscriptions?ignoreErrors=true`,
        body: JSON.stringify([{ id: topic }]),
      },
      subscriptionsSchema,
      'the subscription',
    );
    const entry = listing.entities?.find((entity) => entity.id === topic);
    if (!entry) return ['(topic not in the answer)'];
    return entry.state === 'Rejected' ? (entry.missingPermissions ?? ['(no reason given)']) : [];
  }

  private async queryAgents(place: SchedulePlace, unitId: string, userIds: string[]): Promise<AgentSchedule[]> {
    const answer = await this.json(
      {
        method: 'POST',
        path: `${schedulePath(place)}/agentschedules/query`,
        body: JSON.stringify({ managementUnitId: unitId, userIds }),
      },
      agentSchedulesQuerySchema,
      'the agent schedules',
    );
    if (answer.status !== 'Complete')
      throw new Fault(
        `the agent schedules query of schedule ${place.scheduleId} answered ${answer.status}, not a result; asked again later`,
        failureTypes.unexpectedAnswer,
      );
    if (answer.result) return answer.result.agentSchedules ?? [];
    if (!answer.downloadUrl)
      throw new Fault(
        'the agent schedules query answered neither a result nor a download URL',
        failureTypes.unexpectedAnswer,
      );
    return (await this.download(answer.downloadUrl)).agentSchedules ?? [];
  }

  /** A result too big to come inline, from the pre-signed URL it was left at. */
  private async download(url: string): Promise<z.infer<typeof agentSchedulesResultSchema>> {
    const { status, text } = await this.objectStore('downloading agent schedules', url);
    if (status !== 200) throw new Fault(`the download URL answered ${status}`, failureTypes.unexpectedAnswer);
    return parseAnswer(agentSchedulesResultSchema, safeJson(text), 'the downloaded agent schedules');
  }

  /** One call, its 2xx answer read with `schema`; the token is refreshed once on a 401 (`TenantRequests.send`). */
  private async json<T>(call: Omit<ApiCall, 'url'> & { path: string }, schema: z.ZodType<T>, what: string): Promise<T> {
    const { path, ...rest } = call;
    const url = this.requests.tenant.settings.apiBaseUrl + path;
    const response = await this.requests.send({ ...rest, url });
    if (response.ok) return parseAnswer(schema, safeJson(response.text), what);
    const body = safeJson(response.text) as ApiErrorBody | undefined;
    const reason = reasonOf(response.status, body, response.text);
    const said = `${call.method} ${path.split('?')[0]} answered ${response.status}: ${reason.message}`;
    if (response.status === 409) throw new VersionConflict(said);
    if (response.status >= 500) throw new Fault(said, failureTypes.serverError);
    throw new Refused(
      { ...reason, message: said },
      response.status === 403,
      response.status === 404 && what.startsWith('schedule '),
    );
  }

  /**
   * A request to a pre-signed object-store URL (the upload, a download): not the platform's API, so not paced,
   * and no token; bounded by the request timeout and the attempt's cancellation.
   */
  private async objectStore(
    what: string,
    url: string,
    options: { method?: 'PUT'; headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<{ status: number; text: string }> {
    try {
      const response = await request(url, {
        ...options,
        dispatcher: this.requests.deps.http,
        signal: AbortSignal.any([
          AbortSignal.timeout(this.requests.requestTimeoutMs),
          this.requests.context.cancellationSignal,
        ]),
      });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      throw new Fault(`${what} failed: ${describeFetchError(error)}`, failureTypes.networkError);
    }
  }
}

function parseAnswer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Fault(
    `unexpected answer for ${what}: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unreadable'}`,
    failureTypes.unexpectedAnswer,
  );
}

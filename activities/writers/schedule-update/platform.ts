/**
 * What the Genesys writer reads from Genesys Cloud: the routes it calls and the parts of the platform's models it
 * uses (names as in the official SDK's models: `BuScheduleMetadata`, `BuAsyncAgentSchedulesQueryResponse`,
 * `UpdateScheduleUploadResponse`, `BuAsyncScheduleResponse`, the schedules topic's notification). Answers are
 * checked with zod, so a changed platform fails with a message naming the field, never with a wrong write.
 */
import { z } from 'zod';
import { WEEK_DAYS } from './calendar';

/** `…/businessunits/{bu}/weeks/{week}/schedules/{schedule}`, each part URL-encoded. */
export function schedulePath(place: SchedulePlace): string {
  const part = encodeURIComponent;
  return `${businessUnitPath(place.businessUnitId)}/weeks/${part(place.weekId)}/schedules/${part(place.scheduleId)}`;
}

/** Where a schedule lives. */
export interface SchedulePlace {
  businessUnitId: string;
  /** The schedule's `weekDate`, `yyyy-MM-dd`. */
  weekId: string;
  scheduleId: string;
}

/** The notification topic on which the platform reports schedule operations of a business unit. */
/** `…/businessunits/{bu}`, URL-encoded. */
export function businessUnitPath(businessUnitId: string): string {
  return `/api/v2/workforcemanagement/businessunits/${encodeURIComponent(businessUnitId)}`;
}

export function schedulesTopic(businessUnitId: string): string {
  return `v2.workforcemanagement.businessunits.${businessUnitId}.schedules`;
}

const versioned = z.object({ version: z.number().int() });

/** `BuScheduleMetadata` with `expand=managementUnits.agents`. */
export const scheduleMetadataSchema = z.object({
  id: z.string(),
  metadata: versioned,
  /** The first day of the schedule's first week, `yyyy-MM-dd`. */
  weekDate: z.iso.date().optional(),
  weekCount: z.number().int().min(1).optional(),
  managementUnits: z
    .array(
      z.object({
        managementUnit: z.object({ id: z.string() }),
        agents: z.array(z.object({ id: z.string() })).optional(),
      }),
    )
    .optional(),
});

const activitySchema = z.object({
  startDate: z.string(),
  lengthMinutes: z.number(),
  activityCodeId: z.string().optional(),
  description: z.string().optional(),
});

/** `BusinessUnitResponse` with `expand=settings.timeZone,settings.startDayOfWeek`. */
export const businessUnitSchema = z.object({
  id: z.string(),
  settings: z.object({
    startDayOfWeek: z.enum(WEEK_DAYS),
    timeZone: z.string().min(1),
  }),
});

/** `BusinessUnitActivityCodeListing`: inline, or behind a download URL when large. */
export const activityCodesSchema = z.object({
  entities: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().optional(),
        active: z.boolean().optional(),
        countsAsPaidTime: z.boolean().optional(),
      }),
    )
    .optional(),
  downloadUrl: z.string().optional(),
});
export type ActivityCodeListing = z.infer<typeof activityCodesSchema>;

/** `BuUserListing`: the business unit's agents, by management unit. */
export const businessUnitUsersSchema = z.object({
  managementUnits: z.array(
    z.object({
      managementUnit: z.object({ id: z.string() }),
      users: z.array(z.object({ id: z.string() })),
    }),
  ),
});

/** `BuScheduleListing` of `…/weeks/{weekId}/schedules`: every schedule that spans that week. */
export const weekSchedulesSchema = z.object({
  entities: z
    .array(z.object({ id: z.string(), weekDate: z.iso.date(), weekCount: z.number().int().min(1).optional() }))
    .optional(),
});

/** `BuAgentScheduleQueryResponse`: one agent's schedule and its version. */
export const agentScheduleSchema = z.object({
  user: z.object({ id: z.string() }),
  metadata: versioned,
  shifts: z
    .array(
      z.object({
        id: z.string().optional(),
        startDate: z.string(),
        lengthMinutes: z.number(),
        activities: z.array(activitySchema).optional(),
      }),
    )
    .optional(),
});
export type AgentSchedule = z.infer<typeof agentScheduleSchema>;

const operationStatus = z.enum(['Processing', 'Complete', 'Canceled', 'Error']);
export type OperationStatus = z.infer<typeof operationStatus>;

export const agentSchedulesResultSchema = z.object({ agentSchedules: z.array(agentScheduleSchema).optional() });

/** `BuAsyncAgentSchedulesQueryResponse`: inline, behind a download URL, or (for big queries) asynchronous. */
export const agentSchedulesQuerySchema = z.object({
  status: operationStatus,
  operationId: z.string().optional(),
  downloadUrl: z.string().optional(),
  result: agentSchedulesResultSchema.optional(),
});

/** `UpdateScheduleUploadResponse`. */
export const uploadUrlSchema = z.object({
  uploadKey: z.string().min(1),
  url: z.url(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type UploadTicket = z.infer<typeof uploadUrlSchema>;

/** `BuAsyncScheduleResponse`: the answer of `…/update`. */
export const asyncScheduleSchema = z.object({
  status: operationStatus,
  operationId: z.string().optional(),
  result: z.object({ metadata: versioned }).optional(),
});

/** A message on the notification channel's WebSocket (`NotificationEvent`). */
export const channelMessageSchema = z.object({
  topicName: z.string(),
  eventBody: z.unknown(),
});

/** `WfmBuScheduleTopicBuScheduleNotification`: how a schedule operation ended. No reason comes with `Error`. */
export const scheduleNotificationSchema = z.object({
  status: operationStatus,
  operationId: z.string(),
  eventType: z.string().optional(),
  result: z.object({ id: z.string().optional(), metadata: versioned.optional() }).optional(),
});
export type ScheduleNotification = z.infer<typeof scheduleNotificationSchema>;

/** `Channel`: where the channel's WebSocket is. */
export const channelSchema = z.object({ id: z.string(), connectUri: z.string() });

/** `ChannelTopicEntityListing` with `ignoreErrors=true`: which topics were refused, and for lack of what. */
export const subscriptionsSchema = z.object({
  entities: z
    .array(
      z.object({
        id: z.string(),
        state: z.string().optional(),
        missingPermissions: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** The body uploaded for `…/update` (`UpdateScheduleUploadSchema`), the parts this writer fills. */
export interface ScheduleUpload {
  metadata: { version: number };
  agentSchedules: {
    userId: string;
    /** Present for an agent already in the schedule; omitted for one joining it. */
    metadata?: { version: number };
    shifts: {
      startDate: string;
      lengthMinutes: number;
      activities: {
        startDate: string;
        lengthMinutes: number;
        activityCodeId: string;
        description: string;
        paid: boolean;
      }[];
      manuallyEdited: boolean;
    }[];
  }[];
}

/**
 * The business-unit schedule as the simulator stores it, and the upload body of the asynchronous schedule update
 * (`UpdateScheduleUploadSchema`) with the platform's field names and required flags (SDK models), validated with zod
 * so a writer's mistake is named at the upload instead of ending as a reasonless `Error` later.
 */
import { z } from 'zod';

/** `yyyy-MM-dd`, as a real calendar date: the schedule's `weekDate` and the `{weekId}` of its routes. */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in yyyy-MM-dd format')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'is not a calendar date');

/** `yyyy-MM-ddTHH:mm:ss[.mmm]Z`, the platform's documented date-time format (UTC only). */
export const isoInstantSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'must be a UTC date-time yyyy-MM-ddTHH:mm:ss[.mmm]Z')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a valid date-time');

/** The form the simulator stores and answers date-times in: UTC, milliseconds only when not zero. */
export function normalizeInstant(value: string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z');
}

const versionMetadataSchema = z.object({ version: z.number().int() });

/** `BuAgentScheduleActivity`: `description` is required (may be empty), as in the SDK model. */
export const activitySchema = z.object({
  startDate: isoInstantSchema,
  lengthMinutes: z.number().int().min(1),
  description: z.string({ error: 'is required (a string, may be empty)' }),
  activityCodeId: z.string().min(1),
  paid: z.boolean().optional(),
  payableMinutes: z.number().int().min(0).optional(),
});

/** `BuUpdateAgentScheduleShift`: a new shift has no id; `delete: true` needs the id of the shift to remove. */
const uploadShiftSchema = z
  .object({
    id: z.string().min(1).optional(),
    startDate: isoInstantSchema.optional(),
    lengthMinutes: z.number().int().min(1).optional(),
    activities: z.array(activitySchema).optional(),
    manuallyEdited: z.boolean().optional(),
    delete: z.boolean().optional(),
  })
  .superRefine((shift, ctx) => {
    if (shift.delete === true) {
      if (shift.id === undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'is required with delete' });
      return;
    }
    for (const field of ['startDate', 'lengthMinutes', 'activities'] as const) {
      if (shift[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required' });
    }
  });

/** `BuFullDayTimeOffMarker` of an upload; `delete: true` removes the agent's marker of that date. */
const markerSchema = z.object({
  businessUnitDate: isoDateSchema,
  lengthMinutes: z.number().int().min(0).optional(),
  description: z.string().optional(),
  activityCodeId: z.string().optional(),
  paid: z.boolean().optional(),
  payableMinutes: z.number().int().min(0).optional(),
  delete: z.boolean().optional(),
});

/** `BuUpdateAgentScheduleUploadSchema`. */
const uploadAgentScheduleSchema = z
  .object({
    userId: z.string().min(1),
    metadata: versionMetadataSchema.optional(),
    delete: z.boolean().optional(),
    shifts: z.array(uploadShiftSchema).optional(),
    fullDayTimeOffMarkers: z.array(markerSchema).optional(),
  })
  .superRefine((agent, ctx) => {
    const seen = new Set<string>();
    agent.shifts?.forEach((shift, index) => {
      if (shift.id === undefined) return;
      if (seen.has(shift.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['shifts', index, 'id'],
          message: `shift id "${shift.id}" appears twice`,
        });
      }
      seen.add(shift.id);
    });
  });

/** `UpdateScheduleUploadSchema`: the gzip-encoded JSON PUT to the upload URL. Unknown fields are dropped. */
export const updateScheduleUploadSchema = z
  .object({
    description: z.string().optional(),
    published: z.boolean().optional(),
    metadata: versionMetadataSchema,
    agentSchedules: z.array(uploadAgentScheduleSchema).optional(),
  })
  .superRefine((upload, ctx) => {
    const seen = new Set<string>();
    upload.agentSchedules?.forEach((agent, index) => {
      if (seen.has(agent.userId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agentSchedules', index, 'userId'],
          message: `userId "${agent.userId}" appears twice`,
        });
      }
      seen.add(agent.userId);
    });
  });

export type UpdateScheduleUpload = z.output<typeof updateScheduleUploadSchema>;
export type UploadAgentSchedule = NonNullable<UpdateScheduleUpload['agentSchedules']>[number];
export type UploadShift = NonNullable<UploadAgentSchedule['shifts']>[number];
export type StoredActivity = z.output<typeof activitySchema>;
export type StoredMarker = Omit<z.output<typeof markerSchema>, 'delete'>;

/** One shift of an agent, as stored and answered by the agent-schedules query. */
export interface StoredShift {
  id: string;
  startDate: string;
  lengthMinutes: number;
  activities: StoredActivity[];
  manuallyEdited: boolean;
}

/** One agent's part of a schedule, with its own version (`metadata.version` of the query answer). */
export interface AgentSchedule {
  userId: string;
  managementUnitId: string;
  version: number;
  dateModified: string;
  modifiedBy: string;
  shifts: StoredShift[];
  fullDayTimeOffMarkers: StoredMarker[];
}

/** A business-unit schedule: metadata, version, and the agents' schedules by user id. */
export interface BuSchedule {
  businessUnitId: string;
  id: string;
  weekDate: string;
  weekCount: number;
  description: string;
  published: boolean;
  version: number;
  dateCreated: string;
  dateModified: string;
  modifiedBy: string;
  agents: Map<string, AgentSchedule>;
}

/** A copy of a stored activity with only the fields that were set. */
export function copyActivity(activity: StoredActivity): StoredActivity {
  return Object.fromEntries(Object.entries(activity).filter(([, v]) => v !== undefined)) as StoredActivity;
}

/** Activities as stored: date-times normalized, unset fields left out. */
export function storedActivities(activities: readonly StoredActivity[]): StoredActivity[] {
  return activities.map((a) => copyActivity({ ...a, startDate: normalizeInstant(a.startDate) }));
}

/**
 * How a tenant's assignments reach its API. A tenant names its writer in the tenants file; the client checks the
 * rows against what that writer needs, and the worker's write activity takes the writer's path.
 */
import { z } from 'zod';
import { WRITE_SCOPE } from './names';

export const writerSchema = z.enum(['put', 'genesys-schedule-update']);
/**
 * - `put`: one `PUT {pathTemplate}` per batch, for APIs shaped like `/api/v2/wfm/schedules/{id}/assignments`.
 * - `genesys-schedule-update`: Genesys Cloud's asynchronous schedule update (upload URL, gzip upload, `update`,
 *   completion on the notification topic); a batch becomes one update of its schedule.
 */
export type Writer = z.infer<typeof writerSchema>;

export const DEFAULT_WRITER: Writer = 'put';

/** The Genesys Cloud permission (a role permission of the OAuth client) that schedule updates need. */
export const SCHEDULE_EDIT_PERMISSION = 'wfm:schedule:edit';

/** What a token must carry to write through `writer`, when the token lists its scopes at all. */
export function writeScopeOf(writer: Writer): string {
  return writer === 'genesys-schedule-update' ? SCHEDULE_EDIT_PERMISSION : WRITE_SCOPE;
}

/** How the Genesys writer learns that an update finished. */
export const notificationsSchema = z.enum(['websocket', 'poll']);

export const genesysSettingsSchema = z
  .object({
    /**
     * `websocket` (default): the platform's notification channel, read-back when it drops; `poll`: read the
     * schedule's version back every `pollSeconds` (for clients that may not open channels).
     */
    notifications: notificationsSchema.optional(),
    /** Seconds between read-backs while an update is processing (as the fallback, or with `poll`). Default 10. */
    pollSeconds: z.number().min(0.05).max(600).optional(),
    /** Seconds an update may stay processing before the writer reads back and tries again. Default 300. */
    completionTimeoutSeconds: z.number().min(1).max(86_400).optional(),
  })
  .strict();
export type GenesysSettingsInput = z.infer<typeof genesysSettingsSchema>;

export interface GenesysSettings {
  notifications: z.infer<typeof notificationsSchema>;
  pollMs: number;
  completionTimeoutMs: number;
}

export function resolveGenesysSettings(input: GenesysSettingsInput | undefined): GenesysSettings {
  return {
    notifications: input?.notifications ?? 'websocket',
    pollMs: (input?.pollSeconds ?? 10) * 1000,
    completionTimeoutMs: (input?.completionTimeoutSeconds ?? 300) * 1000,
  };
}

/** `yyyy-MM-dd`: a Genesys business unit's week start, the `weekId` of the schedule routes. */
export const weekIdSchema = z.iso.date({ message: 'must be a date like 2026-12-07 (yyyy-MM-dd)' });

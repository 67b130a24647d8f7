/**
 * Per-org settings of the simulated asynchronous schedule-update API (`buSchedules` in an org's config): timing,
 * limits, schedules present from the start, and its own fault switches. Kept apart from the org's `faults`, which
 * strike the assignment PUT only, so a fault run of one API never shifts the other's.
 */
import { z } from 'zod';
import { businessUnitSchema, timeZoneSchema } from './business-units';
import { activitySchema, isoDateSchema, isoInstantSchema } from './model';

/** Permission the write routes (upload URL, update) need, as on the real platform. */
export const SCHEDULE_EDIT_SCOPE = 'wfm:schedule:edit';
/** Permission the read routes need (`wfm:schedule:edit` is accepted too) and the schedules topic asks for. */
export const SCHEDULE_VIEW_SCOPE = 'wfm:schedule:view';
/** The other view permission the platform accepts for schedule reads. */
export const PUBLISHED_SCHEDULE_VIEW_SCOPE = 'wfm:publishedSchedule:view';

/** How an update's versions are compared: `strict`, each must be current; `lenient`, last write wins. */
export const VERSION_CHECKS = ['strict', 'lenient'] as const;

/** Largest `maxUploadBytes` an org may set: uploads are held in memory. */
export const MAX_UPLOAD_BYTES_CEILING = 256 * 1024 * 1024;

const rate = z.number().min(0).max(1);

/** Ids that appear in URL paths. */
const pathSafeId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._~-]+$/, 'use only letters, digits and . _ ~ -');

/** Fault switches of the schedule-update API. All off by default; draws use the org's seeded PRNG. */
export const buScheduleFaultsSchema = z
  .object({
    /** Share (0..1) of updates that end `Error` without applying anything (reason "injected"). */
    errorRate: rate.default(0),
    /** Share (0..1) of finished updates whose completion event is not sent (the update itself took effect). */
    dropEventRate: rate.default(0),
    /** Share (0..1) of event deliveries after which the server closes that socket. */
    closeSocketRate: rate.default(0),
    /** Share (0..1) of `POST …/update` calls that start processing but whose HTTP answer is destroyed (socket reset). */
    loseUpdateAnswerRate: rate.default(0),
    /**
     * Share (0..1) of updates before whose processing another editor changes the schedule (as `editElsewhere`), so
     * the update ends `Error` on a version conflict. Drawn from a stream of its own.
     */
    conflictRate: rate.default(0),
    /**
     * Share (0..1) of `POST …/update` calls with a usable key answered 400, as the platform would for an expired
     * upload key: nothing starts and the key stays unused. Drawn from a stream of its own.
     */
    uploadKeyExpiredRate: rate.default(0),
    /**
     * The upload URL keeps the body at once but answers this many ms later (a slow object store): a window in
     * which a writer has uploaded and not yet started the update, for crash tests. Default 0.
     */
    uploadAnswerDelayMs: z.number().int().min(0).max(600_000).default(0),
    /** When true, every socket the server closes first gets a `v2.system.socket_closing` message. */
    socketClosingNotice: z.boolean().default(false),
    /** An update with an activity whose description contains this ends `Error`: a refusal nobody can foresee. */
    refuseDescriptionMarker: z.string().min(1).optional(),
    /** Share (0..1) of reads answered from the schedule as it was `staleReadMs` ago. Own PRNG stream. */
    staleReadRate: rate.default(0),
    /** How old a stale read's state is, ms; states are kept this long. */
    staleReadMs: z.number().int().min(0).max(3_600_000).default(0),
  })
  .strict();

/** A shift present from the start (no id: one is made up). */
const initialShiftSchema = z
  .object({
    id: z.string().min(1).optional(),
    startDate: isoInstantSchema,
    lengthMinutes: z.number().int().min(1),
    activities: z.array(activitySchema),
    manuallyEdited: z.boolean().default(false),
  })
  .strict();

/** A schedule present from the start, at version 1, each agent at version 1. */
const initialScheduleSchema = z
  .object({
    businessUnitId: pathSafeId,
    scheduleId: pathSafeId,
    weekDate: isoDateSchema,
    weekCount: z.number().int().min(1).max(52).default(1),
    description: z.string().default(''),
    published: z.boolean().default(false),
    agents: z
      .array(
        z
          .object({
            userId: z.string().min(1),
            /** Default: the org's `managementUnitId`. */
            managementUnitId: pathSafeId.optional(),
            shifts: z.array(initialShiftSchema).default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** The org's `buSchedules` config. Every field has a default, so `{}` (or leaving it out) is valid. */
export const buScheduleSettingsSchema = z
  .object({
    /** The first touch of an unknown `(businessUnitId, weekId, scheduleId)` creates it (weekDate = weekId, version 1). */
    autoCreate: z.boolean().default(true),
    /** `businessUnitTimeZone` of the agent-schedules query answer. Default "UTC". */
    businessUnitTimeZone: timeZoneSchema.default('UTC'),
    /** Management unit that agents new to a schedule join. Default "mu-1". */
    managementUnitId: pathSafeId.default('mu-1'),
    /** Time between `POST …/update` and the end of its processing (Complete/Error event), ms. Default 200. */
    processingDelayMs: z.number().int().min(0).max(3_600_000).default(200),
    /** With `processingDelayMs` 0: answer the update `Complete` (or `Error`) at once, as the platform can. Default false. */
    answerCompleteWhenImmediate: z.boolean().default(false),
    /** Lifetime of an upload URL, ms. Default 10 min. */
    uploadTtlMs: z.number().int().min(1).default(600_000),
    /** Largest `contentLengthBytes` an upload URL is issued for. Default 10 MB. */
    maxUploadBytes: z
      .number()
      .int()
      .min(1)
      .max(MAX_UPLOAD_BYTES_CEILING)
      .default(10 * 1024 * 1024),
    /** Period of the WebSocket heartbeat message, ms. Default 30 s. */
    heartbeatIntervalMs: z.number().int().min(10).default(30_000),
    /** Lifetime of a notification channel, ms (its `expires`). Default 24 h. */
    channelTtlMs: z
      .number()
      .int()
      .min(1)
      .default(24 * 3_600_000),
    /** Channels one OAuth client may hold; creating one more removes the oldest. Default 20. */
    maxChannelsPerClient: z.number().int().min(1).default(20),
    /** Schedules that exist from the start (needed when `autoCreate` is false). */
    initialSchedules: z.array(initialScheduleSchema).default([]),
    /** Business units described: their updates are checked and their platform data answered from here. */
    businessUnits: z.array(businessUnitSchema).default([]),
    /** `strict`: an update's versions must all be current; `lenient`: applied whatever they say. */
    versionCheck: z.enum(VERSION_CHECKS).default('strict'),
    /** Whether `wfm:schedule:edit` alone permits reads. Unset: true (false under the `genesys` profile). */
    editGrantsRead: z.boolean().optional(),
    /** Fault switches; all off by default. */
    faults: buScheduleFaultsSchema.prefault({}),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const seen = new Set<string>();
    settings.initialSchedules.forEach((schedule, index) => {
      const key = `${schedule.businessUnitId}/${schedule.scheduleId}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['initialSchedules', index, 'scheduleId'],
          message: `duplicate schedule "${schedule.scheduleId}" in business unit "${schedule.businessUnitId}"`,
        });
      }
      seen.add(key);
    });
    const units = new Set<string>();
    settings.businessUnits.forEach((unit, index) => {
      if (units.has(unit.id)) {
        const message = `duplicate business unit "${unit.id}"`;
        ctx.addIssue({ code: 'custom', path: ['businessUnits', index, 'id'], message });
      }
      units.add(unit.id);
    });
  });

/** Settings as written (all optional). */
export type BuScheduleSettingsInput = z.input<typeof buScheduleSettingsSchema>;
/** Settings with every default applied. */
export type BuScheduleSettings = z.output<typeof buScheduleSettingsSchema>;
/** Fault switches as written. */
export type BuScheduleFaultsInput = z.input<typeof buScheduleFaultsSchema>;
/** Fault switches with defaults applied. */
export type BuScheduleFaults = z.output<typeof buScheduleFaultsSchema>;
/** A schedule present from the start. */
export type InitialSchedule = z.output<typeof initialScheduleSchema>;
/** How versions are compared. */
export type VersionCheck = (typeof VERSION_CHECKS)[number];

import { z } from 'zod';
import { applyProfile, DEFAULT_THROTTLE, ORG_PROFILES } from './profile';
import {
  SCHEDULE_EDIT_SCOPE,
  SCHEDULE_VIEW_SCOPE,
  buScheduleFaultsSchema,
  buScheduleSettingsSchema,
} from './schedules/settings';

export { DEFAULT_THROTTLE };

/** The one scope the assignment PUT requires, as on the real platform. */
export const WRITE_SCOPE = 'wfm:schedule:write';

/**
 * Scopes of a client whose config names none: the assignment PUT's, plus the permissions of the schedule-update
 * API (edit for uploads and updates, view for reads and the schedules topic).
 */
export const DEFAULT_SCOPES: readonly string[] = [WRITE_SCOPE, SCHEDULE_EDIT_SCOPE, SCHEDULE_VIEW_SCOPE];

/** Ids appear in URL paths, so keep them to characters that need no escaping. */
const pathSafeId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._~-]+$/, 'use only letters, digits and . _ ~ -');

const rate = z.number().min(0).max(1);

/** Fault injection for one org. Every switch is off by default. */
export const faultSettingsSchema = z
  .object({
    serverErrorRate: rate.default(0).describe('Share (0..1) of admitted PUTs answered 503 `service.unavailable`.'),
    connectionResetRate: rate
      .default(0)
      .describe('Share (0..1) of admitted PUTs whose socket is destroyed without an answer.'),
    hangRate: rate
      .default(0)
      .describe(
        'Share (0..1) of admitted PUTs never answered: the socket is destroyed after `hangMs` or when the client gives up.',
      ),
    hangMs: z
      .number()
      .int()
      .min(1)
      .default(120_000)
      .describe('How long a hung PUT is held before its socket is destroyed, in ms.'),
    latencyMs: z.number().min(0).default(0).describe('Fixed latency added to every admitted PUT, in ms.'),
    latencySpikeRate: rate
      .default(0)
      .describe('Share (0..1) of admitted PUTs that get `latencySpikeMs` on top of `latencyMs`.'),
    latencySpikeMs: z.number().min(0).default(0).describe('Extra latency of a spike, in ms.'),
    faultsAfterApply: z
      .boolean()
      .default(false)
      .describe(
        'When true, 503/reset/hang strike after the request was processed (assignments applied), so the client ' +
          'sees a failure for a write that took effect and must rely on idempotency; false: they strike before.',
      ),
    loginDelayMs: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Added before every token request of the org is answered, in ms (a slow login service).'),
    loginUnreachable: z
      .boolean()
      .default(false)
      .describe(
        'Every token request of the org has its socket destroyed without an answer, as a login service out of ' +
          'reach does to a client.',
      ),
  })
  .strict()
  .refine((f) => f.serverErrorRate + f.connectionResetRate + f.hangRate <= 1, {
    message: 'serverErrorRate + connectionResetRate + hangRate must not exceed 1',
  });

/** Token bucket limits of one org; `null` in an org config means unthrottled. */
export const throttleLimitsSchema = z
  .object({
    burst: z.number().int().min(1).describe('Bucket capacity: requests allowed at once from full.'),
    refillPerSecond: z.number().positive().describe('Tokens added per second (fractional allowed).'),
    retryAfterSeconds: z
      .number()
      .int()
      .min(1)
      .max(3_600)
      .optional()
      .describe(
        'Every 429 says this many seconds (and the window lasts that long) instead of the time until the next ' +
          'token, as on the real platform, whose 429s often say 30-60 s. Absent: the time until the next token.',
      ),
  })
  .strict();

/** Fixed windows of an org's throttle. */
export const fixedWindowLimitsSchema = z
  .object({
    requests: z.number().int().min(1).describe('Requests admitted per window.'),
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .max(3_600)
      .describe('Length of a window in seconds; a window opens with the first request after the previous one ended.'),
  })
  .strict();

/**
 * An org's throttle: a token bucket (`burst`, `refillPerSecond`, `retryAfterSeconds`) or fixed windows
 * (`fixedWindow`), written as one object so the reference lists every field; parses to the one or the other.
 */
export const orgThrottleSchema = z
  .object({
    burst: throttleLimitsSchema.shape.burst.optional(),
    refillPerSecond: throttleLimitsSchema.shape.refillPerSecond.optional(),
    retryAfterSeconds: throttleLimitsSchema.shape.retryAfterSeconds,
    fixedWindow: fixedWindowLimitsSchema
      .optional()
      .describe(
        'Fixed windows instead of the bucket (then leave the bucket’s fields out): at most `requests` per window, ' +
          'then 429 with Retry-After = whole seconds until the window resets, as Genesys Cloud counts an org’s calls.',
      ),
  })
  .strict()
  .superRefine((throttle, ctx) => {
    const bucketFields = (['burst', 'refillPerSecond', 'retryAfterSeconds'] as const).filter(
      (field) => throttle[field] !== undefined,
    );
    if (throttle.fixedWindow !== undefined) {
      for (const field of bucketFields)
        ctx.addIssue({ code: 'custom', path: [field], message: 'is a bucket field: not with fixedWindow' });
      return;
    }
    for (const field of ['burst', 'refillPerSecond'] as const)
      if (throttle[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'is required (or give fixedWindow)' });
  })
  .transform((throttle): OrgThrottleLimits =>
    throttle.fixedWindow
      ? { fixedWindow: throttle.fixedWindow }
      : {
          burst: throttle.burst!, // required without fixedWindow (refined above)
          refillPerSecond: throttle.refillPerSecond!,
          ...(throttle.retryAfterSeconds !== undefined && { retryAfterSeconds: throttle.retryAfterSeconds }),
        },
  );

/** An OAuth client secret: any non-empty text (clients form-urlencode it in the Basic header, RFC 6749 §2.3.1). */
export const clientSecretSchema = z.string().min(1);

const clientSchema = z
  .object({
    clientId: z
      .string()
      .min(1)
      .regex(/^[^:]+$/, 'must not contain ":"')
      .describe('OAuth client id, unique across all orgs; no `:` (the HTTP Basic separator).'),
    clientSecret: clientSecretSchema.describe('OAuth client secret: any non-empty text.'),
    scopes: z
      .array(z.string().min(1))
      .default(() => [...DEFAULT_SCOPES])
      .describe(
        'Scopes granted to the client. Default: `wfm:schedule:write` (assignment PUT), `wfm:schedule:edit` and ' +
          '`wfm:schedule:view` (schedule-update API).',
      ),
  })
  .strict();

/** The `faults` of an org's `buSchedules`, described; parses exactly as `buScheduleFaultsSchema`. */
const buScheduleFaultsFields = describeFields(buScheduleFaultsSchema, {
  errorRate: 'Share (0..1) of updates that end `Error` without applying anything (reason "injected").',
  dropEventRate: 'Share (0..1) of finished updates whose completion event is not sent (the update itself took effect).',
  closeSocketRate: 'Share (0..1) of event deliveries after which the server closes that socket.',
  loseUpdateAnswerRate:
    'Share (0..1) of `POST …/update` calls that start processing but whose HTTP answer is destroyed (socket reset).',
  conflictRate:
    'Share (0..1) of updates before whose processing another editor changes the schedule (as `editElsewhere`), ' +
    'so the update ends `Error` on a version conflict. Drawn from a stream of its own.',
  uploadKeyExpiredRate:
    'Share (0..1) of `POST …/update` calls with a usable key answered 400, as the platform would for an expired ' +
    'upload key: nothing starts and the key stays unused. Drawn from a stream of its own.',
  uploadAnswerDelayMs:
    'The upload URL keeps the body at once but answers this many ms later (a slow object store): a window in which ' +
    'a writer has uploaded and not yet started the update, for crash tests.',
  socketClosingNotice: 'When true, every socket the server closes first gets a `v2.system.socket_closing` message.',
  refuseDescriptionMarker:
    'An update with a shift whose activity’s description contains this text ends `Error` without applying anything ' +
    '(reason "marker"), in any business unit: a refusal a writer cannot check ahead. Absent: off.',
  staleReadRate:
    'Share (0..1) of reads (schedule metadata, agent-schedules query and its download, the week’s schedules) ' +
    'answered from the schedule as it was `staleReadMs` ago: version and shifts together; a schedule younger than ' +
    'that as it first was. Drawn from a stream of its own.',
  staleReadMs: 'Age of a stale read’s state, in ms (at most one hour); past states are kept this long only.',
});

/**
 * The org's `buSchedules`, with each field described for docs/reference/simulator-config.md; parses exactly as
 * `buScheduleSettingsSchema` (tools/simulator/schedules/settings.ts).
 */
const buSchedulesSchema = describeFields(buScheduleSettingsSchema, {
  autoCreate:
    'The first touch of an unknown `(businessUnitId, weekId, scheduleId)` creates it (weekDate = weekId, version 1).',
  businessUnitTimeZone:
    'IANA time zone of business units not described in `businessUnits`: the agent-schedules query’s ' +
    '`businessUnitTimeZone` and the unit’s `settings.timeZone`.',
  managementUnitId:
    'Management unit that agents new to a schedule join, unless a described business unit lists them in one.',
  processingDelayMs: 'Time from `POST …/update` to the end of its processing (the Complete/Error event), in ms.',
  answerCompleteWhenImmediate:
    'With `processingDelayMs` 0: answer the update `Complete` (or `Error`) at once, as the platform can.',
  uploadTtlMs: 'Lifetime of an upload URL, in ms.',
  maxUploadBytes:
    'Largest `contentLengthBytes` an upload URL is issued for (at most 256 MiB: uploads are held in memory).',
  heartbeatIntervalMs: 'Period of the WebSocket heartbeat message, in ms (at least 10).',
  channelTtlMs: 'Lifetime of a notification channel (its `expires`), in ms.',
  maxChannelsPerClient: 'Channels one OAuth client may hold; creating one more removes the oldest.',
  initialSchedules:
    'Schedules that exist from the start (needed when `autoCreate` is false), each at version 1 with each agent at ' +
    'version 1; a shift without an id gets one made up. An agent without `managementUnitId` is in the org’s.',
  businessUnits:
    'Business units described (default none). An update of a described unit ends `Error` (nothing applied) when a ' +
    'shift names an activity code that is not an active code of the unit, lies outside the schedule ([weekDate ' +
    '00:00, weekDate + 7 × weekCount days) in the unit’s time zone), or is for an agent in none of its management ' +
    'units; agents new to a schedule join the unit listing them. Its `…/businessunits/{id}` routes answer from here. ' +
    'A unit not described is open: no such checks; its routes answer from its schedules.',
  versionCheck:
    '`"strict"`: an update ends `Error` unless every schedule and agent version it names is current. `"lenient"`: ' +
    'applied whatever versions it names (last write wins); versions still go up on every applied update.',
  editGrantsRead:
    'Whether `wfm:schedule:edit` alone permits the read routes and the schedules topic. Default true; with the ' +
    'org’s `profile` `"genesys"`, false: reads need `wfm:schedule:view` or `wfm:publishedSchedule:view`.',
  faults: buScheduleFaultsFields
    .prefault({})
    .describe(
      'Fault switches of the schedule-update API, all off by default. Their draws come from the org’s own seeded ' +
        'PRNGs, separate from the PUT faults’, so neither shifts the other.',
    ),
}).describe(
  'The asynchronous schedule-update API (business-unit schedules, uploads, notifications): timing, limits and its ' +
    'own faults. Left out, every default applies (schedules are created on first touch).',
);

/**
 * A copy of `schema` whose fields carry descriptions (zod metadata only: it parses as `schema` does, refinements and
 * strictness kept). A field given a schema instead of a text takes that schema, which must parse as the field did.
 */
function describeFields<T extends z.ZodObject>(
  schema: T,
  fields: { readonly [K in keyof T['shape']]?: string | z.ZodType },
): T {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(fields) as [string, string | z.ZodType][])
    shape[key] = typeof field === 'string' ? (schema.shape[key] as z.ZodType).describe(field) : field;
  return schema.safeExtend(shape) as T;
}

const orgSchema = z
  .object({
    id: pathSafeId.describe('Org (tenant) id: letters, digits and `. _ ~ -`, unique across all orgs.'),
    seedLabel: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        'Name the org’s fault PRNGs are derived under with the run’s `seed`, in place of its id (default: the id). ' +
          'Orgs whose ids carry a per-run suffix (the test harness’s) get the same faults from the same seed on ' +
          'every run.',
      ),
    clients: z
      .array(clientSchema)
      .min(1)
      .optional()
      .describe('OAuth clients of the org. Default: one client `<id>-client` / `<id>-secret` with the default scopes.'),
    schedules: z
      .array(pathSafeId)
      .min(1)
      .optional()
      .describe('Schedule ids of the org, unique across all orgs. Default: `<id>-s1`..`<id>-s3`.'),
    users: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'When present, an assignment’s userId must be one of these (else a per-item 400 "user <userId> not found").',
      ),
    profile: z
      .enum(ORG_PROFILES)
      .optional()
      .describe(
        '`"genesys"`: behave as a real Genesys Cloud org wherever the org’s own fields leave it open: `throttle` ' +
          '`{"fixedWindow":{"requests":300,"windowSeconds":60}}`, `rateLimitHeaders` true, `tokenResponseScope` ' +
          'false, `buSchedules.editGrantsRead` false (reads need a view permission), `buSchedules.versionCheck` ' +
          '`"strict"`. Absent: the simulator’s own defaults.',
      ),
    throttle: orgThrottleSchema
      .nullable()
      .optional()
      .describe(
        'Throttle of all the org’s API calls (PUTs, schedule and notification calls), shared by its clients and ' +
          'tokens: a token bucket or `fixedWindow`; `null` = unthrottled. Default `{"burst":50,"refillPerSecond":8}`; ' +
          'with `profile` `"genesys"`, `{"fixedWindow":{"requests":300,"windowSeconds":60}}`.',
      ),
    rateLimitHeaders: z
      .boolean()
      .optional()
      .describe(
        'Whether every answer of the org’s API calls (2xx and 429 alike) carries `inin-ratelimit-allowed`, ' +
          '`-count` and `-reset`. Default: the top-level `rateLimitHeaders`; with `profile` `"genesys"`, true.',
      ),
    tokenResponseScope: z
      .boolean()
      .optional()
      .describe(
        'Whether token answers list the client’s scopes in `scope`. Default true; with `profile` `"genesys"`, ' +
          'false, as the platform’s login answers.',
      ),
    loginThrottle: throttleLimitsSchema
      .nullable()
      .default(null)
      .describe(
        'Token bucket of `POST /oauth/token`, one per OAuth client of the org (a login service limits each client, ' +
          'not the tenant); exhausted: 429 with Retry-After. `null` = unthrottled.',
      ),
    tokenTtlSeconds: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Lifetime of this org’s access tokens in seconds. Default: the top-level `tokenTtlSeconds`.'),
    faults: faultSettingsSchema.optional().describe('Faults injected from the start. Default: none.'),
    buSchedules: buSchedulesSchema.optional(),
  })
  .strict()
  .transform((org) => ({
    ...org,
    ...applyProfile(org),
    clients: org.clients ?? [
      { clientId: `${org.id}-client`, clientSecret: `${org.id}-secret`, scopes: [...DEFAULT_SCOPES] },
    ],
    schedules: org.schedules ?? [1, 2, 3].map((n) => `${org.id}-s${n}`),
    faults: org.faults ?? faultSettingsSchema.parse({}),
  }));

/** The three default orgs, used when a config has no `orgs`. */
export const DEFAULT_ORG_IDS = ['acme', 'globex', 'initech'] as const;

/** The whole simulator config. Every field has a default, so `{}` is a valid config. */
export const simulatorConfigSchema = z
  .object({
    tokenTtlSeconds: z
      .number()
      .int()
      .min(1)
      .default(3600)
      .describe('Lifetime of access tokens in seconds (orgs may override).'),
    retryAfterFormat: z
      .enum(['seconds', 'http-date'])
      .default('seconds')
      .describe('Form of the 429 `Retry-After` header: whole seconds, or an HTTP-date.'),
    rateLimitHeaders: z
      .boolean()
      .default(false)
      .describe(
        'When true, every answer of a throttled org’s API calls carries `inin-ratelimit-*` headers (orgs may ' +
          'override); false, the simulator’s default.',
      ),
    maxAssignmentsPerRequest: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('Most assignments accepted in one PUT; more get 413.'),
    violationGraceMs: z
      .number()
      .min(0)
      .default(5)
      .describe('Requests arriving this many ms after a 429 was sent were already on the wire: not a violation.'),
    requestLogSize: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Size of each org’s ring buffer of PUT request records.'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(0xffffffff)
      .optional()
      .describe(
        'Seed of the fault PRNGs, so fault runs can be reproduced. Default: random (shown in stats, the CLI’s ' +
          'output and `GET /__admin/config`).',
      ),
    orgs: z
      .array(orgSchema)
      .min(1)
      .prefault(() => DEFAULT_ORG_IDS.map((id) => ({ id })))
      .describe('The tenant orgs. Default: `acme`, `globex`, `initech`, each with every org default.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    // zod keeps refining after field errors, when org defaults were not filled in: report those errors alone.
    if (
      !Array.isArray(config.orgs) ||
      !config.orgs.every((org) => Array.isArray(org.schedules) && Array.isArray(org.clients))
    )
      return;
    const orgIds = new Map<string, number>();
    const scheduleOwners = new Map<string, string>();
    const clientOwners = new Map<string, string>();
    config.orgs.forEach((org, orgIndex) => {
      if (orgIds.has(org.id)) {
        ctx.addIssue({ code: 'custom', path: ['orgs', orgIndex, 'id'], message: `duplicate org id "${org.id}"` });
      }
      orgIds.set(org.id, orgIndex);
      org.schedules.forEach((scheduleId, scheduleIndex) => {
        const owner = scheduleOwners.get(scheduleId);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['orgs', orgIndex, 'schedules', scheduleIndex],
            message: `duplicate schedule id "${scheduleId}" (also in org "${owner}")`,
          });
        }
        scheduleOwners.set(scheduleId, org.id);
      });
      org.clients.forEach((client, clientIndex) => {
        const owner = clientOwners.get(client.clientId);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['orgs', orgIndex, 'clients', clientIndex, 'clientId'],
            message: `duplicate client id "${client.clientId}" (also in org "${owner}")`,
          });
        }
        clientOwners.set(client.clientId, org.id);
      });
    });
  })
  .describe(
    'The simulator’s config (`--config <file>`, JSON). Every field has a default, so `{}` is a valid config. ' +
      'Schedule ids, client ids and org ids must be unique across all orgs. Errors name the field path.',
  );

/** Config as written by a user or test: every field optional. */
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
/** Config after parsing, with every default applied. */
export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
/** One org after parsing. */
export type OrgConfig = SimulatorConfig['orgs'][number];
/** One org as written. */
export type OrgConfigInput = z.input<typeof orgSchema>;
/** One OAuth client after parsing. */
export type ClientConfig = OrgConfig['clients'][number];
/** Parsed fault settings. */
export type FaultSettings = z.output<typeof faultSettingsSchema>;
/** Fault settings as written (all optional). */
export type FaultSettingsInput = z.input<typeof faultSettingsSchema>;
/** Token bucket limits. */
export type ThrottleLimits = z.output<typeof throttleLimitsSchema>;
/** Fixed-window limits. */
export type FixedWindowLimits = z.output<typeof fixedWindowLimitsSchema>;
/** An org's throttle after parsing: a token bucket or fixed windows. */
export type OrgThrottleLimits = ThrottleLimits | { fixedWindow: FixedWindowLimits };
/** An org's throttle as written. */
export type OrgThrottleInput = z.input<typeof orgThrottleSchema>;

/** The config used when none is given: three throttled orgs. */
export function defaultSimulatorConfig(): SimulatorConfig {
  return simulatorConfigSchema.parse({});
}

/** Error for an invalid config, with one line per problem naming its field path. */
export class SimulatorConfigError extends Error {
  readonly type = 'SimulatorConfigError';
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`Invalid simulator config${source ? ` in ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SimulatorConfigError';
  }
}

/** Formats a zod issue path like `orgs[1].schedules[0]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Lists zod issues as `path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** Parses and validates a config, throwing {@link SimulatorConfigError} naming each bad field. */
export function parseSimulatorConfig(input: unknown, source?: string): SimulatorConfig {
  const result = simulatorConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new SimulatorConfigError(describeIssues(result.error), source);
  return result.data;
}

/**
 * Shorthand for configs with many tenants written from code: `tenant-1`..`tenant-<count>`, each with the default
 * client, secret and schedules, plus whatever `template` sets for all of them.
 */
export function generateOrgs(
  count: number,
  template: Omit<OrgConfigInput, 'id' | 'clients' | 'schedules'> & { idPrefix?: string } = {},
): OrgConfigInput[] {
  const { idPrefix = 'tenant', ...rest } = template;
  return Array.from({ length: count }, (_, i) => ({ ...rest, id: `${idPrefix}-${i + 1}` }));
}

import { z } from 'zod';
import { SCHEDULE_EDIT_SCOPE, SCHEDULE_VIEW_SCOPE, buScheduleSettingsSchema } from './schedules/settings';

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
    /** Share (0..1) of admitted PUTs answered 503 `service.unavailable`. Default 0. */
    serverErrorRate: rate.default(0),
    /** Share (0..1) of admitted PUTs whose socket is destroyed without an answer. Default 0. */
    connectionResetRate: rate.default(0),
    /** Share (0..1) of admitted PUTs never answered: the socket is destroyed after `hangMs` or when the client gives up. Default 0. */
    hangRate: rate.default(0),
    /** How long a hung PUT is held before its socket is destroyed, in ms. Default 120000. */
    hangMs: z.number().int().min(1).default(120_000),
    /** Fixed latency added to every admitted PUT, in ms. Default 0. */
    latencyMs: z.number().min(0).default(0),
    /** Share (0..1) of admitted PUTs that get `latencySpikeMs` on top of `latencyMs`. Default 0. */
    latencySpikeRate: rate.default(0),
    /** Extra latency of a spike, in ms. Default 0. */
    latencySpikeMs: z.number().min(0).default(0),
    /**
     * When true, 503/reset/hang strike after the request was processed (assignments applied), so the client
     * sees a failure for a write that took effect and must rely on idempotency. Default false (strike before).
     */
    faultsAfterApply: z.boolean().default(false),
    /** Added before every token request of the org is answered, in ms (a slow login service). Default 0. */
    loginDelayMs: z.number().int().min(0).default(0),
    /**
     * Every token request of the org has its socket destroyed without an answer, as a login service out of reach
     * does to a client. Default false.
     */
    loginUnreachable: z.boolean().default(false),
  })
  .strict()
  .refine((f) => f.serverErrorRate + f.connectionResetRate + f.hangRate <= 1, {
    message: 'serverErrorRate + connectionResetRate + hangRate must not exceed 1',
  });

/** Token bucket limits of one org; `null` in an org config means unthrottled. */
export const throttleLimitsSchema = z
  .object({
    /** Bucket capacity: requests allowed at once from full, whole number >= 1. */
    burst: z.number().int().min(1),
    /** Tokens added per second (fractional allowed), > 0. */
    refillPerSecond: z.number().positive(),
    /**
     * Every 429 says this many seconds (and the window lasts that long) instead of the time until the next token:
     * the real platform's often say 30-60 s. Default: the time until the next token.
     */
    retryAfterSeconds: z.number().int().min(1).max(3_600).optional(),
  })
  .strict();

/** Default throttle: about 50 requests, then 429, as in the forum report; 8/s afterwards. */
export const DEFAULT_THROTTLE = { burst: 50, refillPerSecond: 8 } as const;

/** An OAuth client secret: any non-empty text (clients form-urlencode it in the Basic header, RFC 6749 §2.3.1). */
export const clientSecretSchema = z.string().min(1);

const clientSchema = z
  .object({
    /** OAuth client id, unique across all orgs. Must not contain ':' (HTTP Basic separator). */
    clientId: z
      .string()
      .min(1)
      .regex(/^[^:]+$/, 'must not contain ":"'),
    /** OAuth client secret. */
    clientSecret: clientSecretSchema,
    /** Scopes granted to the client. Default {@link DEFAULT_SCOPES}. */
    scopes: z.array(z.string().min(1)).default(() => [...DEFAULT_SCOPES]),
  })
  .strict();

const orgSchema = z
  .object({
    /** Org (tenant) id. */
    id: pathSafeId,
    /**
     * Name the org's fault PRNGs are derived under with the run's `seed`, in place of its id. Default: the id. Orgs
     * whose ids carry a per-run suffix (the test harness's) get the same faults from the same seed on every run.
     */
    seedLabel: z.string().min(1).max(128).optional(),
    /** OAuth clients of the org. Default one client `<id>-client` / `<id>-secret` with {@link DEFAULT_SCOPES}. */
    clients: z.array(clientSchema).min(1).optional(),
    /** Schedule ids of the org, unique across all orgs. Default `<id>-s1`..`<id>-s3`. */
    schedules: z.array(pathSafeId).min(1).optional(),
    /** When present, an assignment's userId must be one of these (else per-item 400 "user <userId> not found"). */
    users: z.array(z.string().min(1)).optional(),
    /** Token bucket of the org, shared by all its clients; `null` = unthrottled. Default burst 50, 8/s. */
    throttle: throttleLimitsSchema.nullable().default({ ...DEFAULT_THROTTLE }),
    /**
     * Token bucket of `POST /oauth/token`, one per OAuth client of the org (a login service limits each client, not
     * the tenant); exhausted → 429 with Retry-After. `null` = unthrottled, the default.
     */
    loginThrottle: throttleLimitsSchema.nullable().default(null),
    /** Lifetime of this org's access tokens in seconds; default: the top-level `tokenTtlSeconds`. */
    tokenTtlSeconds: z.number().int().min(1).optional(),
    /** Faults injected from the start. Default: none. */
    faults: faultSettingsSchema.optional(),
    /**
     * The asynchronous schedule-update API (business-unit schedules, uploads, notifications): timing, limits and
     * its own faults. Optional: left out, every default applies (schedules are created on first touch).
     */
    buSchedules: buScheduleSettingsSchema.optional(),
  })
  .strict()
  .transform((org) => ({
    ...org,
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
    /** Default lifetime of access tokens in seconds (orgs may override). Default 3600. */
    tokenTtlSeconds: z.number().int().min(1).default(3600),
    /** Form of the 429 `Retry-After` header: whole seconds or an HTTP-date. Default "seconds". */
    retryAfterFormat: z.enum(['seconds', 'http-date']).default('seconds'),
    /** When true, every PUT answer of a throttled org carries `inin-ratelimit-*` headers. Default false, as on the real platform. */
    rateLimitHeaders: z.boolean().default(false),
    /** Most assignments accepted in one PUT; more get 413. Default 50. */
    maxAssignmentsPerRequest: z.number().int().min(1).default(50),
    /** Requests arriving this many ms after a 429 was sent were already on the wire: no violation. Default 5. */
    violationGraceMs: z.number().min(0).default(5),
    /** Size of each org's ring buffer of PUT request records. Default 10000. */
    requestLogSize: z.number().int().min(1).default(10_000),
    /** Seed of the fault PRNG, so fault runs can be reproduced. Default: random (reported in stats). */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** The tenant orgs. Default: acme, globex, initech. */
    orgs: z
      .array(orgSchema)
      .min(1)
      .prefault(() => DEFAULT_ORG_IDS.map((id) => ({ id }))),
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
  });

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

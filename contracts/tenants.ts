/**
 * The tenants file: which organisations exist, how to reach them, and their limits. The worker reads it to
 * get credentials; the client reads it to validate input and to know each tenant's limits. Secrets are never
 * in the file itself, only where to find them (an environment variable or a file), and only the worker looks.
 */
import { z } from 'zod';
import { tenantIdSchema } from './assignment';
import { DEFAULT_PATH_TEMPLATE } from './names';
import {
  DEFAULT_WRITER,
  genesysSettingsSchema,
  resolveGenesysSettings,
  writerSchema,
  type GenesysSettings,
  type Writer,
} from './writers';

/** Concurrency cap per tenant when neither the tenant nor the defaults give one. */
export const DEFAULT_CONCURRENCY = 5;

export const tenantLimitsSchema = z.object({
  /** Most PUTs of the tenant in flight at once, across all worker processes. */
  concurrency: z.number().int().min(1).max(200),
  /** Most PUTs per second for the tenant; absent = learned from 429s alone. */
  ratePerSecond: z.number().positive().max(10_000).optional(),
  /** PUTs that may go at once above the rate (the API's bucket size); default one second's worth. */
  burst: z.number().int().min(1).max(100_000).optional(),
});
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/**
 * The `genesys` object, with each field described for docs/reference/tenants-file.md; parses exactly as
 * `genesysSettingsSchema`. A field's `default` (here and below) is what `resolveTenants` applies when it is absent.
 */
const genesysFieldsSchema = genesysSettingsSchema
  .safeExtend({
    notifications: genesysSettingsSchema.shape.notifications.meta({
      description:
        'How the writer learns that an update ended. `websocket`: a notification channel per tenant and serving ' +
        'process (the schedules topic), with read-backs when it drops; `poll`: no channel, the schedule’s version is ' +
        'read back every `pollSeconds` (for clients that may not open channels).',
      default: 'websocket',
    }),
    pollSeconds: genesysSettingsSchema.shape.pollSeconds.meta({
      description:
        'How often, in seconds, the schedule is read back while an update is processing (with `websocket` and the ' +
        'channel live, every third interval, in case an event was lost).',
      default: 10,
    }),
    completionTimeoutSeconds: genesysSettingsSchema.shape.completionTimeoutSeconds.meta({
      description:
        'How long, in seconds, the writer waits for an update whose end it cannot see (its answer or its event ' +
        'lost) before it reads the schedule and plans again. Too short costs only a wasted upload, since a second ' +
        'update built on the same version is refused once the first applies.',
      default: 300,
    }),
  })
  .describe('Settings of the `genesys-schedule-update` writer; every one optional.');

const connectionFields = {
  region: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a host name like mypurecloud.com')
    .optional()
    .describe(
      'Region host of the organisation, such as `mypurecloud.com`, `mypurecloud.ie`, `mypurecloud.de` or ' +
        '`usw2.pure.cloud`: the API is then `https://api.{region}` and the login `https://login.{region}`. A tenant ' +
        'needs a `region`, or both `apiBaseUrl` and `loginUrl` (in its entry or in `defaults`).',
    ),
  apiBaseUrl: url.optional().describe('API base URL (http or https); overrides the region’s.'),
  loginUrl: url
    .optional()
    .describe('OAuth base URL (http or https; `/oauth/token` is appended); overrides the region’s.'),
  writer: writerSchema.optional().meta({
    description:
      'How assignments are written. `put`: one PUT per batch to `pathTemplate`, for APIs shaped like ' +
      '`PUT /api/v2/wfm/schedules/{scheduleId}/assignments`. `genesys-schedule-update`: Genesys Cloud’s ' +
      'asynchronous schedule update (upload URL, gzip upload, update, completion on the notification topic), a ' +
      'batch becoming one update of its schedule; real Genesys Cloud organisations take this one.',
    default: DEFAULT_WRITER,
  }),
  genesys: genesysFieldsSchema.optional(),
  pathTemplate: z.string().startsWith('/').includes('{scheduleId}').optional().meta({
    description: 'Path of the `put` writer’s PUT: starts with `/`, and `{scheduleId}` is replaced.',
    default: DEFAULT_PATH_TEMPLATE,
  }),
  listField: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Name of the list in the PUT body (`{ "assignments": [...] }`).', default: 'assignments' }),
  fieldNames: z
    .record(z.string(), z.string().min(1))
    .optional()
    .meta({ description: 'Renames assignment fields in the PUT body, e.g. `{ "userId": "agentId" }`.', default: {} }),
  concurrency: tenantLimitsSchema.shape.concurrency.optional().meta({
    description:
      'Most PUTs (or schedule updates) of the tenant in flight at once, across all worker processes and jobs; ' +
      '`wfm-bulk limits` changes it while a job runs.',
    default: DEFAULT_CONCURRENCY,
  }),
  ratePerSecond: tenantLimitsSchema.shape.ratePerSecond.describe(
    'Most requests per second for the tenant. Absent: learned from the 429s alone. Set it (and `burst`) for ' +
      'tenants whose limits you know, above all very low ones.',
  ),
  burst: tenantLimitsSchema.shape.burst.describe(
    'Requests that may go at once above the rate (the API’s bucket size). Absent: one second’s worth of the rate.',
  ),
};

const tenantEntrySchema = z
  .object({
    id: tenantIdSchema.describe(
      'Tenant id: 1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit, unique in the file. It ' +
        'becomes part of task queue and workflow ids, and input rows name their tenant by it.',
    ),
    clientId: z
      .string()
      .min(1)
      .describe(
        'OAuth client id of the partner app in that organisation, for the client-credentials grant (not a secret).',
      ),
    clientSecretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional()
      .describe(
        'Environment variable of the worker processes holding the client secret. Give exactly one of ' +
          '`clientSecretEnv` and `clientSecretFile`. A secret changed here takes a restart of the worker.',
      ),
    clientSecretFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File holding the client secret (e.g. a mounted secret; a trailing newline is ignored). It is read again at ' +
          'each login, so a rotated secret is picked up without a restart.',
      ),
    ...connectionFields,
  })
  .strict()
  .refine((t) => (t.clientSecretEnv === undefined) !== (t.clientSecretFile === undefined), {
    message: 'give exactly one of clientSecretEnv or clientSecretFile',
    path: ['clientSecretEnv'],
  })
  .describe(
    'One organisation with the partner app’s OAuth client there: how to reach it (`region`, or `apiBaseUrl` and ' +
      '`loginUrl`), the client id, where the worker finds the secret, the writer and the limits.',
  );

export const tenantsFileSchema = z
  .object({
    defaults: z
      .object(connectionFields)
      .strict()
      .optional()
      .describe(
        'Values for every tenant: any per-tenant field but `id`, `clientId` and the secret; a tenant’s own value wins.',
      ),
    tenants: z
      .array(tenantEntrySchema)
      .min(1, 'must list at least one tenant')
      .describe('The organisations, at least one.'),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.tenants.forEach((tenant, index) => {
      if (seen.has(tenant.id))
        ctx.addIssue({ code: 'custom', path: ['tenants', index, 'id'], message: `duplicate tenant id "${tenant.id}"` });
      seen.add(tenant.id);
      const merged = { ...file.defaults, ...tenant };
      if (!merged.region && !(merged.apiBaseUrl && merged.loginUrl)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', index],
          message: 'needs a region, or both apiBaseUrl and loginUrl (here or in defaults)',
        });
      }
    });
  })
  .describe(
    'The tenants file: JSON, one entry per customer organisation. The client reads it to check input and to know ' +
      'each tenant’s limits; the worker to reach the tenants. Secrets are never in the file, only where the worker ' +
      'finds them. A bad file is refused with the file and each bad field named.',
  );
export type TenantsFile = z.infer<typeof tenantsFileSchema>;

/** A tenant with defaults applied and URLs resolved; still no secret, only where to find it. */
export interface TenantSettings {
  id: string;
  clientId: string;
  secretSource: { env: string } | { file: string };
  apiBaseUrl: string;
  loginUrl: string;
  pathTemplate: string;
  listField: string;
  fieldNames: Record<string, string>;
  writer: Writer;
  genesys: GenesysSettings;
  limits: TenantLimits;
}

/** Applies defaults and resolves regions; the file must have passed `tenantsFileSchema`. */
export function resolveTenants(file: TenantsFile): Map<string, TenantSettings> {
  const resolved = new Map<string, TenantSettings>();
  for (const tenant of file.tenants) {
    const merged = { ...file.defaults, ...tenant };
    const { ratePerSecond, burst } = merged;
    resolved.set(tenant.id, {
      id: tenant.id,
      clientId: tenant.clientId,
      secretSource: tenant.clientSecretEnv ? { env: tenant.clientSecretEnv } : { file: tenant.clientSecretFile! },
      apiBaseUrl: stripSlash(merged.apiBaseUrl ?? `https://api.${merged.region}`),
      loginUrl: stripSlash(merged.loginUrl ?? `https://login.${merged.region}`),
      pathTemplate: merged.pathTemplate ?? DEFAULT_PATH_TEMPLATE,
      listField: merged.listField ?? 'assignments',
      fieldNames: merged.fieldNames ?? {},
      writer: merged.writer ?? DEFAULT_WRITER,
      genesys: resolveGenesysSettings(merged.genesys),
      limits: {
        concurrency: merged.concurrency ?? DEFAULT_CONCURRENCY,
        ...(ratePerSecond !== undefined && { ratePerSecond }),
        ...(burst !== undefined && { burst }),
      },
    });
  }
  return resolved;
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

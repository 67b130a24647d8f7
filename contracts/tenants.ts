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

const connectionFields = {
  /** Region host such as `mypurecloud.com`: API at `https://api.{region}`, login at `https://login.{region}`. */
  region: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be a host name like mypurecloud.com')
    .optional(),
  /** API base URL; overrides the region's. */
  apiBaseUrl: url.optional(),
  /** OAuth base URL (`/oauth/token` is appended); overrides the region's. */
  loginUrl: url.optional(),
  /** How assignments are written (`contracts/writers.ts`); default `put`. */
  writer: writerSchema.optional(),
  /** Settings of the `genesys-schedule-update` writer. */
  genesys: genesysSettingsSchema.optional(),
  /** PUT path; `{scheduleId}` is replaced. */
  pathTemplate: z.string().startsWith('/').includes('{scheduleId}').optional(),
  /** Name of the list in the PUT body (`{ "assignments": [...] }`). */
  listField: z.string().min(1).optional(),
  /** Renames assignment fields in the PUT body, e.g. `{ "userId": "agentId" }`. */
  fieldNames: z.record(z.string(), z.string().min(1)).optional(),
  concurrency: tenantLimitsSchema.shape.concurrency.optional(),
  ratePerSecond: tenantLimitsSchema.shape.ratePerSecond,
  burst: tenantLimitsSchema.shape.burst,
};

const tenantEntrySchema = z
  .object({
    id: tenantIdSchema,
    /** OAuth client id of the tenant's client-credentials grant (not a secret). */
    clientId: z.string().min(1),
    /** Environment variable holding the client secret. */
    clientSecretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    /** File holding the client secret (trailing newline ignored). */
    clientSecretFile: z.string().min(1).optional(),
    ...connectionFields,
  })
  .strict()
  .refine((t) => (t.clientSecretEnv === undefined) !== (t.clientSecretFile === undefined), {
    message: 'give exactly one of clientSecretEnv or clientSecretFile',
    path: ['clientSecretEnv'],
  });

export const tenantsFileSchema = z
  .object({
    defaults: z.object(connectionFields).strict().optional(),
    tenants: z.array(tenantEntrySchema).min(1, 'must list at least one tenant'),
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
  });
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

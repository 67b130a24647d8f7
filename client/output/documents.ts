/**
 * What `wfm-bulk -o json` prints, defined once: every command writes JSON Lines, one document a line, each with
 * its `kind` and the `version` of these shapes (bumped only for a change a script could trip on; fields may be
 * added within a version). Absent values are `null`, never missing, so a script can count on every key.
 * docs/cli-json.md describes each shape; the end-to-end tests parse the CLI's output with these schemas.
 */
import { z } from 'zod';

export const OUTPUT_VERSION = 1;

const header = <K extends string>(kind: K) => ({ kind: z.literal(kind), version: z.literal(OUTPUT_VERSION) });
const isoTime = z.iso.datetime();

const limitsSchema = z.strictObject({
  concurrency: z.number().int(),
  ratePerSecond: z.number().nullable(),
  burst: z.number().int().nullable(),
});

const reasonSchema = z.strictObject({ status: z.number().int().nullable(), code: z.string(), message: z.string() });

const linksSchema = z.strictObject({ job: z.string(), tenants: z.string() }).nullable();

const optionsSchema = z.strictObject({
  batchSize: z.number().int(),
  maxAttempts: z.number().int(),
  throttleBudgetMs: z.number().int(),
  requestTimeoutMs: z.number().int(),
  maxActiveTenants: z.number().int(),
});

const pacingSchema = z.strictObject({
  mode: z.enum(['learning', 'learned', 'configured']),
  ratePerSecond: z.number().nullable(),
  estimatedPerSecond: z.number().nullable(),
  burst: z.number(),
  cooldownUntil: isoTime.nullable(),
});

export const tenantDocumentSchema = z.strictObject({
  tenantId: z.string(),
  status: z.string(),
  total: z.number().int(),
  applied: z.number().int(),
  failed: z.number().int(),
  inFlight: z.number().int(),
  throttled: z.number().int(),
  cooldownUntil: isoTime.nullable(),
  limits: limitsSchema.nullable(),
  stopReason: reasonSchema.nullable(),
  pacing: pacingSchema.nullable(),
  worker: z.string().nullable(),
});

/** `status`, each line of `watch`, and the lines after `started` of `start`/`retry` while they follow the job. */
export const jobDocumentSchema = z.strictObject({
  ...header('job'),
  jobId: z.string(),
  execution: z.string(),
  status: z.enum(['running', 'paused', 'completed', 'completed-with-failures', 'failed', 'cancelled', 'unknown']),
  paused: z.boolean(),
  cancelRequested: z.boolean(),
  total: z.number().int(),
  applied: z.number().int(),
  failed: z.number().int(),
  startTime: isoTime,
  closeTime: isoTime.nullable(),
  stale: z.string().nullable(),
  links: linksSchema,
  tenants: z.array(tenantDocumentSchema),
});

export const planSchema = z.strictObject({
  file: z.string(),
  format: z.enum(['csv', 'json', 'ndjson']),
  rows: z.number().int(),
  options: optionsSchema,
  tenants: z.array(
    z.strictObject({
      tenantId: z.string(),
      total: z.number().int(),
      schedules: z.number().int(),
      batches: z.number().int(),
      limits: limitsSchema,
    }),
  ),
});

/** `start --dry-run` and `retry --dry-run`: the plan, nothing started. */
export const planDocumentSchema = z.strictObject({
  ...header('plan'),
  retryOf: z.string().nullable(),
  plan: planSchema,
});

/** `start` and `retry`: the job was started (first line; `job` lines follow unless `detached`). */
export const startedDocumentSchema = z.strictObject({
  ...header('started'),
  jobId: z.string(),
  retryOf: z.string().nullable(),
  detached: z.boolean(),
  links: linksSchema,
  plan: planSchema,
});

/** `retry` of a job without failed assignments. */
export const nothingToRetryDocumentSchema = z.strictObject({ ...header('nothing-to-retry'), retryOf: z.string() });

/** `list`. */
export const jobsDocumentSchema = z.strictObject({
  ...header('jobs'),
  jobs: z.array(
    z.strictObject({
      jobId: z.string(),
      status: z.string(),
      total: z.number().int().nullable(),
      applied: z.number().int().nullable(),
      failed: z.number().int().nullable(),
      startTime: isoTime.nullable(),
      /** The input file's name; `"(encrypted)"` when this client has no key for the job's memo. */
      file: z.string().nullable(),
    }),
  ),
});

/** `report` (not with `--out -`, where the report itself is the output). */
export const reportDocumentSchema = z.strictObject({
  ...header('report'),
  jobId: z.string(),
  failed: z.number().int(),
  format: z.enum(['csv', 'json', 'ndjson']),
  out: z.string(),
});

/** `pause`, `resume`, `cancel`, `limits`: the signal was delivered to the running job. */
export const signalDocumentSchema = z.strictObject({
  ...header('signal'),
  signal: z.enum(['pause', 'resume', 'cancel', 'limits']),
  jobId: z.string(),
  reason: z.string().nullable(),
  tenantId: z.string().nullable(),
  concurrency: z.number().int().nullable(),
  ratePerSecond: z.number().nullable(),
});

const blobCountSchema = z.strictObject({ blobs: z.number().int(), bytes: z.number().int() });

/** `gc`: what was deleted (or would be, with `dryRun`), job by job, and what was kept. */
export const gcDocumentSchema = z.strictObject({
  ...header('gc'),
  store: z.string(),
  cutoff: isoTime,
  dryRun: z.boolean(),
  deleted: blobCountSchema,
  kept: blobCountSchema,
  /** Blobs stored before keys were scoped to a job: never collected, counted so an operator can see them. */
  legacy: blobCountSchema,
  jobs: z.array(
    z.strictObject({
      jobId: z.string(),
      state: z.enum(['running', 'closed', 'unknown']),
      closedAt: isoTime.nullable(),
      deletedBlobs: z.number().int(),
      keptBlobs: z.number().int(),
      why: z.string(),
    }),
  ),
});

/** `tenants`: each tenant whose lease runs now, the process holding it, the jobs writing to it and its pace. */
export const tenantsDocumentSchema = z.strictObject({
  ...header('tenants'),
  tenants: z.array(
    z.strictObject({
      tenantId: z.string(),
      /** `holding`, `waiting-for-worker`, `idle` (no job; the lease ends soon), `unknown` (no worker answered). */
      status: z.string(),
      holder: z
        .strictObject({ worker: z.string(), epoch: z.number().int(), since: isoTime, taskQueue: z.string() })
        .nullable(),
      jobs: z.array(
        z.strictObject({ jobId: z.string(), workflowId: z.string(), share: z.number().int(), active: z.boolean() }),
      ),
      limits: limitsSchema.nullable(),
      /** The holder's pace as of `pacingAt` (its last renewal of the lease). */
      pacing: pacingSchema.nullable(),
      pacingAt: isoTime.nullable(),
      /** The end of the Retry-After window open now, if one is. */
      retryAfterUntil: isoTime.nullable(),
      stale: z.string().nullable(),
    }),
  ),
});

export const cliDocumentSchema = z.discriminatedUnion('kind', [
  jobDocumentSchema,
  planDocumentSchema,
  startedDocumentSchema,
  nothingToRetryDocumentSchema,
  jobsDocumentSchema,
  reportDocumentSchema,
  signalDocumentSchema,
  gcDocumentSchema,
  tenantsDocumentSchema,
]);

export type TenantDocument = z.infer<typeof tenantDocumentSchema>;
export type JobDocument = z.infer<typeof jobDocumentSchema>;
export type Plan = z.infer<typeof planSchema>;
export type PlanDocument = z.infer<typeof planDocumentSchema>;
export type StartedDocument = z.infer<typeof startedDocumentSchema>;
export type NothingToRetryDocument = z.infer<typeof nothingToRetryDocumentSchema>;
export type JobsDocument = z.infer<typeof jobsDocumentSchema>;
export type ReportDocument = z.infer<typeof reportDocumentSchema>;
export type SignalDocument = z.infer<typeof signalDocumentSchema>;
export type GcDocument = z.infer<typeof gcDocumentSchema>;
export type TenantsDocument = z.infer<typeof tenantsDocumentSchema>;
export type CliDocument = z.infer<typeof cliDocumentSchema>;

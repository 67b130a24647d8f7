/**
 * What `wfm-bulk -o json` prints, defined once: every command writes JSON Lines, one document a line, each with
 * its `kind` and the `version` of these shapes (bumped only for a change a script could trip on; fields may be
 * added within a version). Absent values are `null`, never missing, so a script can count on every key.
 * docs/reference/cli-json.md describes each shape; the end-to-end tests parse the CLI's output with these schemas.
 */
import { z } from 'zod';

export const OUTPUT_VERSION = 1;

const header = <K extends string>(kind: K) => ({
  kind: z.literal(kind).describe('Which document this is.'),
  version: z
    .literal(OUTPUT_VERSION)
    .describe('Version of the shapes; changes only for a change a script could trip on (new fields may appear).'),
});
/** Times are ISO 8601 strings in UTC (`2026-12-02T03:15:19.123Z`). */
const isoTime = z.iso.datetime();

const limitsSchema = z
  .strictObject({
    concurrency: z.number().int().describe('PUTs of the tenant in flight at once.'),
    ratePerSecond: z.number().nullable().describe('Rate cap per second; `null` when not set (learned from 429s).'),
    burst: z.number().int().nullable().describe('Requests that may go at once above the rate; `null` when not set.'),
  })
  .describe('A tenant’s limits.');

const reasonSchema = z
  .strictObject({
    status: z.number().int().nullable().describe('The API’s HTTP status, or `null`.'),
    code: z.string().describe('Failure code, e.g. `missing-scope`, `credentials-refused`.'),
    message: z.string().describe('The message, with the API’s words where it gave any.'),
  })
  .describe('Why a tenant stopped early.');

const linksSchema = z
  .strictObject({
    job: z.string().describe('Web UI page of the job workflow.'),
    tenants: z.string().describe('Web UI list of the job’s tenant workflows.'),
  })
  .nullable()
  .describe('Web UI pages of the job; `null` when the Web UI’s address is not known (set `WFM_UI_URL`).');

const optionsSchema = z
  .strictObject({
    batchSize: z.number().int().describe('Assignments per PUT (per schedule update for the Genesys writer).'),
    maxAttempts: z.number().int().describe('Attempts per batch for faults; 429s spend none.'),
    throttleBudgetMs: z.number().int().describe('Longest a batch may go on being throttled before it fails, in ms.'),
    requestTimeoutMs: z.number().int().describe('HTTP timeout per request, in ms.'),
    maxActiveTenants: z.number().int().describe('Tenants of the job running at once.'),
  })
  .describe('The job’s options.');

const pacingSchema = z
  .strictObject({
    mode: z
      .enum(['learning', 'learned', 'configured'])
      .describe(
        '`learning` until two 429s have measured the API’s refill, then `learned`; `configured` with a set rate.',
      ),
    ratePerSecond: z.number().nullable().describe('Requests per second planned now; `null` while learning (unpaced).'),
    estimatedPerSecond: z
      .number()
      .nullable()
      .describe('The API’s refill rate as last measured between two 429s; `null` when not measured.'),
    burst: z.number().describe('Requests that may go at once after a pause.'),
    cooldownUntil: isoTime.nullable().describe('The end of the open Retry-After window, or `null`.'),
  })
  .describe('The pacer of the process serving the tenant.');

export const tenantDocumentSchema = z
  .strictObject({
    tenantId: z.string().describe('The tenant’s id.'),
    status: z
      .string()
      .describe(
        '`waiting` (no progress read yet), `queued`, `waiting-for-worker`, `running`, `paused`, `cooling-down`, ' +
          '`stopping`, `completed`, `completed-with-failures`, `failed`, `cancelled`.',
      ),
    total: z.number().int().describe('Assignments of the tenant in the job.'),
    applied: z.number().int().describe('Assignments applied so far.'),
    failed: z.number().int().describe('Assignments failed so far.'),
    inFlight: z.number().int().describe('PUTs in flight now.'),
    throttled: z.number().int().describe('429s received so far.'),
    cooldownUntil: isoTime.nullable().describe('End of the current Retry-After window, or `null`.'),
    limits: limitsSchema.nullable().describe('The tenant’s limits as the job has them now; `null` when not known.'),
    stopReason: reasonSchema
      .nullable()
      .describe('Why the tenant stopped early (the API’s HTTP `status`, its `code` and `message`); else `null`.'),
    pacing: pacingSchema.nullable().describe('The serving process’s pacer; `null` when not known.'),
    worker: z.string().nullable().describe('Identity of the worker process serving the tenant now, or `null`.'),
  })
  .describe('One tenant of a job.');

export const jobDocumentSchema = z
  .strictObject({
    ...header('job'),
    jobId: z.string().describe('The job’s id.'),
    execution: z
      .string()
      .describe(
        'Temporal’s status of the job workflow: `RUNNING`, `COMPLETED`, `FAILED`, `TERMINATED`, `TIMED_OUT`, …',
      ),
    status: z
      .enum(['running', 'paused', 'completed', 'completed-with-failures', 'failed', 'cancelled', 'unknown'])
      .describe('The job’s status; `unknown`: its state could not be read (see `stale`).'),
    paused: z.boolean().describe('The job is paused.'),
    cancelRequested: z.boolean().describe('A `cancel` was sent and the job is winding down (or was cancelled).'),
    total: z.number().int().describe('Assignments of the job; `total - applied - failed` are still to do.'),
    applied: z.number().int().describe('Assignments applied.'),
    failed: z.number().int().describe('Assignments failed.'),
    startTime: isoTime.describe('When the job started.'),
    closeTime: isoTime.nullable().describe('When the job closed; `null` while it runs.'),
    stale: z
      .string()
      .nullable()
      .describe('`null`, or why the figures could not be read now (no worker answered the progress query).'),
    links: linksSchema,
    tenants: z.array(tenantDocumentSchema).describe('One per tenant of the job, in the job’s order.'),
  })
  .describe(
    'A job’s state: `status`, each line of `watch`, and the lines after `started` of `start`/`retry` while they follow the job.',
  );

export const planSchema = z
  .strictObject({
    file: z.string().describe('The input’s file name (for `retry`, a name derived from the original’s).'),
    format: z.enum(['csv', 'json', 'ndjson']).describe('The input’s format.'),
    rows: z.number().int().describe('Rows of the input.'),
    options: optionsSchema,
    tenants: z
      .array(
        z.strictObject({
          tenantId: z.string().describe('The tenant’s id.'),
          total: z.number().int().describe('Assignments of the tenant.'),
          schedules: z.number().int().describe('Schedules they go to.'),
          batches: z.number().int().describe('PUTs (or schedule updates) they take.'),
          limits: limitsSchema,
        }),
      )
      .describe('One per tenant of the input.'),
  })
  .describe('What the job is (or would be) given.');

export const planDocumentSchema = z
  .strictObject({
    ...header('plan'),
    retryOf: z.string().nullable().describe('The retried job’s id for `retry`, else `null`.'),
    plan: planSchema,
  })
  .describe('`start --dry-run` and `retry --dry-run`: the plan; nothing was started.');

export const previewDocumentSchema = z
  .strictObject({
    ...header('preview'),
    jobId: z
      .string()
      .nullable()
      .describe(
        'The plan job that read the Genesys tenants’ schedules (`plan-…` unless `--job-id`; `wfm-bulk report` reads ' +
          'it too); `null` when the input has no such tenant: PUT tenants’ rows are classed without a job.',
      ),
    tenants: z
      .array(
        z.strictObject({
          tenantId: z.string().describe('The tenant’s id.'),
          writer: z.enum(['put', 'genesys-schedule-update']).describe('The tenant’s writer, from the tenants file.'),
          classes: z
            .record(z.string(), z.number().int())
            .describe('Rows of the tenant per class, e.g. `{ "would-add": 40, "overlaps-existing-shift": 1 }`.'),
        }),
      )
      .describe('One per tenant of the input, in the order the input first names them.'),
    rows: z
      .array(
        z.strictObject({
          line: z.number().int().describe('The row’s line in the input file.'),
          tenantId: z.string().describe('The row’s tenant.'),
          id: z.string().describe('The row’s assignment id.'),
          class: z
            .string()
            .describe(
              'What a job would do with the row: `would-add`, `already-present`, `would-put` (it would land), or why ' +
                'it would fail: `overlaps-existing-shift`, `unknown-activity-code`, `outside-schedule`, ' +
                '`agent-not-in-business-unit`, `not-whole-minutes`, or the platform’s own code.',
            ),
          message: z.string().describe('The class in words: the schedule, the version read, the platform’s message.'),
        }),
      )
      .describe('Every row of the input, in line order.'),
  })
  .describe(
    '`plan`: what a job of the input would do with each row (exit 1 when some would not land); nothing was written.',
  );

export const startedDocumentSchema = z
  .strictObject({
    ...header('started'),
    jobId: z.string().describe('The new job’s id.'),
    retryOf: z.string().nullable().describe('The retried job’s id for `retry`, else `null`.'),
    detached: z.boolean().describe('`--detach` was given; with `false`, `job` lines follow until the job closes.'),
    links: linksSchema,
    plan: planSchema,
  })
  .describe('`start` and `retry`: the job was started (the first line; `job` lines follow unless `detached`).');

export const nothingToRetryDocumentSchema = z
  .strictObject({ ...header('nothing-to-retry'), retryOf: z.string().describe('The job asked to retry.') })
  .describe('`retry` of a job without failed assignments (exit 0).');

export const jobsDocumentSchema = z
  .strictObject({
    ...header('jobs'),
    jobs: z
      .array(
        z.strictObject({
          jobId: z.string().describe('The job’s id.'),
          status: z
            .string()
            .describe(
              'The job’s search attribute (`running`, `completed`, `completed-with-failures`, `failed`, ' +
                '`cancelled`), or Temporal’s execution status in lower case for a job that closed without setting ' +
                'it (`terminated`, `timed_out`).',
            ),
          total: z.number().int().nullable().describe('Assignments of the job; `null` where not recorded.'),
          applied: z.number().int().nullable().describe('Assignments applied; `null` where not recorded.'),
          failed: z.number().int().nullable().describe('Assignments failed; `null` where not recorded.'),
          startTime: isoTime.nullable().describe('When the job started.'),
          file: z
            .string()
            .nullable()
            .describe('The input file’s name; `"(encrypted)"` when this client has no key for the job’s memo.'),
        }),
      )
      .describe('Newest first, from Temporal visibility (which lags a second or so behind).'),
  })
  .describe('`list`: recent jobs.');

export const reportDocumentSchema = z
  .strictObject({
    ...header('report'),
    jobId: z.string().describe('The job reported on.'),
    failed: z.number().int().describe('Failed assignments written.'),
    format: z.enum(['csv', 'json', 'ndjson']).describe('The report’s format.'),
    out: z.string().describe('Where the report was written (`--out`).'),
  })
  .describe('`report` (not with `--out -`, where the report itself is the output).');

export const signalDocumentSchema = z
  .strictObject({
    ...header('signal'),
    signal: z.enum(['pause', 'resume', 'cancel', 'limits']).describe('The command’s signal.'),
    jobId: z.string().describe('The job signalled.'),
    reason: z.string().nullable().describe('`cancel --reason`; else `null`.'),
    tenantId: z.string().nullable().describe('`limits`’s tenant; else `null`.'),
    concurrency: z.number().int().nullable().describe('`limits --concurrency`; `null` when not given.'),
    ratePerSecond: z.number().nullable().describe('`limits --rate`; `null` when not given.'),
  })
  .describe(
    '`pause`, `resume`, `cancel`, `limits`: the signal was delivered to the running job, which applies it at once.',
  );

const blobCountSchema = z.strictObject({
  blobs: z.number().int().describe('Blobs.'),
  bytes: z.number().int().describe('Their bytes.'),
});

export const gcDocumentSchema = z
  .strictObject({
    ...header('gc'),
    store: z.string().describe('The claim-check store.'),
    cutoff: isoTime.describe('Now minus `--older-than`: jobs closed before it are collected.'),
    dryRun: z.boolean().describe('`--dry-run`: nothing was deleted, `deleted` is what would be.'),
    deleted: blobCountSchema.describe('Blobs deleted (or that would be).'),
    kept: blobCountSchema.describe('Blobs kept.'),
    legacy: blobCountSchema.describe(
      'Blobs stored before keys were scoped to a job: never collected, counted so an operator can see them.',
    ),
    jobs: z
      .array(
        z.strictObject({
          jobId: z.string().describe('The job’s id.'),
          state: z
            .enum(['running', 'closed', 'unknown'])
            .describe('Its state in Temporal; `unknown`: never started, or past the namespace’s retention.'),
          closedAt: isoTime.nullable().describe('When a `closed` job closed; else `null`.'),
          deletedBlobs: z.number().int().describe('Its blobs deleted (or that would be).'),
          keptBlobs: z.number().int().describe('Its blobs kept.'),
          why: z.string().describe('Why its blobs were deleted or kept: the job’s state and the time that decided.'),
        }),
      )
      .describe('Each job with blobs in the store.'),
  })
  .describe('`gc`: what was deleted (or would be, with `dryRun`), job by job, and what was kept.');

export const tenantsDocumentSchema = z
  .strictObject({
    ...header('tenants'),
    tenants: z
      .array(
        z.strictObject({
          tenantId: z.string().describe('The tenant’s id.'),
          status: z
            .string()
            .describe(
              'The lease’s: `holding`, `waiting-for-worker` (no process holds it: starting, between two holders, ' +
                'or a login still failing), `idle` (no job any more; the lease ends soon), `unknown` (no worker ' +
                'answered the lease’s query: `stale` says why and only `pacing` may be filled).',
            ),
          holder: z
            .strictObject({
              worker: z.string().describe('Identity of the worker process holding the lease.'),
              epoch: z.number().int().describe('Grows with each new holder.'),
              since: isoTime.describe('Since when it holds the lease.'),
              taskQueue: z.string().describe('The tenant’s task queue in that process.'),
            })
            .nullable()
            .describe('The process holding the lease, or `null`.'),
          jobs: z
            .array(
              z.strictObject({
                jobId: z.string().describe('The job’s id.'),
                workflowId: z.string().describe('Its tenant workflow’s id.'),
                share: z.number().int().describe('Its share of the tenant’s concurrency.'),
                active: z.boolean().describe('`false` while the job is paused.'),
              }),
            )
            .describe('The jobs writing to the tenant.'),
          limits: limitsSchema.nullable().describe('The tenant’s limits; `null` when not known.'),
          pacing: pacingSchema
            .nullable()
            .describe('The holder’s pace as of `pacingAt` (its last renewal of the lease, every 2 s by default).'),
          pacingAt: isoTime.nullable().describe('When `pacing` was taken.'),
          retryAfterUntil: isoTime.nullable().describe('The end of the Retry-After window open now, if one is.'),
          stale: z.string().nullable().describe('`null`, or why the lease could not be read.'),
        }),
      )
      .describe('One per tenant whose lease runs now (a job writes to it, or did in the last seconds), by tenant id.'),
  })
  .describe(
    '`tenants`: each tenant whose lease runs now, the process holding it, the jobs writing to it and its pace.',
  );

export const cliDocumentSchema = z.discriminatedUnion('kind', [
  jobDocumentSchema,
  planDocumentSchema,
  previewDocumentSchema,
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
export type PreviewDocument = z.infer<typeof previewDocumentSchema>;
export type StartedDocument = z.infer<typeof startedDocumentSchema>;
export type NothingToRetryDocument = z.infer<typeof nothingToRetryDocumentSchema>;
export type JobsDocument = z.infer<typeof jobsDocumentSchema>;
export type ReportDocument = z.infer<typeof reportDocumentSchema>;
export type SignalDocument = z.infer<typeof signalDocumentSchema>;
export type GcDocument = z.infer<typeof gcDocumentSchema>;
export type TenantsDocument = z.infer<typeof tenantsDocumentSchema>;
export type CliDocument = z.infer<typeof cliDocumentSchema>;

/**
 * A job as the user sees it: the job workflow's state plus each tenant's, read by query while it runs and from
 * the results once done. The job workflow holds no per-tenant progress (that would grow its history), so the
 * client asks each tenant workflow directly; their ids follow from the job id.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FailureReason } from '../../contracts/failures';
import type { JobInput, JobProgress, JobResult } from '../../contracts/job';
import type { PacingView } from '../../contracts/pacing';
import type { TenantProgress, TenantStatus } from '../../contracts/tenant';
import { jobProgressQuery, tenantProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import type { TenantLimits } from '../../contracts/tenants';
import type { bulkJob } from '../../workflows';
import { CliError } from '../errors';
import { jobStatusOf, summaryOf } from '../../workflows/outcome';
import { tenantOutcome } from './outcome';
import { decodePayload } from './payloads';

export interface TenantView {
  tenantId: string;
  status: TenantStatus | 'waiting';
  total: number;
  applied: number;
  failed: number;
  inFlight: number;
  throttled: number;
  cooldownUntil?: number;
  limits?: TenantLimits;
  stopReason?: FailureReason;
  pacing?: PacingView;
  /** The worker process serving the tenant now. */
  worker?: string;
}

export interface JobView {
  jobId: string;
  /** Temporal's execution status of the job workflow: RUNNING, COMPLETED, FAILED, TERMINATED, … */
  execution: string;
  status: JobResult['status'] | 'paused' | 'unknown';
  paused: boolean;
  cancelRequested: boolean;
  total: number;
  applied: number;
  failed: number;
  startTime: Date;
  closeTime?: Date;
  tenants: TenantView[];
  /** Set when no worker answered the progress queries in time: the figures may be stale. */
  stale?: string;
}

/** How long a progress query may take; queries need a live worker, and a watch must not hang on a dead one. */
const QUERY_DEADLINE_MS = 5_000;

export async function fetchJobView(client: Client, jobId: string): Promise<JobView> {
  const handle = client.workflow.getHandle<typeof bulkJob>(jobId);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new CliError(`no job ${jobId} in this namespace`);
    throw error;
  }
  if (description.type !== 'bulkJob') throw new CliError(`${jobId} is a ${description.type} workflow, not a job`);
  const base = {
    jobId,
    execution: description.status.name,
    startTime: description.startTime,
    ...(description.closeTime && { closeTime: description.closeTime }),
  };

  if (description.status.name === 'COMPLETED') {
    const result = await handle.result();
    return {
      ...base,
      status: result.status,
      paused: false,
      cancelRequested: result.status === 'cancelled',
      total: result.total,
      applied: result.applied,
      failed: result.failed,
      tenants: result.tenants.map((tenant) => ({ ...tenant, inFlight: 0 })),
    };
  }
  if (description.status.name !== 'RUNNING') return closedJobView(client, base, await jobInput(client, jobId));

  let progress: JobProgress;
  try {
    progress = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(jobProgressQuery));
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return unknownView(
      base,
      await jobInput(client, jobId),
      `no worker answered (${reason}); is \`npm run worker\` running?`,
    );
  }
  const tenants = await Promise.all(
    progress.tenants.map(async (tenant): Promise<TenantView> => {
      if (tenant.done) return { ...tenant.done, inFlight: 0, limits: tenant.limits };
      // Not started yet: no tenant workflow to ask.
      if (tenant.queued)
        return { ...waitingTenant(tenant.tenantId, tenant.total), status: 'queued', limits: tenant.limits };
      const live = await tenantProgress(client, tenantWorkflowId(jobId, tenant.tenantId));
      return live ?? { ...waitingTenant(tenant.tenantId, tenant.total), limits: tenant.limits };
    }),
  );
  return {
    ...base,
    status: progress.paused ? 'paused' : progress.status,
    paused: progress.paused,
    cancelRequested: progress.cancelRequested,
    total: progress.total,
    applied: tenants.reduce((sum, t) => sum + t.applied, 0),
    failed: tenants.reduce((sum, t) => sum + t.failed, 0),
    tenants,
  };
}

/**
 * A job that ended without a result (terminated, timed out): each tenant's own outcome, so the view still
 * accounts for every assignment. Tenants the job had started were asked to stop when it closed.
 */
async function closedJobView(
  client: Client,
  base: Pick<JobView, 'jobId' | 'execution' | 'startTime' | 'closeTime'>,
  input: JobInput,
): Promise<JobView> {
  const summaries = await Promise.all(
    input.tenants.map(async (plan) =>
      summaryOf(await tenantOutcome(client, base.jobId, plan, notStartedReason(base, undefined))),
    ),
  );
  const tenants = summaries.map((summary, i): TenantView => ({
    ...summary,
    inFlight: 0,
    limits: input.tenants[i]!.limits,
  }));
  return {
    ...base,
    // Its tenants stop as on a cancel (their parent-close policy); one that stopped on its own counts as failures.
    status: jobStatusOf(
      summaries,
      summaries.some((t) => t.status === 'cancelled'),
    ),
    paused: false,
    cancelRequested: false,
    total: input.tenants.reduce((sum, tenant) => sum + tenant.total, 0),
    applied: tenants.reduce((sum, t) => sum + t.applied, 0),
    failed: tenants.reduce((sum, t) => sum + t.failed, 0),
    tenants,
  };
}

/** Why a tenant without a workflow never started: what its job said, else how the job ended. */
export function notStartedReason(
  job: Pick<JobView, 'execution'>,
  summary: Pick<TenantView, 'stopReason'> | undefined,
): FailureReason {
  return (
    summary?.stopReason ?? {
      code: 'tenant-not-started',
      message: `the job workflow was ${job.execution.toLowerCase().replace('_', ' ')} before the tenant started`,
    }
  );
}

/** A job whose state cannot be read now: its size from its input, nothing else, and why. */
function unknownView(
  base: Pick<JobView, 'jobId' | 'execution' | 'startTime' | 'closeTime'>,
  input: JobInput,
  stale: string,
): JobView {
  return {
    ...base,
    status: 'unknown',
    paused: false,
    cancelRequested: false,
    total: input.tenants.reduce((sum, tenant) => sum + tenant.total, 0),
    applied: 0,
    failed: 0,
    tenants: input.tenants.map((tenant) => waitingTenant(tenant.tenantId, tenant.total)),
    stale,
  };
}

function waitingTenant(tenantId: string, total: number): TenantView {
  return { tenantId, status: 'waiting', total, applied: 0, failed: 0, inFlight: 0, throttled: 0 };
}

async function tenantProgress(client: Client, workflowId: string): Promise<TenantProgress | undefined> {
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      client.workflow.getHandle(workflowId).query(tenantProgressQuery),
    );
  } catch {
    return undefined; // not started yet, or its worker is not answering: shown as waiting
  }
}

/** The job's own input, from the first event of its first run's history. */
export async function jobInput(client: Client, jobId: string): Promise<JobInput> {
  // The first run's input lists every tenant (a run continued as new lists only those still to start).
  const description = await client.workflow.getHandle(jobId).describe();
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
  const history = await client.workflow.getHandle(jobId, firstRunId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  // Through the client's data converter, codec included, as the worker read it.
  const input = await decodePayload<JobInput>(client, payloads?.[0]);
  if (!input?.tenants) throw new CliError(`cannot read the input of job ${jobId}`);
  return input;
}

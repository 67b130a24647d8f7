/**
 * Starting a job from validated rows and following it: shared by `start` and `retry`; `plan` starts its job here
 * too, and waits for it its own way.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { JobInput } from '../../contracts/job';
import type { JobOptions } from '../../contracts/job-options';
import type { TenantSettings } from '../../contracts/tenants';
import type { TemporalOverrides } from '../../config/temporal';
import { CliError, EXIT } from '../errors';
import type { ParsedInput } from '../input';
import { newJobId, planJob, prepareJob, type PrepareOptions } from '../jobs/prepare';
import { startJob } from '../jobs/start';
import { commandStoreIdentity, openCommandStore } from '../store';
import type { JobView } from '../jobs/view';
import { OUTPUT_VERSION } from '../output/documents';
import { emit, note, type OutputFormat } from '../output/emit';
import { planOf, type Links } from '../output/to-documents';
import { describePacing, watchJob } from '../progress';
import { connectClient, jobLinks } from '../temporal';

export interface RunJobOptions extends JobOptions {
  jobId?: string;
  /** Start under a job id whose job has closed (see `startJob`). */
  reuseJobId: boolean;
  detach: boolean;
  intervalMs: number;
  connection: TemporalOverrides;
  format: OutputFormat;
  /** The job whose failed assignments these are (`retry`). */
  retryOf?: string;
}

export async function runJob(
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  options: RunJobOptions,
): Promise<number> {
  const context = await connectClient(options.connection);
  try {
    const jobId = options.jobId ?? newJobId();
    const input = await storeAndStartJob(context.client, parsed, tenants, { ...options, jobId });
    const links = jobLinks(context, jobId);
    const plan = planOf(
      { file: input.source.fileName, format: input.source.format, rows: input.source.rows },
      input.options,
      planJob(parsed, tenants, input.options.batchSize),
    );
    emit(
      options.format,
      {
        kind: 'started',
        version: OUTPUT_VERSION,
        jobId,
        retryOf: options.retryOf ?? null,
        detached: options.detach,
        links: links ?? null,
        plan,
      },
      () => {
        console.log(`started job ${jobId}`);
        if (links) console.log(`Web UI: ${links.job}\n        ${links.tenants}`);
        if (options.detach) console.log(`follow it with: wfm-bulk watch ${jobId}`);
      },
    );
    if (options.detach) return EXIT.ok;
    return await follow(context.client, jobId, options.intervalMs, options.format, links);
  } finally {
    await context.close();
  }
}

/**
 * Stores the rows and starts their job under `options.jobId`, refusing an id taken (see `startJob`): the start
 * shared by `runJob` and `plan`, which follow the job each their own way.
 */
export async function storeAndStartJob(
  client: Client,
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  options: PrepareOptions & { reuseJobId: boolean },
): Promise<JobInput> {
  const { jobId, reuseJobId } = options;
  // Before anything is stored: an id already taken is the commonest mistake, and says more than the start's error.
  await refuseTakenJobId(client, jobId, reuseJobId);
  const store = openCommandStore();
  // Recorded with the job, so a worker with another store says so at once (activities/store-identity.ts).
  const storeId = await commandStoreIdentity(store);
  const input = await prepareJob(parsed, tenants, store, options);
  try {
    await startJob(client, input, { reuseJobId, storeId });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      throw new CliError(takenMessage(jobId, 'is in use by another job'));
    throw error;
  }
  return input;
}

/** Refuses a job id of a running job, and of a closed one unless `reuse` (see `startJob` for why). */
async function refuseTakenJobId(client: Client, jobId: string, reuse: boolean): Promise<void> {
  let status: string;
  try {
    status = (await client.workflow.getHandle(jobId).describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return;
    throw error;
  }
  if (status === 'RUNNING') throw new CliError(takenMessage(jobId, 'is in use by a running job'));
  if (!reuse) throw new CliError(takenMessage(jobId, `was used by a job that is ${status.toLowerCase()}`));
}

function takenMessage(jobId: string, how: string): string {
  return (
    `job id ${jobId} ${how}; choose another --job-id (or none, for a generated one). ` +
    '--reuse-job-id starts under the id of a closed job, after which status, report and retry see only the new job'
  );
}

/**
 * Watches until the job closes (exit code from its outcome) or Ctrl-C (130; the job goes on). In JSON, one `job`
 * document a refresh, the last the final state; in text, bars or lines, then the summary.
 */
export async function follow(
  client: Parameters<typeof watchJob>[0],
  jobId: string,
  intervalMs: number,
  format: OutputFormat,
  links: Links,
): Promise<number> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const view = await watchJob(client, jobId, {
      intervalMs,
      tty: Boolean(process.stdout.isTTY),
      out: process.stdout,
      signal: stop.signal,
      ...(format === 'json' && { json: { links } }),
    });
    if (view.execution === 'RUNNING') {
      note(format, `stopped watching; job ${jobId} goes on (wfm-bulk watch ${jobId} to follow it again)`);
      return EXIT.interrupted;
    }
    if (format === 'text') printSummary(view);
    return outcomeExitCode(view);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** 0 completed with everything applied; 1 closed otherwise (failures, failed, cancelled); 5 still running. */
export function outcomeExitCode(view: JobView): number {
  if (view.execution === 'RUNNING') return EXIT.running;
  return view.status === 'completed' ? EXIT.ok : EXIT.someFailed;
}

export function printSummary(view: JobView): void {
  console.log(`job ${view.jobId} ${view.status}: ${view.applied} applied, ${view.failed} failed of ${view.total}`);
  for (const tenant of view.tenants) {
    const reason = tenant.stopReason ? ` — ${tenant.stopReason.message}` : '';
    const pace = tenant.pacing ? `, ${describePacing(tenant.pacing)}` : '';
    console.log(
      `  ${tenant.tenantId}: ${tenant.status}, ${tenant.applied}/${tenant.total} applied, ${tenant.failed} failed, ` +
        `${tenant.throttled} × 429${pace}${reason}`,
    );
  }
  if (view.failed > 0)
    console.log(`failed assignments: wfm-bulk report ${view.jobId} --out failed.csv · wfm-bulk retry ${view.jobId}`);
}

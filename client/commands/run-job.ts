/** Starting a job from validated rows and following it: shared by `start` and `retry`. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { JobOptions } from '../../contracts/job';
import type { TenantSettings } from '../../contracts/tenants';
import { openStore } from '../../store/blob-store';
import { CliError, EXIT } from '../errors';
import type { ParsedInput } from '../input';
import { newJobId, prepareJob } from '../jobs/prepare';
import { startJob } from '../jobs/start';
import type { JobView } from '../jobs/view';
import { describePacing, watchJob } from '../progress';
import { connectClient, jobLinks } from '../temporal';

export interface RunJobOptions extends JobOptions {
  jobId?: string;
  detach: boolean;
  intervalMs: number;
  profile?: string;
}

export async function runJob(
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  options: RunJobOptions,
): Promise<number> {
  const context = await connectClient(options.profile ? { profile: options.profile } : {});
  try {
    const input = await prepareJob(parsed, tenants, openStore(), { ...options, jobId: options.jobId ?? newJobId() });
    try {
      await startJob(context.client, input);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new CliError(`job id ${input.jobId} is already in use; choose another --job-id`);
      }
      throw error;
    }
    const links = jobLinks(context, input.jobId);
    console.log(`started job ${input.jobId}`);
    if (links) console.log(`Web UI: ${links.job}\n        ${links.tenants}`);
    if (options.detach) {
      console.log(`follow it with: wfm-bulk watch ${input.jobId}`);
      return EXIT.ok;
    }
    return await follow(context.client, input.jobId, options.intervalMs);
  } finally {
    await context.close();
  }
}

/** Watches until the job closes (exit code from its outcome) or Ctrl-C (the job goes on). */
export async function follow(
  client: Parameters<typeof watchJob>[0],
  jobId: string,
  intervalMs: number,
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
    });
    if (view.execution === 'RUNNING') {
      console.log(`stopped watching; job ${jobId} goes on (wfm-bulk watch ${jobId} to follow it again)`);
      return 130;
    }
    printSummary(view);
    return outcomeExitCode(view);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

export function outcomeExitCode(view: JobView): number {
  if (view.execution === 'RUNNING') return EXIT.ok;
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

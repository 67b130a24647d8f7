/**
 * The job of `wfm-bulk plan`: the Genesys tenants' rows, started with `dryRun` so its writers read each schedule
 * through the tenant's lease and gate, as a real job would at that moment, and write nothing. Each row's class comes
 * back where a job's failures do, so it is read with `collectFailures`, as `report` reads a job's.
 */
import type { FailureReason } from '../../contracts/failures';
import type { JobOptions } from '../../contracts/job-options';
import type { TenantSettings } from '../../contracts/tenants';
import type { TemporalOverrides } from '../../config/temporal';
import type { ParsedInput } from '../input';
import { classesByRow } from '../jobs/preview';
import { collectFailures } from '../jobs/report';
import { watchJob } from '../progress';
import { openCommandStore } from '../store';
import { connectClient } from '../temporal';
import { storeAndStartJob } from './run-job';

export interface PlanJobOptions {
  jobOptions: JobOptions;
  jobId: string;
  reuseJobId: boolean;
  connection: TemporalOverrides;
  /** Where a line for people goes (stderr when stdout carries JSON or the report). */
  say: (line: string) => void;
}

/** How often the job is asked whether it has closed. */
const POLL_MS = 1000;

/**
 * Starts the plan job of `parsed` (only rows whose tenant reads before writing), waits for it to close and returns
 * each row's class by row key; undefined when Ctrl-C stopped the wait (the job goes on, as with `watch`).
 */
export async function runPlanJob(
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  options: PlanJobOptions,
): Promise<Map<string, FailureReason> | undefined> {
  const { jobId, say } = options;
  const context = await connectClient(options.connection);
  try {
    const { client } = context;
    const input = await storeAndStartJob(client, parsed, tenants, {
      ...options.jobOptions,
      dryRun: true,
      jobId,
      reuseJobId: options.reuseJobId,
    });
    const tenantIds = input.tenants.map((tenant) => tenant.tenantId).join(', ');
    say(
      `reading the live schedules of ${tenantIds} for ${parsed.rows.length} row(s) in job ${jobId}; nothing is written`,
    );
    const stop = new AbortController();
    const onInterrupt = () => stop.abort();
    process.once('SIGINT', onInterrupt);
    try {
      const view = await watchJob(client, jobId, {
        intervalMs: POLL_MS,
        tty: false,
        out: process.stderr,
        signal: stop.signal,
        silent: true,
      });
      if (view.execution === 'RUNNING') {
        say(`stopped waiting; plan job ${jobId} goes on (wfm-bulk cancel ${jobId} stops it)`);
        return undefined;
      }
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
    const { failures } = await collectFailures(client, openCommandStore(), jobId);
    return classesByRow(failures);
  } finally {
    await context.close();
  }
}

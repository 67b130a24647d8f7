/** From validated rows to a plan (`--dry-run`) or a started job: the common end of `start` and `retry`. */
import path from 'node:path';
import type { Command } from 'commander';
import type { JobOptions } from '../../contracts/job-options';
import type { TenantSettings } from '../../contracts/tenants';
import { EXIT } from '../errors';
import type { ParsedInput } from '../input';
import { planJob, type TenantDraft } from '../jobs/prepare';
import { OUTPUT_VERSION } from '../output/documents';
import { emit, outputFormat } from '../output/emit';
import { planOf } from '../output/to-documents';
import { connectionOverrides } from './connection';
import type { RunFlags } from './job-options';
import { runJob } from './run-job';

export async function launchJob(
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  options: JobOptions,
  flags: RunFlags,
  command: Command,
  retryOf?: string,
): Promise<number> {
  const format = outputFormat(command);
  const drafts = planJob(parsed, tenants, options.batchSize);
  if (flags.dryRun) {
    const source = { file: path.basename(parsed.file), format: parsed.format, rows: parsed.rows.length };
    emit(
      format,
      { kind: 'plan', version: OUTPUT_VERSION, retryOf: retryOf ?? null, plan: planOf(source, options, drafts) },
      () => {
        printPlan(parsed.rows.length, drafts, options.batchSize, tenants);
        console.log('dry run: the input is valid; nothing was started');
      },
    );
    return EXIT.ok;
  }
  if (format === 'text') printPlan(parsed.rows.length, drafts, options.batchSize, tenants);
  return runJob(parsed, tenants, {
    ...options,
    ...(flags.jobId && { jobId: flags.jobId }),
    ...(retryOf && { retryOf }),
    reuseJobId: Boolean(flags.reuseJobId),
    detach: Boolean(flags.detach),
    intervalMs: flags.interval * 1000,
    connection: connectionOverrides(command),
    format,
  });
}

/**
 * The plan the job will be given (`planJob`, the same that `prepareJob` stores), tenant by tenant; also what `plan`
 * shows first. `say`: where the lines go (`plan --report -` keeps stdout for the report).
 */
export function printPlan(
  rows: number,
  drafts: readonly TenantDraft[],
  batchSize: number,
  tenants: ReadonlyMap<string, TenantSettings>,
  say: (line: string) => void = console.log,
): void {
  say(`${rows} assignments for ${drafts.length} tenant(s), ${batchSize} per PUT (or schedule update):`);
  for (const { tenantId, total, scheduleSizes, batchCount, limits } of drafts) {
    const rate = limits.ratePerSecond ? `, ≤ ${limits.ratePerSecond}/s` : '';
    // A batch of the Genesys writer is one schedule update (more when the platform refuses one as stale).
    const unit = tenants.get(tenantId)?.writer === 'genesys-schedule-update' ? 'schedule updates' : 'PUTs';
    say(
      `  ${tenantId}: ${total} assignments, ${scheduleSizes.length} schedule(s), ${batchCount} ${unit}, ` +
        `concurrency ${limits.concurrency}${rate}`,
    );
  }
}

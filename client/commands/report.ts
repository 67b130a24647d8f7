/** `report` (the failed assignments with reasons, in the input's format) and `retry` (a new job of exactly those). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_JOB_OPTIONS, type InputFormat } from '../../contracts/job';
import { openStore } from '../../store/blob-store';
import { EXIT } from '../errors';
import type { ParsedInput } from '../input';
import { collectFailures, formatReport } from '../jobs/report';
import { integerIn, loadTenants } from './options';
import { runJob } from './run-job';
import { withClient } from './with-client';

export function addReportCommands(program: Command): void {
  program
    .command('report')
    .description('write the failed assignments of a finished job, with reasons, in the input’s format')
    .argument('<jobId>')
    .requiredOption('--out <file>', 'where to write the report (it can be started again as a job)')
    .option('--format <format>', 'csv, json or ndjson (default: the job input’s format)')
    .action(async (jobId: string, flags: { out: string; format?: InputFormat }, command: Command) => {
      process.exitCode = await withClient(command, async ({ client }) => {
        const { input, failures } = await collectFailures(client, openStore(), jobId);
        await writeFile(flags.out, formatReport(failures, flags.format ?? input.source.format));
        console.log(`${failures.length} failed assignment(s) of job ${jobId} written to ${flags.out}`);
        return EXIT.ok;
      });
    });

  program
    .command('retry')
    .description('start a new job with exactly the failed assignments of a finished job')
    .argument('<jobId>')
    .option('--tenants <file>', 'tenants file (default: $WFM_TENANTS or ./tenants.json)')
    .option('--job-id <id>', 'id of the new job (default: generated)')
    .option('--batch-size <n>', 'assignments per PUT (default: as the failed job)', integerIn(1, 1000))
    .option('--detach', 'start and return at once')
    .option('--interval <seconds>', 'progress refresh interval', integerIn(1, 3600), 1)
    .action(
      async (
        jobId: string,
        flags: { tenants?: string; jobId?: string; batchSize?: number; detach?: boolean; interval: number },
        command: Command,
      ) => {
        const tenants = loadTenants(flags.tenants);
        const { profile } = command.optsWithGlobals<{ profile?: string }>();
        const collected = await withClient(command, ({ client }) => collectFailures(client, openStore(), jobId));
        if (collected.failures.length === 0) {
          console.log(`job ${jobId} has no failed assignments; nothing to retry`);
          process.exitCode = EXIT.ok;
          return;
        }
        const { input, failures } = collected;
        const format = input.source.format;
        const parsed: ParsedInput = {
          file: `${path.parse(input.source.fileName).name}.retry-of-${jobId}.${format}`,
          format,
          bytes: Buffer.from(formatReport(failures, format)),
          rows: failures.map(({ line, tenantId, scheduleId, assignment }) => ({
            line,
            row: { tenantId, scheduleId, ...assignment },
          })),
        };
        console.log(`retrying ${failures.length} failed assignment(s) of job ${jobId}`);
        process.exitCode = await runJob(parsed, tenants, {
          ...DEFAULT_JOB_OPTIONS,
          // Jobs of earlier releases lack the newer options: those take today's defaults.
          ...DEFAULT_JOB_OPTIONS,
          ...input.options,
          ...(flags.batchSize && { batchSize: flags.batchSize }),
          ...(flags.jobId && { jobId: flags.jobId }),
          ...(profile && { profile }),
          detach: Boolean(flags.detach),
          intervalMs: flags.interval * 1000,
        });
      },
    );
}

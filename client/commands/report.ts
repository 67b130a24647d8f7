/** `report` (the failed assignments with reasons, in the input's format) and `retry` (a new job of exactly those). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { InputFormat } from '../../contracts/job';
import { DEFAULT_JOB_OPTIONS } from '../../contracts/job-options';
import { defaultTenantsFile } from '../../config/tenants-file';
import { CliError, EXIT } from '../errors';
import type { ParsedInput } from '../input';
import { collectFailures, formatReport, inputRowOf } from '../jobs/report';
import { openCommandStore } from '../store';
import { OUTPUT_VERSION } from '../output/documents';
import { addOutputOption, emit, note, outputFormat } from '../output/emit';
import { addRunOptions, jobOptionsFrom, type RunFlags } from './job-options';
import { launchJob } from './launch';
import { INPUT_FORMATS, loadTenants } from './options';
import { withClient } from './with-client';

export function addReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description('write the failed assignments of a finished job, with reasons, in the input’s format')
    .argument('<jobId>')
    .requiredOption('--out <file>', 'where to write the report, "-" for stdout (it can be started again as a job)')
    .addOption(
      new Option('--format <format>', 'report format (default: the job input’s format)').choices(INPUT_FORMATS),
    );
  addOutputOption(report, { jsonMeaning: 'a report line; not with --out -, where the report is the output' }).action(
    async (jobId: string, flags: { out: string; format?: InputFormat }, command: Command) => {
      const format = outputFormat(command);
      const toStdout = flags.out === '-';
      if (toStdout && format === 'json')
        throw new CliError('--out - writes the report itself to stdout: use --format json for it, not -o json');
      process.exitCode = await withClient(command, async ({ client }) => {
        const { input, failures } = await collectFailures(client, openCommandStore(), jobId);
        const reportFormat = flags.format ?? input.source.format;
        const text = formatReport(failures, reportFormat);
        if (toStdout) process.stdout.write(text);
        else await writeFile(flags.out, text);
        const summary = `${failures.length} failed assignment(s) of job ${jobId} written to ${toStdout ? 'stdout' : flags.out}`;
        emit(
          format,
          {
            kind: 'report',
            version: OUTPUT_VERSION,
            jobId,
            failed: failures.length,
            format: reportFormat,
            out: flags.out,
          },
          // With the report on stdout, the summary goes beside it, not into it.
          () => (toStdout ? console.error(summary) : console.log(summary)),
        );
        return EXIT.ok;
      });
    },
  );

  const retry = program
    .command('retry')
    .description('start a new job with exactly the failed assignments of a finished job, with its options unless given')
    .argument('<jobId>');
  addRunOptions(retry, 'original');
  addOutputOption(retry, {
    jsonMeaning: 'as start, or a nothing-to-retry line',
  }).action(async (jobId: string, flags: RunFlags, command: Command) => {
    process.exitCode = await retryJob(jobId, flags, command);
  });
}

async function retryJob(jobId: string, flags: RunFlags, command: Command): Promise<number> {
  const format = outputFormat(command);
  const tenants = loadTenants(flags.tenants);
  const { input, failures } = await withClient(command, ({ client }) =>
    collectFailures(client, openCommandStore(), jobId),
  );
  if (failures.length === 0) {
    emit(format, { kind: 'nothing-to-retry', version: OUTPUT_VERSION, retryOf: jobId }, () =>
      console.log(`job ${jobId} has no failed assignments; nothing to retry`),
    );
    return EXIT.ok;
  }
  const missing = [...new Set(failures.map((failure) => failure.tenantId))].filter((id) => !tenants.has(id));
  if (missing.length > 0) {
    throw new CliError(
      `tenant(s) ${missing.join(', ')} of job ${jobId} are not in the tenants file ` +
        `${flags.tenants ?? defaultTenantsFile()}; add them (or pass --tenants) to retry; nothing was started`,
    );
  }
  const sourceFormat = input.source.format;
  const parsed: ParsedInput = {
    file: `${path.parse(input.source.fileName).name}.retry-of-${jobId}.${sourceFormat}`,
    format: sourceFormat,
    bytes: Buffer.from(formatReport(failures, sourceFormat)),
    rows: failures.map(({ tenantId, reason: _reason, ...item }) => ({
      line: item.line,
      row: inputRowOf(tenantId, item),
    })),
  };
  note(format, `retrying ${failures.length} failed assignment(s) of job ${jobId}`);
  // Jobs of earlier releases lack the newer options: those take today's defaults.
  const options = jobOptionsFrom(flags, { ...DEFAULT_JOB_OPTIONS, ...input.options });
  return launchJob(parsed, tenants, options, flags, command, jobId);
}

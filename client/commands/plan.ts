/**
 * `wfm-bulk plan <input>`: what a job of the input would do with each row, before anything is written. The input is
 * checked exactly as `start` checks it and the plan `start` would run is shown; then PUT tenants' rows are classed
 * `would-put` here (a PUT has nothing to read against), and Genesys tenants' rows by a plan job (`plan-job.ts`) that
 * reads their live schedules and writes nothing. Exit 0 when every row would land, 1 when some would not.
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { FailureReason } from '../../contracts/failures';
import type { InputFormat } from '../../contracts/job';
import { DEFAULT_JOB_OPTIONS } from '../../contracts/job-options';
import { CliError, EXIT } from '../errors';
import { plannedRows, previewOf, previewReport, wouldLand } from '../jobs/preview';
import { newJobId, planJob } from '../jobs/prepare';
import { addOutputOption, emit, outputFormat } from '../output/emit';
import { previewDocument } from '../output/to-documents';
import { connectionOverrides } from './connection';
import { addJobOptions, jobOptionsFrom, type JobFlags } from './job-options';
import { printPlan } from './launch';
import { formatArgument, loadTenants } from './options';
import { runPlanJob } from './plan-job';
import { printPreview } from './plan-text';
import { readValidInput } from './start';

interface PlanFlags extends JobFlags {
  format?: InputFormat;
  report?: string;
}

/** What a generated plan job id starts with, so a plan job is never taken for a job that writes. */
const PLAN_JOB_PREFIX = 'plan-';

export function addPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .summary('say what a job of an input file would do with each row, writing nothing')
    .description(
      'validate an input file as start does and say what a job of it would do with each row, writing nothing: ' +
        'PUT tenants’ rows would go as they are; Genesys tenants’ rows are read against their live schedules by a ' +
        'plan job (through each tenant’s lease and gate)',
    )
    .argument('<input>', 'input file, as for start');
  addJobOptions(command, 'start', PLAN_JOB_PREFIX)
    .option(
      '--format <format>',
      'csv, json or ndjson (default: from the file name, else sniffed); the report’s format too',
      formatArgument,
    )
    .option(
      '--report <file>',
      'write every row with its class as failureCode and failureMessage, in the input’s format ("-" for stdout); ' +
        'start takes it as input',
    );
  addOutputOption(command, { jsonMeaning: 'one preview line with every row’s class' }).action(
    async (file: string, flags: PlanFlags, self: Command) => {
      process.exitCode = await plan(file, flags, self);
    },
  );
}

async function plan(file: string, flags: PlanFlags, command: Command): Promise<number> {
  const format = outputFormat(command);
  const reportToStdout = flags.report === '-';
  if (reportToStdout && format === 'json')
    throw new CliError('--report - writes the report itself to stdout: give it a file with -o json');
  // Lines for people stay off stdout when it carries the JSON document or the report.
  const say = format === 'json' || reportToStdout ? console.error : console.log;
  const tenants = loadTenants(flags.tenants);
  const parsed = await readValidInput(file, tenants, flags.format);
  // Before the plan job runs: a report that cannot be written should not cost its reads.
  if (flags.report !== undefined && !reportToStdout) await checkWritable(flags.report);
  const options = jobOptionsFrom(flags, DEFAULT_JOB_OPTIONS);
  if (format === 'text')
    printPlan(parsed.rows.length, planJob(parsed, tenants, options.batchSize), options.batchSize, tenants, say);

  const planned = plannedRows(parsed, tenants);
  let jobId: string | undefined;
  let classes = new Map<string, FailureReason>();
  if (planned.rows.length > 0) {
    jobId = flags.jobId ?? `${PLAN_JOB_PREFIX}${newJobId()}`;
    const found = await runPlanJob(planned, tenants, {
      jobOptions: options,
      jobId,
      reuseJobId: Boolean(flags.reuseJobId),
      connection: connectionOverrides(command),
      say,
    });
    if (!found) return EXIT.interrupted;
    classes = found;
  }

  const preview = previewOf(parsed, tenants, jobId, classes);
  if (flags.report !== undefined) {
    const report = previewReport(preview.rows, parsed.format);
    if (reportToStdout) process.stdout.write(report);
    else await writeFile(flags.report, report);
  }
  emit(format, previewDocument(preview), () => {
    printPreview(preview, say);
    if (flags.report !== undefined && !reportToStdout)
      say(`every row with its class written to ${flags.report} (${parsed.format})`);
  });
  return preview.rows.every(wouldLand) ? EXIT.ok : EXIT.someFailed;
}

async function checkWritable(file: string): Promise<void> {
  try {
    await access(path.dirname(path.resolve(file)), constants.W_OK);
  } catch {
    throw new CliError(`--report ${file}: its folder does not exist or cannot be written; nothing was started`);
  }
}

/** `wfm-bulk start <input>`: validate the whole file, store it, start the job, follow it. */
import type { Command } from 'commander';
import type { InputFormat } from '../../contracts/job';
import { DEFAULT_JOB_OPTIONS } from '../../contracts/job-options';
import type { TenantSettings } from '../../contracts/tenants';
import { CliError } from '../errors';
import { InputError, readInputFile, tenantChecks, type ParsedInput } from '../input';
import { addOutputOption } from '../output/emit';
import { addRunOptions, jobOptionsFrom, type RunFlags } from './job-options';
import { launchJob } from './launch';
import { formatArgument, loadTenants } from './options';

interface StartFlags extends RunFlags {
  format?: InputFormat;
}

export function addStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description('validate an input file (CSV, JSON or NDJSON), store it, start the job and follow its progress')
    .argument('<input>', 'input file: one row per assignment with tenantId, scheduleId, id, userId, start, end, …');
  addRunOptions(command, 'start').option(
    '--format <format>',
    'csv, json or ndjson (default: from the file name, else sniffed)',
    formatArgument,
  );
  addOutputOption(command, {
    jsonMeaning: 'a plan line with --dry-run; else a started line, then a job line per refresh unless --detach',
  }).action(async (file: string, flags: StartFlags, self: Command) => {
    process.exitCode = await start(file, flags, self);
  });
}

async function start(file: string, flags: StartFlags, command: Command): Promise<number> {
  const tenants = loadTenants(flags.tenants);
  const parsed = await readValidInput(file, tenants, flags.format);
  return launchJob(parsed, tenants, jobOptionsFrom(flags, DEFAULT_JOB_OPTIONS), flags, command);
}

/** The whole file read and checked against the tenants file, or every problem with exit 2 (`start`, `plan`). */
export async function readValidInput(
  file: string,
  tenants: ReadonlyMap<string, TenantSettings>,
  format: InputFormat | undefined,
): Promise<ParsedInput> {
  try {
    return await readInputFile(file, { ...tenantChecks(tenants), ...(format && { format }) });
  } catch (error) {
    if (error instanceof InputError) throw new CliError(`${error.message}\nnothing was started`);
    throw error;
  }
}

/** `wfm-bulk start <input>`: validate the whole file, store it, start the job, follow it. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_JOB_OPTIONS, type InputFormat } from '../../contracts/job';
import { EXIT, CliError } from '../errors';
import { InputError, readInputFile } from '../input';
import { planJob, type TenantDraft } from '../jobs/prepare';
import { durationIn, integerIn, loadTenants } from './options';
import { runJob } from './run-job';

interface StartFlags {
  tenants?: string;
  jobId?: string;
  batchSize: number;
  maxAttempts: number;
  throttleBudget: number;
  requestTimeout: number;
  maxActiveTenants: number;
  format?: InputFormat;
  dryRun?: boolean;
  detach?: boolean;
  interval: number;
}

export function addStartCommand(program: Command): void {
  program
    .command('start')
    .description('validate an input file (CSV, JSON or NDJSON), store it, start the job and follow its progress')
    .argument('<input>', 'input file: one row per assignment with tenantId, scheduleId, id, userId, start, end, …')
    .option('--tenants <file>', 'tenants file (default: $WFM_TENANTS or ./tenants.json)')
    .option('--job-id <id>', 'job id (default: generated, like wfm-20261127-230512-k3f9qz)', jobIdArgument)
    .option('--batch-size <n>', 'assignments per PUT', integerIn(1, 1000), DEFAULT_JOB_OPTIONS.batchSize)
    .option(
      '--max-attempts <n>',
      'attempts per batch for faults (5xx, connection errors, timeouts); 429s spend none',
      integerIn(1, 1000),
      DEFAULT_JOB_OPTIONS.maxAttempts,
    )
    .addOption(
      new Option(
        '--throttle-budget <duration>',
        'longest a batch may go on being throttled (429s) before it fails, e.g. 90m, 6h, 2d',
      )
        .argParser(durationIn(60_000, 30 * 86_400_000))
        .default(DEFAULT_JOB_OPTIONS.throttleBudgetMs, '6h'),
    )
    .option(
      '--max-active-tenants <n>',
      'tenants of the job running at once; the others wait their turn',
      integerIn(1, 5000),
      DEFAULT_JOB_OPTIONS.maxActiveTenants,
    )
    .option(
      '--request-timeout <seconds>',
      'HTTP timeout per request',
      integerIn(1, 600),
      DEFAULT_JOB_OPTIONS.requestTimeoutMs / 1000,
    )
    .option('--format <format>', 'csv, json or ndjson (default: from the file name, else sniffed)', formatArgument)
    .option('--dry-run', 'validate and print the plan; start nothing')
    .option('--detach', 'start and return at once instead of following progress')
    .option('--interval <seconds>', 'progress refresh interval', integerIn(1, 3600), 1)
    .action(async (file: string, flags: StartFlags, command: Command) => {
      process.exitCode = await start(file, flags, command.optsWithGlobals<{ profile?: string }>().profile);
    });
}

async function start(file: string, flags: StartFlags, profile: string | undefined): Promise<number> {
  const tenants = loadTenants(flags.tenants);
  let parsed;
  try {
    parsed = await readInputFile(file, {
      knownTenants: new Set(tenants.keys()),
      ...(flags.format && { format: flags.format }),
    });
  } catch (error) {
    if (error instanceof InputError) throw new CliError(`${error.message}\nnothing was started`);
    throw error;
  }
  printPlan(parsed.rows.length, planJob(parsed, tenants, flags.batchSize), flags.batchSize);
  if (flags.dryRun) {
    console.log('dry run: the input is valid; nothing was started');
    return EXIT.ok;
  }
  return runJob(parsed, tenants, {
    ...(flags.jobId && { jobId: flags.jobId }),
    ...(profile && { profile }),
    batchSize: flags.batchSize,
    maxAttempts: flags.maxAttempts,
    throttleBudgetMs: flags.throttleBudget,
    requestTimeoutMs: flags.requestTimeout * 1000,
    maxActiveTenants: flags.maxActiveTenants,
    detach: Boolean(flags.detach),
    intervalMs: flags.interval * 1000,
  });
}

/** The plan the job will be given (`planJob`, the same that `prepareJob` stores), tenant by tenant. */
function printPlan(rows: number, drafts: readonly TenantDraft[], batchSize: number): void {
  console.log(`${rows} assignments for ${drafts.length} tenant(s), ${batchSize} per PUT:`);
  for (const { tenantId, total, scheduleSizes, batchCount, limits } of drafts) {
    const rate = limits.ratePerSecond ? `, ≤ ${limits.ratePerSecond}/s` : '';
    console.log(
      `  ${tenantId}: ${total} assignments, ${scheduleSizes.length} schedule(s), ${batchCount} PUTs, ` +
        `concurrency ${limits.concurrency}${rate}`,
    );
  }
}

function jobIdArgument(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new InvalidArgumentError('must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return value;
}

function formatArgument(value: string): InputFormat {
  if (value !== 'csv' && value !== 'json' && value !== 'ndjson')
    throw new InvalidArgumentError('must be csv, json or ndjson');
  return value;
}

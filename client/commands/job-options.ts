/**
 * The options of a job, taken by `start` and `retry` alike (and by `plan`, which starts a job but does not follow
 * it): `start` defaults them, `retry` takes each from the job it retries unless given, so a retry runs as its
 * original did.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_JOB_OPTIONS, type JobOptions } from '../../contracts/job-options';
import { durationIn, integerIn, jobIdArgument } from './options';

export interface JobOptionFlags {
  batchSize?: number;
  maxAttempts?: number;
  throttleBudget?: number;
  requestTimeout?: number;
  maxActiveTenants?: number;
}

/** The flags of `addJobOptions`: the job options, and which tenants file and job id. */
export interface JobFlags extends JobOptionFlags {
  tenants?: string;
  jobId?: string;
  reuseJobId?: boolean;
}

export interface RunFlags extends JobFlags {
  dryRun?: boolean;
  detach?: boolean;
  interval: number;
}

/**
 * The options that shape a job (tenants file, id, batch size, limits), without how the command follows it: `plan`
 * starts a job too, but neither detaches nor watches it. `defaults`: `start`'s own; none for `retry`, whose defaults
 * are its original job's. `idPrefix`: what the command puts before a generated job id.
 */
export function addJobOptions(command: Command, defaults: 'start' | 'original', idPrefix = ''): Command {
  const withDefault = (option: Option, value: number, shown?: string) =>
    defaults === 'start' ? option.default(value, shown) : option;
  const asOriginal = defaults === 'original' ? ' (default: as the original job)' : '';
  return command
    .option('--tenants <file>', 'tenants file (default: $WFM_TENANTS or ./tenants.json)')
    .option(
      '--job-id <id>',
      `job id (default: generated, like ${idPrefix}wfm-20261127-230512-k3f9qz); the id of an existing job is refused`,
      jobIdArgument,
    )
    .option('--reuse-job-id', 'allow the id of a closed job (its status and report then show the new job)')
    .addOption(
      withDefault(
        new Option(
          '--batch-size <n>',
          `assignments per PUT, or per schedule update for the Genesys writer${asOriginal}`,
        ).argParser(integerIn(1, 1000)),
        DEFAULT_JOB_OPTIONS.batchSize,
      ),
    )
    .addOption(
      withDefault(
        new Option(
          '--max-attempts <n>',
          `attempts per batch for faults (5xx, connection errors, timeouts); 429s spend none${asOriginal}`,
        ).argParser(integerIn(1, 1000)),
        DEFAULT_JOB_OPTIONS.maxAttempts,
      ),
    )
    .addOption(
      withDefault(
        new Option(
          '--throttle-budget <duration>',
          `longest a batch may go on being throttled (429s) before it fails, e.g. 90m, 6h, 2d${asOriginal}`,
        ).argParser(durationIn(60_000, 30 * 86_400_000)),
        DEFAULT_JOB_OPTIONS.throttleBudgetMs,
        '6h',
      ),
    )
    .addOption(
      withDefault(
        new Option(
          '--max-active-tenants <n>',
          `tenants of the job running at once; the others wait their turn${asOriginal}`,
        ).argParser(integerIn(1, 5000)),
        DEFAULT_JOB_OPTIONS.maxActiveTenants,
      ),
    )
    .addOption(
      withDefault(
        new Option('--request-timeout <seconds>', `HTTP timeout per request${asOriginal}`).argParser(integerIn(1, 600)),
        DEFAULT_JOB_OPTIONS.requestTimeoutMs / 1000,
      ),
    );
}

/** The job options, then `--dry-run`, `--detach` and `--interval`: how `start` and `retry` follow their job. */
export function addRunOptions(command: Command, defaults: 'start' | 'original'): Command {
  return addJobOptions(command, defaults)
    .option('--dry-run', 'validate and print the plan; start nothing')
    .option('--detach', 'start and return at once instead of following progress')
    .option('--interval <seconds>', 'progress refresh interval', integerIn(1, 3600), 1);
}

/** The job's options: each flag given, else `base`'s. */
export function jobOptionsFrom(flags: JobOptionFlags, base: JobOptions): JobOptions {
  return {
    batchSize: flags.batchSize ?? base.batchSize,
    maxAttempts: flags.maxAttempts ?? base.maxAttempts,
    throttleBudgetMs: flags.throttleBudget ?? base.throttleBudgetMs,
    requestTimeoutMs: flags.requestTimeout === undefined ? base.requestTimeoutMs : flags.requestTimeout * 1000,
    maxActiveTenants: flags.maxActiveTenants ?? base.maxActiveTenants,
  };
}

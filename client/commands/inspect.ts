/** `watch`, `status` and `list`: looking at jobs without touching them. */
import { Option, type Command } from 'commander';
import { EXIT } from '../errors';
import { JOB_STATUSES, listJobs } from '../jobs/list';
import { fetchJobView } from '../jobs/view';
import { addOutputOption, emit, outputFormat } from '../output/emit';
import { jobDocument, jobsDocument } from '../output/to-documents';
import { jobLinks } from '../temporal';
import { withClient } from './with-client';
import { integerIn } from './options';
import { follow, outcomeExitCode, printSummary } from './run-job';

export function addInspectCommands(program: Command): void {
  const watch = program
    .command('watch')
    .summary('follow a job live: a bar per tenant and a total with rate and ETA')
    .description(
      'follow a job live: a bar per tenant (done/total, 429s, cooldown, failures) and a total with rate and ETA.\n' +
        'Exit code once the job closes: 0 everything applied, 1 not (failures, failed, cancelled); 130 on Ctrl-C ' +
        '(the job goes on).',
    )
    .argument('<jobId>')
    .option('--interval <seconds>', 'refresh interval', integerIn(1, 3600), 1);
  addOutputOption(watch, { jsonMeaning: 'a job line per refresh, the last one the final state' }).action(
    async (jobId: string, flags: { interval: number }, command: Command) => {
      process.exitCode = await withClient(command, async (context) => {
        await fetchJobView(context.client, jobId); // a wrong id fails here, before any drawing
        const links = jobLinks(context, jobId);
        return follow(context.client, jobId, flags.interval * 1000, outputFormat(command), links);
      });
    },
  );

  const status = program
    .command('status')
    .summary('print a job’s state and each tenant’s progress once')
    .description(
      'print a job’s state and each tenant’s progress once.\n' +
        'Exit code: 0 completed with everything applied, 1 closed otherwise (completed with failures, failed, ' +
        'cancelled, terminated), 5 still running (also paused, or its state unreadable: see "stale").',
    )
    .argument('<jobId>');
  addOutputOption(status, { jsonMeaning: 'a job line', jsonAlias: true }).action(
    async (jobId: string, _flags: object, command: Command) => {
      process.exitCode = await withClient(command, async (context) => {
        const view = await fetchJobView(context.client, jobId);
        const links = jobLinks(context, jobId);
        emit(outputFormat(command), jobDocument(view, links), () => {
          printSummary(view);
          if (view.stale) console.log(`note: ${view.stale}`);
          if (links) console.log(`Web UI: ${links.job}`);
        });
        return outcomeExitCode(view);
      });
    },
  );

  const list = program
    .command('list')
    .description('recent jobs, newest first, from Temporal visibility')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices(JOB_STATUSES))
    .option('--limit <n>', 'at most this many', integerIn(1, 1000), 20);
  addOutputOption(list, { jsonMeaning: 'a jobs line', jsonAlias: true }).action(
    async (flags: { status?: (typeof JOB_STATUSES)[number]; limit: number }, command: Command) => {
      process.exitCode = await withClient(command, async ({ client }) => {
        const jobs = await listJobs(client, { limit: flags.limit, ...(flags.status && { status: flags.status }) });
        emit(outputFormat(command), jobsDocument(jobs), () => {
          if (jobs.length === 0) console.log('no jobs');
          for (const job of jobs) {
            const counts =
              job.total === null ? '' : ` ${job.applied ?? 0}/${job.total} applied, ${job.failed ?? 0} failed`;
            console.log(
              `${job.startTime ?? '?'}  ${job.jobId}  ${job.status}${counts}${job.file ? `  (${job.file})` : ''}`,
            );
          }
        });
        return EXIT.ok;
      });
    },
  );
}

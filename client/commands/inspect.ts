/** `watch`, `status` and `list`: looking at jobs without touching them. */
import type { Command } from 'commander';
import { EXIT } from '../errors';
import { listJobs } from '../jobs/list';
import { fetchJobView } from '../jobs/view';
import { jobLinks } from '../temporal';
import { withClient } from './with-client';
import { integerIn } from './options';
import { follow, outcomeExitCode, printSummary } from './run-job';

export function addInspectCommands(program: Command): void {
  program
    .command('watch')
    .description(
      'follow a job live: a bar per tenant (done/total, 429s, cooldown, failures) and a total with rate and ETA',
    )
    .argument('<jobId>')
    .option('--interval <seconds>', 'refresh interval', integerIn(1, 3600), 1)
    .action(async (jobId: string, flags: { interval: number }, command: Command) => {
      process.exitCode = await withClient(command, async ({ client }) => {
        await fetchJobView(client, jobId); // a wrong id fails here, before any drawing
        return follow(client, jobId, flags.interval * 1000);
      });
    });

  program
    .command('status')
    .description('print a job’s state and each tenant’s progress once')
    .argument('<jobId>')
    .option('--json', 'print the state as JSON')
    .action(async (jobId: string, flags: { json?: boolean }, command: Command) => {
      process.exitCode = await withClient(command, async (context) => {
        const view = await fetchJobView(context.client, jobId);
        if (flags.json) {
          console.log(JSON.stringify(view, null, 2));
        } else {
          printSummary(view);
          if (view.stale) console.log(`note: ${view.stale}`);
          const links = jobLinks(context, jobId);
          if (links) console.log(`Web UI: ${links.job}`);
        }
        return outcomeExitCode(view);
      });
    });

  program
    .command('list')
    .description('recent jobs, newest first, from Temporal visibility')
    .option(
      '--status <status>',
      'only jobs with this status: running, completed, completed-with-failures, failed, cancelled',
    )
    .option('--limit <n>', 'at most this many', integerIn(1, 1000), 20)
    .option('--json', 'print as JSON')
    .action(async (flags: { status?: string; limit: number; json?: boolean }, command: Command) => {
      process.exitCode = await withClient(command, async ({ client, namespace }) => {
        const jobs = await listJobs(client, namespace, {
          limit: flags.limit,
          ...(flags.status && { status: flags.status }),
        });
        if (flags.json) console.log(JSON.stringify(jobs, null, 2));
        else if (jobs.length === 0) console.log('no jobs');
        else {
          for (const job of jobs) {
            const counts =
              job.total === null ? '' : ` ${job.applied ?? 0}/${job.total} applied, ${job.failed ?? 0} failed`;
            console.log(`${job.started}  ${job.jobId}  ${job.status}${counts}${job.file ? `  (${job.file})` : ''}`);
          }
        }
        return EXIT.ok;
      });
    });
}

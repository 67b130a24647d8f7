/**
 * `wfm-bulk gc --older-than 30d [--dry-run]`: deletes the claim-check blobs of jobs closed longer ago than that;
 * safe while jobs run and clients store new ones (the rules are in `client/jobs/gc.ts`). Meant for a daily cron.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT } from '../errors';
import { applyGc, describeJob, planGc, sum, type GcPlan } from '../jobs/gc';
import { OUTPUT_VERSION, type GcDocument } from '../output/documents';
import { addOutputOption, emit, outputFormat } from '../output/emit';
import { commandStoreIdentity, openCommandStore } from '../store';
import { durationIn } from './options';
import { withClient } from './with-client';

const DAY_MS = 86_400_000;

export function addGcCommand(program: Command): void {
  const command = program
    .command('gc')
    .description(
      'delete the stored inputs and failure logs of jobs closed longer ago than --older-than (after which ' +
        'report and retry cannot read them); jobs running or closed since are never touched',
    )
    .addOption(
      new Option('--older-than <duration>', 'retention after a job closes, e.g. 30d (at least 1d)')
        .argParser(durationIn(DAY_MS, 3_650 * DAY_MS))
        .makeOptionMandatory(),
    )
    .option('--dry-run', 'list what would be deleted; delete nothing');
  addOutputOption(command, { jsonMeaning: 'one "gc" document', jsonAlias: true });
  command.action(async (flags: { olderThan: number; dryRun?: boolean }, command: Command) => {
    const format = outputFormat(command);
    // The store first: a bad setting or an unreachable store says so before Temporal is asked anything.
    const store = openCommandStore();
    await commandStoreIdentity(store);
    process.exitCode = await withClient(command, async ({ client }) => {
      const plan = await planGc(store, (jobId) => describeJob(client, jobId), { olderThanMs: flags.olderThan });
      const removed = flags.dryRun ? undefined : await applyGc(store, plan);
      emit(format, gcDocument(plan, store.location, Boolean(flags.dryRun)), () =>
        printPlan(plan, store.location, removed),
      );
      return EXIT.ok;
    });
  });
}

/** What `-o json` prints (client/output/documents.ts, docs/reference/cli-json.md). */
function gcDocument(plan: GcPlan, store: string, dryRun: boolean): GcDocument {
  const removed = plan.jobs.flatMap((job) => job.remove);
  const kept = plan.jobs.flatMap((job) => job.keep);
  return {
    kind: 'gc',
    version: OUTPUT_VERSION,
    store,
    cutoff: plan.cutoff.toISOString(),
    dryRun,
    deleted: { blobs: removed.length, bytes: sum(removed) },
    kept: { blobs: kept.length, bytes: sum(kept) },
    legacy: { blobs: plan.legacy.length, bytes: sum(plan.legacy) },
    jobs: plan.jobs.map(({ jobId, job, remove, keep, why }) => ({
      jobId,
      state: job.state,
      closedAt: job.state === 'closed' ? job.closedAt.toISOString() : null,
      deletedBlobs: remove.length,
      keptBlobs: keep.length,
      why,
    })),
  };
}

function printPlan(plan: GcPlan, store: string, removed: { blobs: number; bytes: number } | undefined): void {
  const verb = removed ? 'deleted' : 'would delete';
  for (const job of plan.jobs)
    if (job.remove.length > 0) console.log(`${verb} ${job.remove.length} blob(s) of job ${job.jobId} (${job.why})`);
  const doomed = plan.jobs.flatMap((job) => job.remove);
  const kept = plan.jobs.filter((job) => job.keep.length > 0);
  console.log(
    `${store}: ${verb} ${doomed.length} blob(s), ${mb(sum(doomed))} of jobs closed before ` +
      `${plan.cutoff.toISOString()}; kept ${kept.length} job(s) running, closed since or not started yet` +
      (plan.legacy.length
        ? `, and ${plan.legacy.length} blob(s) from before job-scoped keys (${mb(sum(plan.legacy))})`
        : ''),
  );
  if (!removed && doomed.length > 0) console.log('dry run: nothing was deleted');
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

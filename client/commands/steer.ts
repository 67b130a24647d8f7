/** `pause`, `resume`, `cancel` and `limits`: signals to a running job, which passes them to its tenants. */
import type { Command } from 'commander';
import { cancelSignal, jobProgressQuery, pauseSignal, resumeSignal, setLimitsSignal } from '../../contracts/messages';
import { CliError, EXIT } from '../errors';
import { OUTPUT_VERSION, type SignalDocument } from '../output/documents';
import { addOutputOption, emit, outputFormat } from '../output/emit';
import type { ClientContext } from '../temporal';
import { withClient } from './with-client';
import { integerIn, positiveNumber } from './options';

async function runningJob({ client }: ClientContext, jobId: string) {
  const handle = client.workflow.getHandle(jobId);
  const description = await handle.describe().catch(() => {
    throw new CliError(`no job ${jobId} in this namespace`);
  });
  if (description.type !== 'bulkJob') throw new CliError(`${jobId} is a ${description.type} workflow, not a job`);
  if (description.status.name !== 'RUNNING')
    throw new CliError(`job ${jobId} is no longer running (${description.status.name.toLowerCase()})`);
  return handle;
}

/** What a steering command sent, as its JSON line says it. */
function sent(signal: SignalDocument['signal'], jobId: string, details: Partial<SignalDocument> = {}): SignalDocument {
  return {
    kind: 'signal',
    version: OUTPUT_VERSION,
    signal,
    jobId,
    reason: null,
    tenantId: null,
    concurrency: null,
    ratePerSecond: null,
    ...details,
  };
}

export function addSteerCommands(program: Command): void {
  const switches = [
    {
      name: 'pause' as const,
      signal: pauseSignal,
      description: 'stop sending new PUTs for every tenant of a job; PUTs in flight finish',
    },
    { name: 'resume' as const, signal: resumeSignal, description: 'resume a paused job' },
  ];
  for (const { name, signal, description } of switches) {
    const command = program.command(name).description(description).argument('<jobId>');
    addOutputOption(command, { jsonMeaning: 'a signal line' }).action(
      async (jobId: string, _flags: object, self: Command) => {
        process.exitCode = await withClient(self, async (context) => {
          await (await runningJob(context, jobId)).signal(signal);
          emit(outputFormat(self), sent(name, jobId), () => console.log(`${name} sent to job ${jobId}`));
          return EXIT.ok;
        });
      },
    );
  }

  const cancel = program
    .command('cancel')
    .description('stop a job: no new PUTs, in-flight ones finish, the rest is reported as not sent')
    .argument('<jobId>')
    .option('--reason <text>', 'why, kept with every assignment not sent');
  addOutputOption(cancel, { jsonMeaning: 'a signal line' }).action(
    async (jobId: string, flags: { reason?: string }, command: Command) => {
      process.exitCode = await withClient(command, async (context) => {
        await (
          await runningJob(context, jobId)
        ).signal(cancelSignal, { ...(flags.reason && { reason: flags.reason }) });
        emit(outputFormat(command), sent('cancel', jobId, { reason: flags.reason ?? null }), () =>
          console.log(`cancel sent to job ${jobId}; its result will list what was not sent (wfm-bulk report ${jobId})`),
        );
        return EXIT.ok;
      });
    },
  );

  const limits = program
    .command('limits')
    .description('change a tenant’s concurrency and/or rate while the job runs')
    .argument('<jobId>')
    .argument('<tenant>')
    .option(
      '--concurrency <n>',
      'PUTs in flight at once (the worker’s configured concurrency stays the per-process ceiling)',
      integerIn(1, 200),
    )
    .option('--rate <perSecond>', 'PUTs per second', positiveNumber(10_000));
  addOutputOption(limits, { jsonMeaning: 'a signal line' }).action(
    async (jobId: string, tenantId: string, flags: { concurrency?: number; rate?: number }, command: Command) => {
      if (flags.concurrency === undefined && flags.rate === undefined)
        throw new CliError('give --concurrency and/or --rate');
      process.exitCode = await withClient(command, async (context) => {
        const handle = await runningJob(context, jobId);
        const progress = await handle.query(jobProgressQuery);
        if (!progress.tenants.some((tenant) => tenant.tenantId === tenantId)) {
          throw new CliError(
            `tenant ${tenantId} is not in job ${jobId} (its tenants: ${progress.tenants.map((t) => t.tenantId).join(', ')})`,
          );
        }
        await handle.signal(setLimitsSignal, {
          tenantId,
          ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
          ...(flags.rate !== undefined && { ratePerSecond: flags.rate }),
        });
        const details = { tenantId, concurrency: flags.concurrency ?? null, ratePerSecond: flags.rate ?? null };
        emit(outputFormat(command), sent('limits', jobId, details), () =>
          console.log(`limits sent for ${tenantId} in job ${jobId}`),
        );
        return EXIT.ok;
      });
    },
  );
}

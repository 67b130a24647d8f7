/** `tenants`: the tenants being written to now, each with the process holding its lease, its jobs and its pace. */
import type { Command } from 'commander';
import { EXIT } from '../errors';
import { addOutputOption, emit, outputFormat } from '../output/emit';
import { retryAfterUntil, tenantsDocument } from '../output/to-documents';
import { describePacing } from '../progress';
import { listLeases, type LeaseListing } from '../tenants/leases';
import { withClient } from './with-client';

export function addTenantsCommand(program: Command): void {
  const tenants = program
    .command('tenants')
    .summary("tenants being written to: who holds each one's lease, its jobs and their shares, its pace")
    .description(
      'the tenants whose lease runs now (a job writes to them, or did a moment ago): the worker process holding ' +
        'the lease and its epoch, the jobs writing to the tenant with their share of its concurrency, the pace ' +
        'its holder keeps and any open Retry-After window. One lease per tenant decides for every job.',
    )
    .option('--tenant <tenantId>', 'only this tenant');
  addOutputOption(tenants, { jsonMeaning: 'a tenants line' }).action(
    async (flags: { tenant?: string }, command: Command) => {
      process.exitCode = await withClient(command, async ({ client }) => {
        const leases = await listLeases(client, { ...(flags.tenant && { tenantId: flags.tenant }) });
        emit(outputFormat(command), tenantsDocument(leases), () => {
          if (leases.length === 0) console.log('no tenant is being written to');
          for (const lease of leases) printLease(lease);
        });
        return EXIT.ok;
      });
    },
  );
}

function printLease(lease: LeaseListing): void {
  const holder = lease.state?.holder;
  const held = holder
    ? ` by ${holder.worker} (epoch ${holder.epoch}, since ${new Date(holder.since).toLocaleTimeString()})`
    : '';
  console.log(`${lease.tenantId}  ${lease.status}${held}${lease.stale ? `  (${lease.stale})` : ''}`);
  const jobs = lease.state?.members ?? [];
  if (jobs.length > 0)
    console.log(
      `  jobs: ${jobs.map((job) => `${job.jobId} share ${job.share}${job.active ? '' : ' (paused)'}`).join(', ')}`,
    );
  const facts: string[] = [];
  if (lease.state) facts.push(`concurrency ${lease.state.directive.limits.concurrency}`);
  if (lease.pacing) facts.push(describePacing(lease.pacing));
  const until = retryAfterUntil(lease);
  if (until !== undefined)
    facts.push(
      `Retry-After open until ${new Date(until).toLocaleTimeString()} (${Math.ceil((until - Date.now()) / 1000)} s)`,
    );
  if (facts.length > 0) console.log(`  ${facts.join('; ')}`);
}

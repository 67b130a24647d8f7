/**
 * The failure report of a job: every failed assignment with the API's reason, written in the input's format
 * with two extra fields (`failureCode`, `failureMessage`) that `start` ignores, so the report itself can be
 * started again as a job.
 */
import { stringify } from 'csv-stringify/sync';
import type { Client } from '@temporalio/client';
import type { InputRow, StoredItem } from '../../contracts/assignment';
import type { InputFormat, JobInput } from '../../contracts/job';
import { canonicalItem } from '../../contracts/stored-items';
import type { BlobStore } from '../../store/blob-store';
import { CliError } from '../errors';
import { ROW_FIELDS } from '../input/fields';
import { failedAssignments, type FailedAssignment } from './failures';
import { tenantOutcome } from './outcome';
import { fetchJobView, jobInput, notStartedReason } from './view';

/** Every failed assignment of a finished job, tenant by tenant, in input order within each tenant. */
export async function collectFailures(
  client: Client,
  store: BlobStore,
  jobId: string,
): Promise<{ input: JobInput; failures: FailedAssignment[] }> {
  const view = await fetchJobView(client, jobId);
  if (view.execution === 'RUNNING') {
    throw new CliError(
      `job ${jobId} is still running (${view.applied + view.failed}/${view.total} done); wait for it or cancel it first`,
    );
  }
  const input = await jobInput(client, jobId);
  const failures: FailedAssignment[] = [];
  for (const plan of input.tenants) {
    const summary = view.tenants.find((tenant) => tenant.tenantId === plan.tenantId);
    const result = await tenantOutcome(client, jobId, plan, notStartedReason(view, summary));
    const failed = await failedAssignments(store, plan, input.options.batchSize, result);
    failures.push(...failed.sort((a, b) => a.line - b.line));
  }
  return { input, failures };
}

/** A stored item as the input row it came from: tenant, schedule (and where it lives), the assignment's fields. */
export function inputRowOf(tenantId: string, item: StoredItem): Omit<InputRow, 'failureCode' | 'failureMessage'> {
  const { line: _line, assignment, ...placement } = canonicalItem(item);
  return { tenantId, ...placement, ...assignment };
}

/** Rows as the input format writes them: the input's own fields, then the reason. */
export function reportRows(failures: readonly FailedAssignment[]): Record<string, string>[] {
  return failures.map(({ tenantId, reason, ...item }) => ({
    ...inputRowOf(tenantId, item),
    failureCode: reason.status ? `${reason.status} ${reason.code}` : reason.code,
    failureMessage: reason.message,
  }));
}

export function formatReport(failures: readonly FailedAssignment[], format: InputFormat): string {
  const rows = reportRows(failures);
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'ndjson':
      return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    case 'csv': {
      const present = new Set(rows.flatMap((row) => Object.keys(row)));
      const columns = ROW_FIELDS.filter(
        (field) => present.has(field) || field === 'failureCode' || field === 'failureMessage',
      );
      // An API message is not ours to trust: one that a spreadsheet would run as a formula is quoted inert.
      const inert = rows.map((row) => ({ ...row, failureMessage: neutralizeFormula(row.failureMessage ?? '') }));
      return stringify(inert, { header: true, columns });
    }
  }
}

function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

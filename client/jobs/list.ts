/**
 * Recent jobs from visibility. Read page by page from the raw API rather than through the SDK's iterator, so a
 * job whose memo this client cannot decrypt (another team's key, or none) is still listed, its file shown as
 * encrypted, instead of ending the whole listing with an error.
 */
import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../../contracts/names';

export interface JobListing {
  jobId: string;
  status: string;
  total: number | null;
  applied: number | null;
  failed: number | null;
  started: string | null;
  file: string | null;
}

export async function listJobs(
  client: Client,
  namespace: string,
  options: { status?: string; limit: number },
): Promise<JobListing[]> {
  const filters = [`WorkflowType = 'bulkJob'`];
  if (options.status) filters.push(`${searchAttributes.status.name} = '${options.status.replace(/'/g, '')}'`);
  const jobs: JobListing[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace,
      query: filters.join(' AND '),
      pageSize: Math.min(options.limit, 100),
      ...(nextPageToken && { nextPageToken }),
    });
    for (const execution of page.executions ?? []) {
      const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const executionStatus = temporal.api.enums.v1.WorkflowExecutionStatus[execution.status ?? 0] ?? 'unknown';
      jobs.push({
        jobId: execution.execution?.workflowId ?? '?',
        status:
          attributes.get(searchAttributes.status) ??
          executionStatus.replace('WORKFLOW_EXECUTION_STATUS_', '').toLowerCase(),
        total: attributes.get(searchAttributes.total) ?? null,
        applied: attributes.get(searchAttributes.applied) ?? null,
        failed: attributes.get(searchAttributes.failed) ?? null,
        started: optionalTsToDate(execution.startTime)?.toISOString() ?? null,
        file: await memoFile(client, execution.memo?.fields?.file),
      });
      if (jobs.length >= options.limit) return jobs;
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return jobs;
}

async function memoFile(client: Client, payload: temporal.api.common.v1.IPayload | undefined): Promise<string | null> {
  if (!payload) return null;
  try {
    return await decodeFromPayloadsAtIndex<string>(client.options.loadedDataConverter, 0, [payload]);
  } catch {
    return '(encrypted)';
  }
}

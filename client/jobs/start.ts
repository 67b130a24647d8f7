import type { Client, WorkflowHandle } from '@temporalio/client';
import type { JobInput } from '../../contracts/job';
import { ORCHESTRATION_TASK_QUEUE, searchAttributes } from '../../contracts/names';
import { STORE_ID_MEMO } from '../../store/blob-keys';
import type { bulkJob } from '../../workflows';

/**
 * Starts the job workflow with the job id as workflow id, its search attributes and a memo the Web UI shows.
 * A job id in use, or used before, fails here (`WorkflowExecutionAlreadyStartedError`) rather than joining that
 * job or hiding it: `status`, `report` and `retry` read a job id's latest run, so a second job under the same id
 * would make the first one's account unreachable. `reuseJobId` allows an id whose job has closed (never a running
 * one), for a user who no longer needs that job's report.
 */
export async function startJob(
  client: Client,
  input: JobInput,
  options: { reuseJobId?: boolean; storeId?: string } = {},
): Promise<WorkflowHandle<typeof bulkJob>> {
  const total = input.tenants.reduce((sum, tenant) => sum + tenant.total, 0);
  return client.workflow.start<typeof bulkJob>('bulkJob', {
    workflowId: input.jobId,
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: options.reuseJobId ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [
      { key: searchAttributes.jobId, value: input.jobId },
      { key: searchAttributes.status, value: 'running' },
      { key: searchAttributes.total, value: total },
    ],
    memo: {
      file: input.source.fileName,
      format: input.source.format,
      rows: input.source.rows,
      tenants: input.tenants.map((tenant) => tenant.tenantId).join(', '),
      batchSize: input.options.batchSize,
      // The store the job's blobs are in, compared by each worker before it serves a tenant.
      ...(options.storeId && { [STORE_ID_MEMO]: options.storeId }),
    },
  });
}

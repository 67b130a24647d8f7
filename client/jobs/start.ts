import type { Client, WorkflowHandle } from '@temporalio/client';
import type { JobInput } from '../../contracts/job';
import { ORCHESTRATION_TASK_QUEUE, searchAttributes } from '../../contracts/names';
import type { bulkJob } from '../../workflows';

/**
 * Starts the job workflow with the job id as workflow id, its search attributes and a memo the Web UI shows.
 * A job id already in use fails here (`WorkflowExecutionAlreadyStartedError`) rather than joining that job.
 */
export async function startJob(client: Client, input: JobInput): Promise<WorkflowHandle<typeof bulkJob>> {
  const total = input.tenants.reduce((sum, tenant) => sum + tenant.total, 0);
  return client.workflow.start<typeof bulkJob>('bulkJob', {
    workflowId: input.jobId,
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    args: [input],
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
    },
  });
}

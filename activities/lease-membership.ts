/**
 * A job's tenant workflow joining the tenant's lease, and the lease looking after members that ended without
 * leaving. Both run on the orchestration queue: they only talk to Temporal.
 */
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type { JoinLeaseInput, LeaseView, TenantLeaseInput } from '../contracts/lease';
import { joinLeaseUpdate } from '../contracts/messages';
import { ORCHESTRATION_TASK_QUEUE, searchAttributes, tenantLeaseWorkflowId } from '../contracts/names';

/**
 * The lease workflow's signature (`tenantLease` of workflows/lease.ts), stated here rather than imported: workflows/
 * import the activities' types, so an import back would close a circle. A unit test holds the two equal
 * (`no-import-cycles.test.ts`).
 */
export type TenantLeaseWorkflow = (input: TenantLeaseInput) => Promise<void>;

/**
 * Joins the tenant's lease, starting it when no job uses the tenant yet (update-with-start, so two jobs starting
 * at once meet one lease): the answer says where to send, how many batches at once, or why nothing can be sent.
 */
export function createJoinTenantLease() {
  return async function joinTenantLease(input: JoinLeaseInput): Promise<LeaseView> {
    const { client } = Context.current();
    return client.workflow.executeUpdateWithStart(joinLeaseUpdate, {
      args: [input],
      startWorkflowOperation: new WithStartWorkflowOperation<TenantLeaseWorkflow>('tenantLease', {
        workflowId: tenantLeaseWorkflowId(input.tenantId),
        taskQueue: ORCHESTRATION_TASK_QUEUE,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ tenantId: input.tenantId, limits: input.limits, ...(input.tuning && { tuning: input.tuning }) }],
        typedSearchAttributes: [
          { key: searchAttributes.tenantId, value: input.tenantId },
          { key: searchAttributes.status, value: 'waiting-for-worker' },
        ],
        memo: { tenantId: input.tenantId },
      }),
    });
  };
}

/** Of the given workflow ids, those whose workflow is no longer running (closed, or gone). */
export function createClosedWorkflows() {
  return async function closedWorkflows(workflowIds: string[]): Promise<string[]> {
    const { client } = Context.current();
    const closed = await Promise.all(
      workflowIds.map(async (workflowId) => {
        try {
          const { status } = await client.workflow.getHandle(workflowId).describe();
          return status.name === 'RUNNING' ? undefined : workflowId;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return workflowId;
          throw error;
        }
      }),
    );
    return closed.filter((id): id is string => id !== undefined);
  };
}

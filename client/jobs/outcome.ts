/**
 * What became of a tenant of a job, read from Temporal: its workflow's result; for a tenant that ended without
 * one (terminated, timed out, failed), its last run's account by query, everything not known applied failed
 * with the reason; for one never started, all of it failed. So `status`, `report` and `retry` account for
 * every input assignment, whatever happened to the tenant or the job.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FailureReason } from '../../contracts/failures';
import type { TenantPlan, TenantResult } from '../../contracts/tenant';
import { tenantAccountQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import type { tenantAssignments } from '../../workflows';
import { closedTenantResult, tenantClosureReason } from '../../workflows/outcome';

export async function tenantOutcome(
  client: Client,
  jobId: string,
  plan: Pick<TenantPlan, 'tenantId' | 'total'>,
  /** Why the tenant never started, when its job says (else: the job ended before starting it). */
  notStartedReason?: FailureReason,
): Promise<TenantResult> {
  const handle = client.workflow.getHandle<typeof tenantAssignments>(tenantWorkflowId(jobId, plan.tenantId));
  try {
    return await handle.result();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      const reason = notStartedReason ?? {
        code: 'tenant-not-started',
        message: 'the job ended before the tenant started',
      };
      return closedTenantResult(plan, undefined, reason);
    }
    if (!(error instanceof WorkflowFailedError)) throw error;
    const reason = tenantClosureReason(error.cause);
    try {
      return closedTenantResult(plan, await handle.query(tenantAccountQuery), reason);
    } catch (queryError) {
      const unread = (queryError as Error).message.split('\n')[0];
      return closedTenantResult(plan, undefined, {
        ...reason,
        message: `${reason.message}; what it applied could not be read (${unread}), so all of it counts as failed`,
      });
    }
  }
}

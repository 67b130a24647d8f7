/**
 * What a tenant workflow that ended without a result (terminated, timed out, failed) had applied, for its job's
 * summary: read by query from its last run, which Temporal replays to answer even after it closed.
 */
import { Context } from '@temporalio/activity';
import type { TenantAccount } from '../contracts/tenant';
import { tenantAccountQuery } from '../contracts/messages';
import { tenantWorkflowId } from '../contracts/names';

export interface AccountForTenantInput {
  jobId: string;
  tenantId: string;
}

export function createAccountForTenant() {
  return async function accountForTenant({
    jobId,
    tenantId,
  }: AccountForTenantInput): Promise<Pick<TenantAccount, 'applied' | 'throttled'>> {
    const handle = Context.current().client.workflow.getHandle(tenantWorkflowId(jobId, tenantId));
    const { applied, throttled } = await handle.query(tenantAccountQuery);
    return { applied, throttled };
  };
}

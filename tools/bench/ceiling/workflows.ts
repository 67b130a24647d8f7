/**
 * The benchmark's Temporal ceiling: the shape of a wfm-bulk job (a parent, a child per tenant, a sliding window
 * of activities on the tenant's own queue) with activities that do nothing, so what it measures is what Temporal
 * and this machine allow, with no pacing, HTTP or claim-check reads.
 */
import { condition, proxyActivities, startChild } from '@temporalio/workflow';

export interface CeilingTenant {
  taskQueue: string;
  activities: number;
  concurrency: number;
}

export async function ceilingJob(tenants: CeilingTenant[]): Promise<void> {
  const children = await Promise.all(
    tenants.map((tenant, index) =>
      startChild(ceilingTenant, { args: [tenant], workflowId: `ceiling-${index}-${tenant.taskQueue}` }),
    ),
  );
  await Promise.all(children.map((child) => child.result()));
}

export async function ceilingTenant(tenant: CeilingTenant): Promise<void> {
  const { noop } = proxyActivities<{ noop(): Promise<void> }>({
    taskQueue: tenant.taskQueue,
    startToCloseTimeout: '1 minute',
  });
  let inFlight = 0;
  for (let sent = 0; sent < tenant.activities; sent++) {
    await condition(() => inFlight < tenant.concurrency);
    inFlight++;
    void noop().finally(() => inFlight--);
  }
  await condition(() => inFlight === 0);
}

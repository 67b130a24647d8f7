/**
 * All activities, built around a worker process's dependencies. Workflows import this module's type only.
 */
import { createAccountForTenant } from './account-for-tenant';
import type { ActivityDeps } from './deps';
import { createHoldTenant } from './hold-tenant';
import { createClosedWorkflows, createJoinTenantLease } from './lease-membership';
import { createPutBatch } from './put-batch';
import { createServeTenant } from './serve-tenant';
import { createStoreFailures } from './store-failures';

export function createActivities(deps: ActivityDeps) {
  return {
    holdTenant: createHoldTenant(deps),
    joinTenantLease: createJoinTenantLease(),
    closedWorkflows: createClosedWorkflows(),
    /** Tenant workflows begun before the tenant's lease (patch `tenant-lease`) hold their tenant this way. */
    serveTenant: createServeTenant(deps),
    putBatch: createPutBatch(deps),
    accountForTenant: createAccountForTenant(),
    storeFailures: createStoreFailures(deps.store),
  };
}

export type Activities = ReturnType<typeof createActivities>;

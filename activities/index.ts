/**
 * All activities, built around a worker process's dependencies. Workflows import this module's type only.
 */
import type { ActivityDeps } from './deps';
import { createCheckTenantAccess } from './preflight';
import { createPutBatch } from './put-batch';

export function createActivities(deps: ActivityDeps) {
  return {
    checkTenantAccess: createCheckTenantAccess(deps),
    putBatch: createPutBatch(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * The Genesys tenants of a fault scene, as the Genesys writer's scenarios (19, 25) see them: their ids, three
 * schedules each, their rows, the simulated schedule API of each, and how many updates started or are processing.
 */
import { genesysRows, type GenesysRow } from '../../harness/world';
import type { BuScheduleRuntime } from '../../simulator/schedules/runtime';
import type { Scene } from '../scene';
import { TENANT_NAMES } from './common';

export interface GenesysTenants {
  tenantIds: string[];
  schedulesOf: (tenantId: string) => string[];
  rows: GenesysRow[];
  /** The simulated schedule-update API of a tenant. */
  runtimeOf: (tenantId: string) => BuScheduleRuntime;
  /** Updates started so far, all tenants. */
  started: () => number;
  /** Updates processing now, all tenants. */
  processing: () => number;
  /** Each tenant's schedule-update stats. */
  stats: () => ReturnType<BuScheduleRuntime['stats']>[];
}

/** The scene's tenants `TENANT_NAMES`, `perTenant` rows each over schedules `<tenant>-s1..s3`. */
export function genesysTenants(scene: Scene, perTenant: number): GenesysTenants {
  const tenantIds = TENANT_NAMES.map((name) => scene.world.tenant(name));
  const schedulesOf = (tenantId: string) => [`${tenantId}-s1`, `${tenantId}-s2`, `${tenantId}-s3`];
  const runtimeOf = (tenantId: string) => scene.world.sim.state.requireOrg(tenantId).buSchedules;
  const total = (count: (tenantId: string) => number) => tenantIds.reduce((sum, id) => sum + count(id), 0);
  return {
    tenantIds,
    schedulesOf,
    rows: tenantIds.flatMap((tenantId) => genesysRows(tenantId, schedulesOf(tenantId), perTenant)),
    runtimeOf,
    started: () => total((id) => runtimeOf(id).stats().updatesStarted),
    processing: () =>
      total(
        (id) =>
          runtimeOf(id)
            .operationLog()
            .filter((op) => op.status === 'Processing').length,
      ),
    stats: () => tenantIds.map((id) => runtimeOf(id).stats()),
  };
}

/** Pieces the job scenarios share: their tenants, input rows and wording. */
import { assignmentRows, type AssignmentRow, type World } from '../../harness/world';

export const TENANT_NAMES = ['acme', 'globex', 'initech'] as const;

/** `perTenant` valid assignments for each named tenant of the world, over two schedules each. */
export function rowsFor(world: World, names: readonly string[], perTenant: number, prefix: string): AssignmentRow[] {
  return names.flatMap((name) => {
    const tenantId = world.tenant(name);
    return assignmentRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], perTenant, prefix);
  });
}

export const percent = (part: number, whole: number) => `${Math.round((100 * part) / Math.max(1, whole))} %`;

/** A killed worker's tenants move to another process after this long without a heartbeat of its hold. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

export const times = (n: number) => (n === 1 ? 'once' : `${n} times`);

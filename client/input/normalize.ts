/**
 * From validated rows to what the client stores per tenant: items grouped by tenant, then by schedule.
 */
import type { StoredItem } from '../../contracts/assignment';
import { canonicalItem } from '../../contracts/stored-items';
import type { ParsedRow } from './types';

/**
 * Groups rows by tenant (in order of first appearance); within a tenant, sorts stably by scheduleId
 * (input order kept within a schedule), so that batches never mix schedules.
 */
export function groupByTenant(rows: readonly ParsedRow[]): Map<string, StoredItem[]> {
  const byTenant = new Map<string, StoredItem[]>();
  for (const row of rows) {
    const { tenantId, item } = storedItemOf(row);
    let items = byTenant.get(tenantId);
    if (!items) byTenant.set(tenantId, (items = []));
    items.push(item);
  }
  // Code-unit order, not localeCompare: the same everywhere, whatever the machine's locale.
  for (const items of byTenant.values()) items.sort((a, b) => compare(a.scheduleId, b.scheduleId));
  return byTenant;
}

/** A row as its tenant's job stores it (`plan` reports every row from this too, stored or not). */
export function storedItemOf({ line, row }: ParsedRow): { tenantId: string; item: StoredItem } {
  const { tenantId, scheduleId, businessUnitId, weekId, ...assignment } = row;
  return { tenantId, item: canonicalItem({ line, scheduleId, businessUnitId, weekId, assignment }) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

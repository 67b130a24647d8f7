/**
 * From validated rows to what the client stores per tenant: items grouped by schedule, encoded as NDJSON.
 */
import { z } from 'zod';
import { assignmentSchema } from '../../contracts/assignment';
import type { Assignment, StoredItem } from '../../contracts/assignment';
import type { ParsedRow } from './types';

/** The worker re-checks what it reads: a stored file is input too. */
const storedItemSchema = z
  .object({ line: z.number().int().nonnegative(), scheduleId: z.string().min(1), assignment: assignmentSchema })
  .strict();

/**
 * Groups rows by tenant (in order of first appearance); within a tenant, sorts stably by scheduleId
 * (input order kept within a schedule), so that batches never mix schedules.
 */
export function groupByTenant(rows: readonly ParsedRow[]): Map<string, StoredItem[]> {
  const byTenant = new Map<string, StoredItem[]>();
  for (const { line, row } of rows) {
    const { tenantId, scheduleId, ...assignment } = row;
    let items = byTenant.get(tenantId);
    if (!items) byTenant.set(tenantId, (items = []));
    items.push({ line, scheduleId, assignment: canonicalAssignment(assignment) });
  }
  // Code-unit order, not localeCompare: the same everywhere, whatever the machine's locale.
  for (const items of byTenant.values()) items.sort((a, b) => compare(a.scheduleId, b.scheduleId));
  return byTenant;
}

/** NDJSON bytes of the items, one per line, deterministic (same items → same bytes, whatever their key order). */
export function encodeStoredItems(items: readonly StoredItem[]): Buffer {
  const lines = items.map(({ line, scheduleId, assignment }) =>
    JSON.stringify({ line, scheduleId, assignment: canonicalAssignment(assignment) }),
  );
  return Buffer.from(lines.map((json) => `${json}\n`).join(''), 'utf8');
}

/** Reads what `encodeStoredItems` wrote. @throws Error naming the line of anything else */
export function decodeStoredItems(bytes: Buffer): StoredItem[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const items: StoredItem[] = [];
  text.split('\n').forEach((json, index) => {
    if (json === '') return;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new Error(`stored items, line ${index + 1}: ${(error as Error).message}`);
    }
    const parsed = storedItemSchema.safeParse(value);
    if (!parsed.success) throw new Error(`stored items, line ${index + 1}: ${z.prettifyError(parsed.error)}`);
    items.push(parsed.data);
  });
  return items;
}

/** The assignment's fields in a fixed order, absent ones left out (not `undefined`). */
function canonicalAssignment(assignment: Assignment): Assignment {
  const { id, userId, start, end, activityCodeId, managementUnitId, notes } = assignment;
  return {
    id,
    userId,
    start,
    end,
    ...(activityCodeId !== undefined && { activityCodeId }),
    ...(managementUnitId !== undefined && { managementUnitId }),
    ...(notes !== undefined && { notes }),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The claim-checked form of a tenant's items: NDJSON of `StoredItem`, one per line. The client writes it,
 * activities and reports read it; this module is the only place that knows the encoding.
 */
import { assignmentSchema, type Assignment, type StoredItem } from './assignment';

const ASSIGNMENT_KEYS = ['id', 'userId', 'start', 'end', 'activityCodeId', 'managementUnitId', 'notes'] as const;

/** Same items, same bytes: keys in a fixed order and absent fields left out, so equal inputs share one blob. */
export function encodeStoredItems(items: readonly StoredItem[]): Buffer {
  const lines = items.map((item) => {
    const assignment: Record<string, string> = {};
    for (const key of ASSIGNMENT_KEYS) {
      const value = item.assignment[key];
      if (value !== undefined) assignment[key] = value;
    }
    return JSON.stringify({ line: item.line, scheduleId: item.scheduleId, assignment });
  });
  return Buffer.from(lines.length ? `${lines.join('\n')}\n` : '');
}

/** Reads what `encodeStoredItems` wrote; checks each assignment again, as stored input may be shared. */
export function decodeStoredItems(bytes: Buffer): StoredItem[] {
  const items: StoredItem[] = [];
  const text = bytes.toString('utf8');
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    if (!line) continue;
    const raw = JSON.parse(line) as { line?: unknown; scheduleId?: unknown; assignment?: unknown };
    if (typeof raw.line !== 'number' || typeof raw.scheduleId !== 'string') {
      throw new Error(`stored items, line ${lineNumber}: not a stored item`);
    }
    const assignment: Assignment = assignmentSchema.parse(raw.assignment);
    items.push({ line: raw.line, scheduleId: raw.scheduleId, assignment });
  }
  return items;
}

/**
 * The claim-checked form of a tenant's items: NDJSON of `StoredItem`, one per line. The client writes it,
 * activities and reports read it; this module is the only place that knows the encoding.
 */
import { z } from 'zod';
import { assignmentSchema, type Assignment, type StoredItem } from './assignment';
import { weekIdSchema } from './writers';

/** The worker re-checks what it reads: a stored file is input too. */
const storedItemSchema = z
  .object({
    line: z.number().int().nonnegative(),
    scheduleId: z.string().min(1),
    businessUnitId: z.string().min(1).optional(),
    weekId: weekIdSchema.optional(),
    assignment: assignmentSchema,
  })
  .strict();

/** NDJSON bytes of the items, one per line, deterministic (same items → same bytes, whatever their key order). */
export function encodeStoredItems(items: readonly StoredItem[]): Buffer {
  const lines = items.map((item) => JSON.stringify(canonicalItem(item)));
  return Buffer.from(lines.map((json) => `${json}\n`).join(''), 'utf8');
}

/** Reads what `encodeStoredItems` wrote. @throws Error naming the line of anything else */
export function decodeStoredItems(bytes: Buffer): StoredItem[] {
  return storedItemLines(bytes).flatMap((json, index) => (json === '' ? [] : [decodeStoredItem(json, index + 1)]));
}

/**
 * The same, a slice of `linesPerSlice` lines at a time with `pause()` awaited between slices, so a big tenant's
 * items never hold the caller's event loop for long (20,000 items take some 100 ms to check in one go).
 */
export async function decodeStoredItemsInSlices(
  bytes: Buffer,
  pause: () => Promise<void>,
  linesPerSlice = 250,
): Promise<StoredItem[]> {
  const lines = storedItemLines(bytes);
  const items: StoredItem[] = [];
  for (let from = 0; from < lines.length; from += linesPerSlice) {
    if (from > 0) await pause();
    lines.slice(from, from + linesPerSlice).forEach((json, offset) => {
      if (json !== '') items.push(decodeStoredItem(json, from + offset + 1));
    });
  }
  return items;
}

function storedItemLines(bytes: Buffer): string[] {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes).split('\n');
}

function decodeStoredItem(json: string, line: number): StoredItem {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`stored items, line ${line}: ${(error as Error).message}`);
  }
  const parsed = storedItemSchema.safeParse(value);
  if (!parsed.success) throw new Error(`stored items, line ${line}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The item's fields in a fixed order: where its schedule lives only when given (so the bytes, and the
 * content-addressed refs, of PUT-writer items stay as they were), the assignment canonical.
 */
export function canonicalItem({ line, scheduleId, businessUnitId, weekId, assignment }: StoredItem): StoredItem {
  return {
    line,
    scheduleId,
    ...(businessUnitId !== undefined && { businessUnitId }),
    ...(weekId !== undefined && { weekId }),
    assignment: canonicalAssignment(assignment),
  };
}

/** The assignment's fields in a fixed order, absent ones left out (not `undefined`). */
export function canonicalAssignment(assignment: Assignment): Assignment {
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

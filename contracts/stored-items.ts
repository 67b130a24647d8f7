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
  const items = new EncodedItems(bytes);
  return items.slice(0, items.length);
}

/** UTF-8 throughout, or the line is named (no byte of a multi-byte character is a newline: lines decode alone). */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;

/**
 * Stored items held as they are stored and decoded a range at a time: a tenant's chunk kept so takes its bytes,
 * not the several times more its decoded objects would, and a batch decodes (and checks) only its own items.
 */
export class EncodedItems {
  /** Where each item's line starts and ends in the bytes, two numbers an item; empty lines are not items. */
  private readonly spans: Uint32Array;

  constructor(private readonly bytes: Buffer) {
    const spans: number[] = [];
    for (let from = 0; from < bytes.length;) {
      const newline = bytes.indexOf(NEWLINE, from);
      const to = newline === -1 ? bytes.length : newline;
      if (to > from) spans.push(from, to);
      from = to + 1;
    }
    this.spans = Uint32Array.from(spans);
  }

  get length(): number {
    return this.spans.length / 2;
  }

  /** Memory held: the stored bytes and where each line is. */
  get bytesHeld(): number {
    return this.bytes.length + this.spans.byteLength;
  }

  /** Items `[start, end)`, decoded and checked now. @throws Error naming the stored line that is not an item */
  slice(start: number, end: number): StoredItem[] {
    const items: StoredItem[] = [];
    for (let index = Math.max(0, start); index < Math.min(end, this.length); index++) {
      const from = this.spans[2 * index]!;
      try {
        items.push(decodeStoredItem(utf8.decode(this.bytes.subarray(from, this.spans[2 * index + 1]))));
      } catch (error) {
        // The line is counted only for the message: it takes a scan of the bytes before.
        const line = this.bytes.subarray(0, from).filter((byte) => byte === NEWLINE).length + 1;
        throw new Error(`stored items, line ${line}: ${(error as Error).message}`);
      }
    }
    return items;
  }

  /**
   * Every item, `perSlice` at a time with `pause()` awaited between slices, so a big tenant's items never hold the
   * caller's event loop for long (20,000 items take some 100 ms to check in one go).
   */
  async decodeInSlices(pause: () => Promise<void>, perSlice = 250): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    for (let from = 0; from < this.length; from += perSlice) {
      if (from > 0) await pause();
      items.push(...this.slice(from, from + perSlice));
    }
    return items;
  }
}

/** One line's item. @throws Error saying what is wrong with it (the caller names the line) */
function decodeStoredItem(json: string): StoredItem {
  const parsed = storedItemSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
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

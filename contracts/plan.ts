/**
 * How a tenant's stored items are cut into batches. The client counts batches, the tenant workflow sizes
 * them, the activity finds its items: all three must agree, so this is the one place that decides.
 *
 * Batches never cross a schedule (one PUT goes to one schedule) and hold at most `batchSize` items.
 */

/** Half-open range of item positions in a tenant's stored items. */
export interface BatchRange {
  start: number;
  end: number;
  /** Position of the batch's schedule among the tenant's schedules, in stored order. */
  schedule: number;
}

/** Lengths of the runs of equal schedule ids; stored items are grouped by schedule, so one run per schedule. */
export function scheduleSizes(scheduleIds: readonly string[]): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < scheduleIds.length; i++) {
    if (i > 0 && scheduleIds[i] === scheduleIds[i - 1]) sizes[sizes.length - 1]!++;
    else sizes.push(1);
  }
  return sizes;
}

/** The batches of items grouped into schedules of the given sizes. */
export function planBatches(sizesOfSchedules: readonly number[], batchSize: number): BatchRange[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const batches: BatchRange[] = [];
  let start = 0;
  sizesOfSchedules.forEach((size, schedule) => {
    for (let offset = 0; offset < size; offset += batchSize) {
      const length = Math.min(batchSize, size - offset);
      batches.push({ start, end: start + length, schedule });
      start += length;
    }
  });
  return batches;
}

/**
 * A tenant's items as the client stores them: NDJSON chunks of `size` items (the last may be shorter), so a worker
 * reads and keeps only the chunks its batches need, however many items the tenant has.
 */
export interface ItemChunks {
  refs: string[];
  size: number;
}

/** Items per stored chunk: some 190 KB of NDJSON, decoded in about 10 ms. */
export const ITEM_CHUNK_SIZE = 1_000;

/** The chunks a batch's items are in, and the position (in the tenant's items) of the first chunk's first item. */
export interface BatchChunks {
  refs: string[];
  firstItem: number;
}

/** The chunks holding items `start` to `end` (exclusive). */
export function chunksOf(chunks: ItemChunks, { start, end }: { start: number; end: number }): BatchChunks {
  const first = Math.floor(start / chunks.size);
  const last = Math.floor((end - 1) / chunks.size);
  return { refs: chunks.refs.slice(first, last + 1), firstItem: first * chunks.size };
}

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

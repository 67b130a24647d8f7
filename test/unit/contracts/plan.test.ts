import { describe, expect, it } from 'vitest';
import { chunksOf, planBatches, scheduleSizes } from '../../../contracts/plan';
import { addBatchFailure, addItemFailures } from '../../../workflows/failures';
import type { FailureRecord } from '../../../contracts/failures';

describe('planBatches', () => {
  it('never crosses a schedule and never exceeds the batch size', () => {
    const ids = ['a', 'a', 'a', 'a', 'a', 'b', 'c', 'c', 'c'];
    expect(scheduleSizes(ids)).toEqual([5, 1, 3]);
    expect(planBatches(scheduleSizes(ids), 2)).toEqual([
      { start: 0, end: 2, schedule: 0 },
      { start: 2, end: 4, schedule: 0 },
      { start: 4, end: 5, schedule: 0 },
      { start: 5, end: 6, schedule: 1 },
      { start: 6, end: 8, schedule: 2 },
      { start: 8, end: 9, schedule: 2 },
    ]);
  });

  it('covers every item exactly once, for batch size 1 too', () => {
    const sizes = [7, 1, 25, 26];
    for (const batchSize of [1, 5, 25, 100]) {
      const batches = planBatches(sizes, batchSize);
      expect(batches.reduce((sum, b) => sum + b.end - b.start, 0)).toBe(59);
      batches.forEach((b, i) => expect(b.start).toBe(i === 0 ? 0 : batches[i - 1]!.end));
    }
    expect(planBatches([], 25)).toEqual([]);
    expect(() => planBatches([3], 0)).toThrow(RangeError);
  });
});

describe('chunksOf', () => {
  const chunks = { refs: ['c0', 'c1', 'c2'], size: 10 };

  it('names the chunks that hold a batch, and where the first one starts', () => {
    expect(chunksOf(chunks, { start: 0, end: 10 })).toEqual({ refs: ['c0'], firstItem: 0 });
    expect(chunksOf(chunks, { start: 12, end: 15 })).toEqual({ refs: ['c1'], firstItem: 10 });
    expect(chunksOf(chunks, { start: 8, end: 12 })).toEqual({ refs: ['c0', 'c1'], firstItem: 0 });
    expect(chunksOf(chunks, { start: 9, end: 25 })).toEqual({ refs: ['c0', 'c1', 'c2'], firstItem: 0 });
    expect(chunksOf(chunks, { start: 20, end: 21 })).toEqual({ refs: ['c2'], firstItem: 20 });
  });

  it('gives every item of every batch of a plan from its chunks', () => {
    const sizes = [7, 1, 25, 26];
    const all = Array.from({ length: 59 }, (_, i) => i);
    const stored = { refs: [0, 1, 2, 3, 4, 5].map(String), size: 10 };
    for (const batchSize of [1, 5, 25, 50]) {
      for (const batch of planBatches(sizes, batchSize)) {
        const { refs, firstItem } = chunksOf(stored, batch);
        const held = refs.flatMap((ref) => all.slice(Number(ref) * 10, Number(ref) * 10 + 10));
        expect(held.slice(batch.start - firstItem, batch.end - firstItem)).toEqual(all.slice(batch.start, batch.end));
      }
    }
  });
});

describe('failure records', () => {
  const reason = { status: 404, code: 'not.found', message: 'schedule not found' };

  it('merges runs of whole batches failing for the same reason', () => {
    const records: FailureRecord[] = [];
    addBatchFailure(records, 3, 3, 25, reason);
    addBatchFailure(records, 4, 4, 25, reason);
    addBatchFailure(records, 5, 9, 110, reason);
    addBatchFailure(records, 11, 11, 25, reason); // not adjacent
    addBatchFailure(records, 12, 12, 25, { ...reason, message: 'other' });
    addBatchFailure(records, 13, 13, 0, reason); // nothing failed: no record
    expect(records).toEqual([
      { fromBatch: 3, toBatch: 9, count: 160, reason },
      { fromBatch: 11, toBatch: 11, count: 25, reason },
      { fromBatch: 12, toBatch: 12, count: 25, reason: { ...reason, message: 'other' } },
    ]);
  });

  it('groups refused items of a batch by reason', () => {
    const records: FailureRecord[] = [];
    const unknownUser = { status: 400, code: 'invalid-item', message: 'userId: user not found' };
    const badEnd = { status: 400, code: 'invalid-item', message: 'end: must be after start' };
    addItemFailures(records, 7, [
      { offset: 1, reason: unknownUser },
      { offset: 4, reason: badEnd },
      { offset: 9, reason: unknownUser },
    ]);
    expect(records).toEqual([
      { fromBatch: 7, toBatch: 7, offsets: [1, 9], count: 2, reason: unknownUser },
      { fromBatch: 7, toBatch: 7, offsets: [4], count: 1, reason: badEnd },
    ]);
  });
});

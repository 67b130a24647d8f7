import { describe, expect, it } from 'vitest';
import { planBatches } from '../../../contracts/plan';
import { BatchQueue } from '../../../workflows/tenant/batch-queue';

describe('BatchQueue', () => {
  // Two schedules of 4 and 3 items, batches of 2: [s0: 0-2, 2-4], [s1: 4-6, 6-7].
  const batches = planBatches([4, 3], 2);

  it('hands out the batches to send again first, then the next in plan order', () => {
    const carry = { redo: [] as number[], nextBatch: 0 };
    const queue = new BatchQueue(batches, carry);
    expect([queue.take(), queue.take()]).toEqual([0, 1]);
    queue.sendAgain(0);
    expect(queue.handedOut).toBe(1);
    expect(queue.take()).toBe(0);
    expect([queue.take(), queue.take()]).toEqual([2, 3]);
    expect(queue.hasWork).toBe(false);
    expect(queue.nextItem(7)).toBe(7);
    expect(carry).toEqual({ redo: [], nextBatch: 4 }); // the carried state follows
  });

  it('skips the rest of a schedule the API does not know', () => {
    const queue = new BatchQueue(batches, { redo: [], nextBatch: 1 });
    expect(queue.skipRestOfSchedule(0)).toEqual([1]);
    expect(queue.take()).toBe(2);
  });

  it('drains what was not sent: those to send again, then the rest as one run', () => {
    const queue = new BatchQueue(batches, { redo: [3, 1], nextBatch: 2 });
    expect(queue.nextItem(7)).toBe(4);
    expect(queue.drain()).toEqual({ again: [1, 3], rest: [2, 3] });
    expect(queue.hasWork).toBe(false);
    expect(queue.drain()).toEqual({ again: [] });
  });
});

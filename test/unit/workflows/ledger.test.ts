import { describe, expect, it } from 'vitest';
import type { PutBatchResult } from '../../../contracts/batch';
import type { FailedRange, FailureLog } from '../../../contracts/failures';
import { planBatches } from '../../../contracts/plan';
import { FAILURE_LOG_BOUND } from '../../../workflows/failures';
import { FailureLedger } from '../../../workflows/tenant/ledger';

const pacing = { mode: 'learning' as const, burst: 1 };
const reason = (message: string) => ({ code: 'invalid-item', status: 400, message });

function ledger(scheduleSizes: number[], batchSize: number) {
  const batches = planBatches(scheduleSizes, batchSize);
  const counts = { applied: 0, failed: 0, throttled: 0 };
  const log: FailureLog = { stored: [], recent: [] };
  const blocks: FailedRange[][] = [];
  const store = (ranges: FailedRange[]) => {
    blocks.push(ranges);
    return Promise.resolve(`block-${blocks.length}`);
  };
  return { ledger: new FailureLedger(batches, counts, log, store), counts, log, blocks };
}

describe('FailureLedger', () => {
  it('counts what landed and what was refused item by item, with the 429s met', () => {
    const { ledger: l, counts, log } = ledger([10], 5);
    const result: PutBatchResult = {
      outcome: 'done',
      applied: 3,
      failures: [
        { offset: 4, reason: reason('bad end') },
        { offset: 1, reason: reason('bad user') },
      ],
      throttled: 2,
      pacing,
    };
    l.recordResult(1, result);
    expect(counts).toEqual({ applied: 3, failed: 2, throttled: 2 });
    expect(log.recent).toEqual([
      { start: 6, end: 7, reason: reason('bad user') },
      { start: 9, end: 10, reason: reason('bad end') },
    ]);
  });

  it('records a batch refused as a whole, and the rest of one refused after some items, with its reason', () => {
    const { ledger: l, counts, log } = ledger([10], 5);
    const gone = { status: 404, code: 'not.found', message: 'schedule s1 not found' };
    l.recordResult(0, { outcome: 'rejected', reason: gone, count: 5, failures: [], throttled: 0, pacing });
    l.recordResult(1, {
      outcome: 'rejected',
      reason: gone,
      count: 4,
      failures: [{ offset: 2, reason: reason('bad') }],
      throttled: 0,
      pacing,
    });
    expect(counts.failed).toBe(10);
    expect(log.recent).toEqual([
      { start: 0, end: 7, reason: gone },
      { start: 7, end: 8, reason: reason('bad') },
      { start: 8, end: 10, reason: gone },
    ]);
  });

  it('counts a block the activity stored itself once', () => {
    const { ledger: l, counts, log } = ledger([20], 20);
    l.recordResult(0, {
      outcome: 'done',
      applied: 5,
      failures: [],
      storedFailures: { ref: 'r1', count: 15 },
      throttled: 0,
      pacing,
    });
    expect(counts).toMatchObject({ applied: 5, failed: 15 });
    expect(log).toEqual({ stored: ['r1'], recent: [] });
  });

  it('moves the ranges to the store past the bound, however each reason reads', async () => {
    const { ledger: l, counts, log, blocks } = ledger([FAILURE_LOG_BOUND + 5], 1);
    for (let batch = 0; batch < FAILURE_LOG_BOUND + 5; batch++)
      l.recordBatches(batch, batch, reason(`reason ${batch}`));
    expect(l.busy).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(l.busy).toBe(false);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toHaveLength(FAILURE_LOG_BOUND);
    expect(log.stored).toEqual(['block-1']);
    expect(log.recent).toHaveLength(5);
    expect(counts.failed).toBe(FAILURE_LOG_BOUND + 5);
  });

  it('seals a log longer than what a result carries into the store, and leaves a short one inline', async () => {
    const { ledger: l, log, blocks } = ledger([12], 1);
    for (let batch = 0; batch < 3; batch++) l.recordBatches(batch, batch, reason(`reason ${batch}`));
    l.seal(3);
    expect(l.busy).toBe(false);
    expect(log).toMatchObject({ stored: [], recent: [{ start: 0 }, { start: 1 }, { start: 2 }] });

    for (let batch = 3; batch < 12; batch++) l.recordBatches(batch, batch, reason(`reason ${batch}`));
    l.seal(3);
    expect(l.busy).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(l.busy).toBe(false);
    expect(blocks).toEqual([
      Array.from({ length: 12 }, (_, i) => ({ start: i, end: i + 1, reason: reason(`reason ${i}`) })),
    ]);
    expect(log).toEqual({ stored: ['block-1'], recent: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { Isolation, SINGLE_ROW_TRIES } from '../../../../activities/writers/schedule-update/isolation';

/**
 * Drives the isolation as the writer does against a platform that refuses every update holding a row of `bad`:
 * returns the rows failed and the updates sent.
 */
function isolate(n: number, bad: ReadonlySet<number>): { failed: number[]; updates: number } {
  const isolation = new Isolation(Array.from({ length: n }, (_, i) => i));
  const failed: number[] = [];
  let updates = 0;
  for (let group = isolation.current; group; group = isolation.current) {
    updates++;
    if (group.some((offset) => bad.has(offset))) failed.push(...isolation.refused(group));
    else isolation.settled();
  }
  return { failed: failed.sort((a, b) => a - b), updates };
}

describe('isolating the rows the platform refuses', () => {
  it('lands everything in one update when nothing is refused', () => {
    expect(isolate(200, new Set())).toEqual({ failed: [], updates: 1 });
  });

  it('fails exactly the refused rows, at about k·log₂(n) extra updates', () => {
    for (const bad of [[0], [199], [7, 150], [3, 4, 5], [10, 60, 110, 160]]) {
      const { failed, updates } = isolate(200, new Set(bad));
      expect(failed).toEqual(bad);
      // Each refused row: a path of splits down to it (≤ 2 updates per level) and its tries alone.
      expect(updates).toBeLessThanOrEqual(1 + bad.length * (2 * Math.ceil(Math.log2(200)) + SINGLE_ROW_TRIES));
    }
  });

  it('tries a row alone again before failing it, so a passing refusal does not fail a good row', () => {
    const isolation = new Isolation([0, 1]);
    expect(isolation.refused([0, 1])).toEqual([]);
    expect(isolation.current).toEqual([0]);
    expect(isolation.refused([0])).toEqual([]);
    expect(isolation.current).toEqual([0]);
    isolation.settled(); // the retry landed
    expect(isolation.current).toEqual([1]);
    isolation.settled();
    expect(isolation.current).toBeUndefined();
    expect(isolation.splits).toBe(1);
  });

  it('splits only what was sent: rows already present are not sent again', () => {
    const isolation = new Isolation([0, 1, 2, 3]);
    expect(isolation.refused([1, 2, 3])).toEqual([]);
    expect(isolation.current).toEqual([1, 2]);
    isolation.settled();
    expect(isolation.current).toEqual([3]);
  });
});

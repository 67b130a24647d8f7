import { describe, expect, it } from 'vitest';
import { sharesOf } from '../../../workflows/lease/shares';

const members = (...active: boolean[]) => active.map((a) => ({ active: a }));

describe('sharesOf', () => {
  it('gives one job the whole concurrency', () => {
    expect(sharesOf(members(true), 5)).toEqual([5]);
  });

  it('splits evenly, the remainder to the earliest joined, so shares sum to the concurrency', () => {
    expect(sharesOf(members(true, true, true), 5)).toEqual([2, 2, 1]);
    expect(sharesOf(members(true, true), 6)).toEqual([3, 3]);
  });

  it("gives a paused job's share to the others", () => {
    expect(sharesOf(members(true, false, true), 5)).toEqual([3, 0, 2]);
    expect(sharesOf(members(false, false), 5)).toEqual([0, 0]);
  });

  it('gives every active job at least one when there are more jobs than slots', () => {
    expect(sharesOf(members(true, true, true), 2)).toEqual([1, 1, 1]);
  });
});

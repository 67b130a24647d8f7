import { describe, expect, it } from 'vitest';
import { LeaseFence } from '../../../pacing/fence';

describe('LeaseFence', () => {
  const clockAt = (now: number) => ({ now });

  it('is closed in a process that holds no lease, waits while a hold claims, opens once the claim is confirmed', () => {
    const clock = clockAt(1_000);
    const fence = new LeaseFence(() => clock.now);
    expect(fence.verdict()).toBe('closed');
    fence.claiming('attempt-1');
    expect(fence.verdict()).toBe('wait');
    fence.hold('attempt-1', 10, 9_000);
    expect(fence.verdict()).toBe('open');
    expect(fence.epoch).toBe(10);
  });

  it('shuts when the proof of the lease runs out, and opens again only with a confirmed renewal', () => {
    const clock = clockAt(1_000);
    const fence = new LeaseFence(() => clock.now);
    let changes = 0;
    fence.onChange(() => changes++);
    fence.hold('a', 10, 9_000);
    clock.now = 9_000; // a stall: nothing was confirmed since
    expect(fence.verdict()).toBe('wait');
    expect(fence.mayWrite(10)).toBe(false);
    const before = changes;
    fence.confirm(10, 20_000);
    expect(changes).toBe(before + 1); // the line is looked at again
    expect(fence.mayWrite(10)).toBe(true);
    // A renewal that proves less than is already proven changes nothing.
    fence.confirm(10, 15_000);
    clock.now = 19_999;
    expect(fence.verdict()).toBe('open');
  });

  it('lets a request go only under the epoch it was written for', () => {
    const fence = new LeaseFence(() => 0);
    fence.hold('a', 10, 5_000);
    expect(fence.mayWrite(10)).toBe(true);
    fence.hold('b', 11, 5_000); // this process claimed again (a new hold)
    expect(fence.mayWrite(10)).toBe(false);
    expect(fence.mayWrite(11)).toBe(true);
  });

  it('ignores an older epoch and a stale attempt letting go', () => {
    const fence = new LeaseFence(() => 0);
    fence.hold('new', 11, 5_000);
    fence.hold('old', 10, 9_000);
    expect(fence.epoch).toBe(11);
    fence.confirm(10, 50_000);
    fence.release('old', 10);
    expect(fence.verdict()).toBe('open');
    fence.release('new', 11);
    expect(fence.verdict()).toBe('closed');
  });

  it('waits while any attempt of this process may still claim', () => {
    const fence = new LeaseFence(() => 0);
    fence.claiming('x');
    fence.claiming('y');
    fence.release('x', undefined);
    expect(fence.verdict()).toBe('wait');
    fence.release('y', undefined);
    expect(fence.verdict()).toBe('closed');
  });

  it('is open while a hold of a run begun by 0.5.0 serves the tenant, whatever the lease', () => {
    const fence = new LeaseFence(() => 0);
    const close = fence.openLegacy();
    expect(fence.mayWrite(undefined)).toBe(true);
    close();
    close();
    expect(fence.verdict()).toBe('closed');
  });
});

import { describe, expect, it } from 'vitest';
import { TenantGate } from '../../../activities/tenant-gate';

describe('TenantGate', () => {
  it('lets everything through when there is no rate and no cooldown', () => {
    const gate = new TenantGate(() => 1_000);
    for (let i = 0; i < 100; i++) expect(gate.tryTake()).toBe(0);
  });

  it('holds every request until a cooldown ends; a shorter cooldown never shortens it', () => {
    const clock = { now: 10_000 };
    const gate = new TenantGate(() => clock.now);
    gate.holdUntil(12_000);
    gate.holdUntil(11_000);
    expect(gate.tryTake()).toBe(2_000);
    expect(gate.cooldownEndsAt).toBe(12_000);
    clock.now = 11_999;
    expect(gate.tryTake()).toBe(1);
    clock.now = 12_000;
    expect(gate.tryTake()).toBe(0);
    expect(gate.cooldownEndsAt).toBeUndefined();
  });

  it('paces at the rate after a burst of one second’s worth', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.setRate(4);
    for (let i = 0; i < 4; i++) expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBe(250);
    clock.now += 250;
    expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBe(250);
    // Over ten seconds at most 40 more requests pass.
    let passed = 0;
    for (let t = 0; t < 10_000; t += 10) {
      clock.now += 10;
      while (gate.tryTake() === 0) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(39);
    expect(passed).toBeLessThanOrEqual(41);
  });

  it('applies a lower rate at once', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.setRate(100);
    gate.setRate(1);
    expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBe(1_000);
  });
});

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

  it('holds a request until the slot the pacer gave it', () => {
    const clock = { now: 1_000 };
    const gate = new TenantGate(() => clock.now);
    expect(gate.tryTake(1_250)).toBe(250);
    clock.now = 1_250;
    expect(gate.tryTake(1_250)).toBe(0);
    gate.holdUntil(3_000);
    expect(gate.tryTake(1_300)).toBe(1_750); // a cooldown outlasts the slot
  });
});

describe('TenantGate after a cooldown', () => {
  it('lets one probe go when the window ends, holds the rest until it answers', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.holdUntil(1_000);
    clock.now = 1_000;
    expect(gate.tryTake()).toBe(0); // the probe
    expect(gate.tryTake()).toBeGreaterThan(0);
    expect(gate.tryTake()).toBeGreaterThan(0);
    gate.requestDone(false);
    expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBe(0);
  });

  it('keeps probing after a probe is throttled again', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.holdUntil(1_000);
    clock.now = 1_000;
    expect(gate.tryTake()).toBe(0);
    gate.holdUntil(2_000); // the probe met a 429 of its own
    gate.requestDone(true);
    expect(gate.tryTake()).toBe(1_000);
    clock.now = 2_000;
    expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBeGreaterThan(0);
  });

  it('does not probe again for a cooldown it has already seen', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.holdUntil(1_000);
    clock.now = 1_000;
    expect(gate.tryTake()).toBe(0);
    gate.requestDone(false);
    gate.holdUntil(1_000); // the same window, heard again through the workflow
    expect(gate.tryTake()).toBe(0);
    expect(gate.tryTake()).toBe(0);
  });

  it('lets another probe go when one never reports back', () => {
    const clock = { now: 0 };
    const gate = new TenantGate(() => clock.now);
    gate.holdUntil(1);
    clock.now = 1;
    expect(gate.tryTake()).toBe(0);
    clock.now += 29_000;
    expect(gate.tryTake()).toBeGreaterThan(0);
    clock.now += 1_001;
    expect(gate.tryTake()).toBe(0);
  });
});

describe('TenantGate retry slots', () => {
  it('spaces the retries of requests throttled together, a little more than a gap apart after the window', () => {
    const gate = new TenantGate(() => 0);
    expect(gate.throttled(1_000, 1_000, 125)).toBe(1_000);
    expect(gate.throttled(1_010, 1_000, 125)).toBe(1_150);
    expect(gate.throttled(1_020, 1_000, 125)).toBe(1_300);
    // A later 429, not part of that cluster, starts a new one.
    expect(gate.throttled(3_000, 1_000, 125)).toBe(1_000);
  });
});

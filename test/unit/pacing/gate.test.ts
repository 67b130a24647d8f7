import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_AFTER_MS,
  MAX_DEFAULT_RETRY_AFTER_MS,
  TenantGate,
  WINDOW_RESET_MARGIN_MS,
  defaultRetryAfterMs,
  type GateTicket,
} from '../../../pacing/gate';
import { initialPacer } from '../../../pacing/pacer';

function gateAt(clock: { now: number }, limits: { ratePerSecond?: number; burst?: number } = {}) {
  return new TenantGate(initialPacer(limits, clock.now), () => clock.now);
}

function ticket(gate: TenantGate): GateTicket {
  const decision = gate.poll();
  if (typeof decision === 'number') throw new Error(`expected a ticket, the gate says wait ${decision} ms`);
  return decision;
}

describe('TenantGate', () => {
  it('while no rate is known, lets out two requests, then one more for each answered one (slow start)', () => {
    const clock = { now: 1_000 };
    const gate = gateAt(clock);
    const first = [ticket(gate), ticket(gate)];
    expect(gate.poll()).toBe(Infinity);
    gate.answered(first[0]!, { kind: 'answered' }); // window 3, one still out
    const second = [ticket(gate), ticket(gate)];
    expect(gate.poll()).toBe(Infinity);
    for (const sent of [first[1]!, ...second]) gate.answered(sent, { kind: 'answered' });
    const third = [1, 2, 3, 4, 5, 6].map(() => ticket(gate)); // window 6, none out
    expect(gate.poll()).toBe(Infinity);
    // A 429 starts it over at two; answers to requests sent before it do not count.
    gate.answered(third[0]!, { kind: 'throttled', at: clock.now, retryAfterMs: 1_000 });
    for (const sent of third.slice(1)) gate.answered(sent, { kind: 'answered' });
    clock.now += 10_000;
    const probe = ticket(gate);
    expect(probe.probe).toBe(true);
    gate.answered(probe, { kind: 'answered' }); // window 3
    [1, 2, 3].forEach(() => ticket(gate));
    expect(gate.poll()).toBe(Infinity);
  });

  it('with a rate, ramps the requests out at once the same way up to the burst, then lets the pacer alone pace', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock, { ratePerSecond: 100, burst: 40 });
    const released: number[] = [];
    let out: GateTicket[] = [];
    // A round trip a second (the pacer's bucket full again each time), every request out answered in it.
    for (let round = 0; round < 7; round++) {
      for (let decision = gate.poll(); typeof decision !== 'number'; decision = gate.poll()) out.push(decision);
      released.push(out.length);
      clock.now += 1_000;
      for (const sent of out) gate.answered(sent, { kind: 'answered' });
      out = [];
    }
    const burst = gate.pacer.burst;
    expect(burst).toBeGreaterThan(32);
    // Two, doubling each round trip; past the burst only the pacer's bucket (plus the slot it has reserved for
    // the next request) holds requests back, no longer the window (64 by then).
    expect(released.slice(0, 5)).toEqual([2, 4, 8, 16, 32]);
    for (const count of released.slice(5)) expect([burst, burst + 1]).toContain(count);
  });

  it('releases requests one pacer slot apart at a configured rate', () => {
    const clock = { now: 0 };
    // 5/s with a burst of 3 is planned with slack: 4.9/s, 2 at once.
    const gate = gateAt(clock, { ratePerSecond: 5, burst: 3 });
    ticket(gate);
    ticket(gate);
    expect(gate.poll()).toBe(205);
    clock.now = 205;
    ticket(gate);
    expect(gate.poll()).toBe(409 - 205);
  });

  it('holds every request from the 429 until its Retry-After has passed', () => {
    const clock = { now: 10_000 };
    const gate = gateAt(clock);
    const sent = ticket(gate);
    expect(gate.answered(sent, { kind: 'throttled', at: 10_000, retryAfterMs: 2_000 })).toBe(2_000);
    expect(gate.poll()).toBe(2_000);
    expect(gate.cooldownEndsAt).toBe(12_000);
    clock.now = 11_999;
    expect(gate.poll()).toBe(1);
    clock.now = 12_000;
    expect(ticket(gate).probe).toBe(true);
  });

  it('holds for a default when no Retry-After can be read, doubling while that goes on', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    expect(gate.answered(ticket(gate), { kind: 'throttled', at: 0 })).toBe(DEFAULT_RETRY_AFTER_MS);
    clock.now = DEFAULT_RETRY_AFTER_MS;
    const probe = ticket(gate);
    expect(gate.answered(probe, { kind: 'throttled', at: clock.now })).toBe(2 * DEFAULT_RETRY_AFTER_MS);
    expect(defaultRetryAfterMs(30)).toBe(MAX_DEFAULT_RETRY_AFTER_MS);
  });

  it('lets the Retry-After found in a 429 body replace the default hold of that same 429', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    const sent = ticket(gate);
    gate.answered(sent, { kind: 'throttled', at: 0 });
    expect(gate.retryAfterFromBody(sent, 0, 42_000)).toBe(42_000);
    expect(gate.cooldownEndsAt).toBe(42_000);
  });

  it('never shortens a cooldown: an earlier hold changes nothing', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    gate.holdUntil(5_000);
    expect(gate.holdUntil(3_000)).toBe(false);
    expect(gate.cooldownEndsAt).toBe(5_000);
  });
});

describe('TenantGate probe after a cooldown', () => {
  function cooledDown() {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    const early = ticket(gate); // sent before the 429 below, answered late
    gate.answered(ticket(gate), { kind: 'throttled', at: 0, retryAfterMs: 1_000 });
    clock.now = 1_000;
    return { clock, gate, early };
  }

  it('lets one probe go when the window ends and holds the rest until the probe itself is answered', () => {
    const { gate } = cooledDown();
    const probe = ticket(gate);
    expect(probe.probe).toBe(true);
    expect(gate.poll()).toBe(Infinity);
    gate.answered(probe, { kind: 'answered' });
    expect(ticket(gate).probe).toBe(false);
    expect(ticket(gate).probe).toBe(false);
  });

  it('is not settled by the answer of a request sent before the cooldown', () => {
    const { gate, early } = cooledDown();
    ticket(gate); // the probe, still out
    gate.answered(early, { kind: 'answered' });
    expect(gate.poll()).toBe(Infinity);
  });

  it('sends another probe when the probe gets no answer', () => {
    const { gate } = cooledDown();
    const lost = ticket(gate);
    gate.answered(lost, { kind: 'unanswered' });
    const next = ticket(gate);
    expect(next.probe).toBe(true);
    expect(gate.poll()).toBe(Infinity);
  });

  it('keeps probing after the probe is throttled again', () => {
    const { clock, gate } = cooledDown();
    const probe = ticket(gate);
    gate.answered(probe, { kind: 'throttled', at: clock.now, retryAfterMs: 1_000 });
    expect(gate.poll()).toBe(1_000);
    // The pacer has learned one request per Retry-After by now, and owes the throttled one its token.
    clock.now = 10_000;
    expect(ticket(gate).probe).toBe(true);
    expect(gate.poll()).toBe(Infinity);
  });

  it('starts over when a late 429 of an earlier request extends the cooldown while the probe is out', () => {
    const { clock, gate, early } = cooledDown();
    const probe = ticket(gate);
    gate.answered(early, { kind: 'throttled', at: clock.now, retryAfterMs: 2_000 });
    gate.answered(probe, { kind: 'answered' }); // no longer the probe that counts
    expect(gate.poll()).toBe(2_000);
    clock.now = 3_000;
    expect(ticket(gate).probe).toBe(true);
  });

  it('spaces the retries of requests throttled together one Retry-After apart while no rate is known', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    gate.answered(ticket(gate), { kind: 'answered' }); // the slow start lets three out at once now
    const together = [ticket(gate), ticket(gate), ticket(gate)];
    const delays = together.map((sent) => gate.answered(sent, { kind: 'throttled', at: 0, retryAfterMs: 1_000 }));
    expect(delays).toEqual([1_000, 2_000, 3_000]);
    // A long window: all come back at its end, a second apart (the first is the probe, the others wait for it).
    const fresh = gateAt(clock);
    const later = [ticket(fresh), ticket(fresh)];
    const longDelays = later.map((sent) => fresh.answered(sent, { kind: 'throttled', at: 0, retryAfterMs: 60_000 }));
    expect(longDelays.map((delay) => delay - longDelays[0]!)).toEqual([0, 1_000]);
  });

  it('closes before the 429 when the platform’s rate-limit headers say the window is spent', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    const quota = (count: number) => ({ count, allowed: 300, resetInMs: 20_000 });
    gate.answered(ticket(gate), { kind: 'answered', at: 0, quota: quota(298) }); // room for 2
    const [a, b] = [ticket(gate), ticket(gate)];
    // One answered with another still out: the window has room for no more.
    gate.answered(a, { kind: 'answered', at: 100, quota: quota(299) });
    expect(gate.poll()).toBe(100 + 20_000 + WINDOW_RESET_MARGIN_MS);
    // A request let out before the hold goes back in line unsent; its answer still counts.
    expect(gate.mayStillSend(b)).toBe(false);
    expect(gate.quotaHolds).toBe(1);
    expect(gate.throttled).toBe(0);
    clock.now = 20_600;
    expect(ticket(gate).probe).toBe(true);
  });

  it('paces on as usual while the headers show room', () => {
    const clock = { now: 0 };
    const gate = gateAt(clock);
    gate.answered(ticket(gate), { kind: 'answered', at: 0, quota: { count: 5, allowed: 300, resetInMs: 50_000 } });
    expect(typeof gate.poll()).toBe('object');
    expect(gate.quotaHolds).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { TenantGate } from '../../../pacing/gate';
import { initialPacer } from '../../../pacing/pacer';
import { GateWaitTooLong, WaitingRoom } from '../../../pacing/waiting-room';

function room(limits: { ratePerSecond?: number; burst?: number } = {}) {
  return new WaitingRoom(new TenantGate(initialPacer(limits, Date.now())));
}

describe('WaitingRoom', () => {
  it('lets requests through in arrival order at the pacer’s rate', async () => {
    const line = room({ ratePerSecond: 50, burst: 1 });
    const order: number[] = [];
    const started = Date.now();
    await Promise.all([0, 1, 2, 3].map((i) => line.enter(5_000).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    // 49/s planned: three gaps of about 20 ms after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('holds the others until the probe after a cooldown is answered', async () => {
    const line = room();
    const first = await line.enter(5_000);
    line.answered(first, { kind: 'throttled', at: Date.now(), retryAfterMs: 50 });
    const probe = await line.enter(5_000);
    expect(probe.probe).toBe(true);
    let released = false;
    const next = line.enter(5_000).then((ticket) => ((released = true), ticket));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(released).toBe(false);
    line.answered(probe, { kind: 'answered' });
    expect((await next).probe).toBe(false);
  });

  it('turns a request away at once when the cooldown outlasts its longest wait', async () => {
    const line = room();
    line.gate.holdUntil(Date.now() + 60_000);
    const turnedAway = await line.enter(1_000).catch((error: unknown) => error);
    expect(turnedAway).toBeInstanceOf(GateWaitTooLong);
    expect((turnedAway as GateWaitTooLong).retryInMs).toBeGreaterThan(59_000);
    expect(line.waiting).toBe(0);
  });

  it('lets a cancelled request leave the line', async () => {
    const line = room();
    line.gate.holdUntil(Date.now() + 500);
    const abort = new AbortController();
    const waiting = line.enter(5_000, abort.signal).catch((error: unknown) => error);
    abort.abort(new Error('cancelled'));
    expect(await waiting).toMatchObject({ message: 'cancelled' });
    expect(line.waiting).toBe(0);
  });
});

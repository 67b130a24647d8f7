import { describe, expect, it } from 'vitest';
import { TenantGate } from '../../../pacing/gate';
import { initialPacer } from '../../../pacing/pacer';
import { LeaseFence } from '../../../pacing/fence';
import { GateWaitTooLong, LeaseNotHeldError, WaitingRoom } from '../../../pacing/waiting-room';

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

  describe('behind the lease fence', () => {
    function fenced() {
      const fence = new LeaseFence();
      const line = new WaitingRoom(new TenantGate(initialPacer({}, Date.now())), Date.now, fence);
      fence.onChange(() => line.pump());
      return { fence, line };
    }
    const settled = (promise: Promise<unknown>) =>
      Promise.race([
        promise.then(
          () => 'through',
          () => 'turned away',
        ),
        sleep(50).then(() => 'waiting'),
      ]);

    it('lets nobody through while a claim is under way or the lease is not confirmed, then all in order', async () => {
      const { fence, line } = fenced();
      fence.claiming('hold');
      const first = line.enter(5_000);
      expect(await settled(first)).toBe('waiting');
      fence.hold('hold', 3, Date.now() - 1); // claimed, but its proof already ran out (a stall)
      expect(await settled(first)).toBe('waiting');
      fence.confirm(3, Date.now() + 60_000);
      expect(await settled(first)).toBe('through');
    });

    it('turns everyone away once the process no longer holds the lease', async () => {
      const { fence, line } = fenced();
      fence.hold('hold', 3, Date.now() - 1);
      const waiting = [line.enter(5_000), line.enter(5_000)].map((entered) => entered.catch((e: unknown) => e));
      await sleep(20);
      fence.release('hold', 3);
      for (const outcome of await Promise.all(waiting)) expect(outcome).toBeInstanceOf(LeaseNotHeldError);
      expect(line.waiting).toBe(0);
    });

    it('hands its line over to a new gate, and a request that leaves from there leaves for good', async () => {
      const { fence, line } = fenced();
      fence.claiming('hold');
      const abort = new AbortController();
      const left = line.enter(5_000, abort.signal).catch((e: unknown) => e);
      const stays = line.enter(5_000);
      const next = new WaitingRoom(new TenantGate(initialPacer({}, Date.now())), Date.now, fence);
      line.moveTo(next);
      abort.abort(new Error('cancelled'));
      expect(await left).toMatchObject({ message: 'cancelled' });
      expect(next.waiting).toBe(1);
      fence.hold('hold', 4, Date.now() + 60_000);
      next.pump();
      expect(await settled(stays)).toBe('through');
    });
  });
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

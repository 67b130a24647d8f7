/**
 * The line in front of a tenant's gate, in real time: requests wait here in arrival order and are let through
 * one by one as the gate allows. One timer per tenant, not one per request.
 *
 * Requests are let through only from the event loop's check phase (`setImmediate`), after the I/O that is waiting
 * has been read: when a busy process's timer fires late, a 429 already in its socket is read (and closes the gate)
 * before anyone else goes, instead of after.
 */
import type { LeaseFence } from './fence';
import type { GateTicket, RequestAnswer, TenantGate } from './gate';

/** A request turned away because it would wait too long here; it should come back after `retryInMs`. */
export class GateWaitTooLong extends Error {
  constructor(readonly retryInMs: number) {
    super(`the tenant's gate stays closed for ${retryInMs} ms more`);
    this.name = 'GateWaitTooLong';
  }
}

/** A request in a process that does not hold the tenant's lease: nothing was sent; it belongs with the holder. */
export class LeaseNotHeldError extends Error {
  constructor() {
    super("this worker process does not hold the tenant's lease");
    this.name = 'LeaseNotHeldError';
  }
}

interface Waiter {
  resolve(ticket: GateTicket): void;
  reject(error: Error): void;
  deadline: number;
  /** The line it waits in (it moves when the tenant's gate starts afresh). */
  room: WaitingRoom;
}

export class WaitingRoom {
  private readonly line: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private letThrough: NodeJS.Immediate | undefined;

  /**
   * @param fence when given, nobody leaves the line while it is shut, and everyone is turned away with
   *   `LeaseNotHeldError` once it is closed for good; call `pump()` when it changes
   */
  constructor(
    readonly gate: TenantGate,
    private readonly now: () => number = Date.now,
    private readonly fence?: LeaseFence,
  ) {}

  get waiting(): number {
    return this.line.length;
  }

  /**
   * Resolves with a ticket when this request may go: send it at once, and report its answer with `answered`.
   * @param maxWaitMs longest wait; a request that would wait longer is turned away with `GateWaitTooLong`
   * @param signal aborting it leaves the line (the promise rejects with the signal's reason)
   */
  enter(maxWaitMs: number, signal?: AbortSignal): Promise<GateTicket> {
    signal?.throwIfAborted();
    return new Promise<GateTicket>((resolve, reject) => {
      const waiter: Waiter = {
        room: this,
        deadline: this.now() + maxWaitMs,
        resolve: (ticket) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(ticket);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        waiter.room.leave(waiter);
        const reason: unknown = signal!.reason;
        waiter.reject(reason instanceof Error ? reason : new Error(String(reason)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(waiter);
      this.pump();
    });
  }

  /** Reports a ticket's answer to the gate and lets the next ones through if they may go. */
  answered(ticket: GateTicket, answer: RequestAnswer): number {
    const retryInMs = this.gate.answered(ticket, answer);
    this.pump();
    return retryInMs;
  }

  /**
   * Hands everyone waiting here over to `next` (a gate started afresh), in their order: this line is done with.
   */
  moveTo(next: WaitingRoom): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.letThrough) clearImmediate(this.letThrough);
    this.letThrough = undefined;
    for (const waiter of this.line.splice(0)) {
      waiter.room = next;
      next.line.push(waiter);
    }
    next.pump();
  }

  /** Looks at the line again, once pending I/O has been read (see above); also after the gate changed from outside. */
  pump(): void {
    this.letThrough ??= setImmediate(() => {
      this.letThrough = undefined;
      this.release();
    });
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      this.turnAwayLongWaits();
      const head = this.line[0];
      if (!head) return;
      const fence = this.fence?.verdict() ?? 'open';
      if (fence === 'closed') {
        for (const waiter of this.line.splice(0)) waiter.reject(new LeaseNotHeldError());
        return;
      }
      if (fence === 'wait') {
        // A confirmed renewal or a claim calls pump(); the timer only serves deadlines meanwhile.
        this.schedule(this.nextDeadline() - this.now());
        return;
      }
      const decision = this.gate.poll();
      if (typeof decision !== 'number') {
        this.line.shift();
        head.resolve(decision);
        continue;
      }
      if (decision === Infinity) {
        // The probe's answer calls pump(); the timer only serves deadlines meanwhile.
        this.schedule(this.nextDeadline() - this.now());
      } else {
        this.schedule(Math.min(decision, this.nextDeadline() - this.now()));
      }
      return;
    }
  }

  private schedule(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.timer = setTimeout(() => this.pump(), Math.max(1, ms));
    this.timer.unref?.();
  }

  private nextDeadline(): number {
    return this.line.reduce((soonest, waiter) => Math.min(soonest, waiter.deadline), Infinity);
  }

  /** Everyone past their deadline, and everyone when the cooldown outlasts their deadline, leaves the line. */
  private turnAwayLongWaits(): void {
    const now = this.now();
    const cooldownEnd = this.gate.cooldownEndsAt ?? 0;
    for (const waiter of [...this.line]) {
      if (waiter.deadline <= now || cooldownEnd > waiter.deadline) {
        this.leave(waiter);
        // Back when the cooldown ends, or, when the wait was for pacing, after about as long again.
        waiter.reject(new GateWaitTooLong(Math.max(cooldownEnd - now, 1_000)));
      }
    }
  }

  private leave(waiter: Waiter): void {
    const index = this.line.indexOf(waiter);
    if (index >= 0) this.line.splice(index, 1);
  }
}

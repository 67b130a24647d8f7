/**
 * The one authority over when a request of a tenant may go. A tenant is served by one worker process at a time
 * (docs/pacing.md, "One lease per tenant"), and every request of the tenant in that process passes this gate as
 * the last step before it is sent, so what the gate decides holds for the whole tenant:
 *
 * - **Cooldown**: after a 429, nothing goes until its Retry-After has passed (a default when none can be read).
 * - **Probe**: when a cooldown ends, one request goes first; only that request's own answer settles the probe.
 *   An answer to a request sent earlier, or a request that never got an answer, settles nothing.
 * - **Pace**: requests leave in arrival order, each when the pacer (`pacer.ts`) has a token for it. At first and
 *   after each 429, the requests out at once grow like TCP's slow start (two, then one more for each answered
 *   one, so twice as many each round trip), up to the pacer's burst when it has a rate, without end while it
 *   learns: a limit met at the fifth request finds a few requests out, not the whole window or burst, and the
 *   connections they need are opened a few at a time.
 *
 * Pure and synchronous: time comes from the injected clock, and `poll()` says what to do now, so the same gate
 * runs in activities (`waiting-room.ts` adds timers) and in the simulated-time model of the tests.
 */
import type { PacerLimits, PacingView } from '../contracts/pacing';
import {
  THROTTLE_CLUSTER_MS,
  changeLimits,
  pacingView,
  recordSuccess,
  recordThrottle,
  reserve,
  type PacerState,
} from './pacer';
import type { WindowQuota } from './retry-after';

/** Held after a 429 whose Retry-After cannot be read (no header, no `[N] seconds` in the body): the first time. */
export const DEFAULT_RETRY_AFTER_MS = 5_000;
/** Each further 429 in a row without a readable Retry-After doubles the hold, up to this. */
export const MAX_DEFAULT_RETRY_AFTER_MS = 120_000;

/**
 * Added to a window's reset, as the platform's headers give it, before the gate opens again: its seconds are whole,
 * and a request a moment early meets a 429.
 */
export const WINDOW_RESET_MARGIN_MS = 500;

/** Requests out at once, unanswered, at first and again after each 429 (the slow start). */
const SLOW_START_WINDOW = 2;

/** Requests throttled together while learning come back at most this far apart. */
const MAX_LEARNING_RETRY_SPACING_MS = 1_000;

/** The right to send one request now. Its answer must be reported with `TenantGate.answered`. */
export interface GateTicket {
  readonly id: number;
  /** How many cooldowns had begun when it was let through (see `mayStillSend`). */
  readonly cooldowns: number;
  /** The first request after a cooldown: the others wait for its answer. */
  readonly probe: boolean;
  readonly releasedAt: number;
}

/** What became of a request a ticket let through. */
export type RequestAnswer =
  /**
   * The API answered anything but 429: it took the request, paid by its bucket; at `at`, with what its rate-limit
   * headers said of the window, when it sent them.
   */
  | { kind: 'answered'; at?: number; quota?: WindowQuota }
  /** 429 at `at` (epoch ms), with the Retry-After read from the status line's headers, when there was one. */
  | { kind: 'throttled'; at: number; retryAfterMs?: number }
  /** No answer came back (network error, timeout, cancelled): says nothing about the throttle. */
  | { kind: 'unanswered' };

export class TenantGate {
  private cooldownUntil = 0;
  /** `needed` after a cooldown until a request goes as the probe; then that request's ticket until it is answered. */
  private probe: 'idle' | 'needed' | GateTicket = 'idle';
  /** The 429 whose default hold (no readable Retry-After) is the current cooldown, so its body may correct it. */
  private defaultHoldOf: number | undefined;
  /** 429s in a row without a readable Retry-After. */
  private unhinted = 0;
  /** The pacer slot taken for the request at the head of the line: the pacer's token, not yet used. */
  private headSlot: number | undefined;
  private nextTicketId = 1;
  /** The 429s met at about the same time (requests that were on the wire together): when and how many. */
  private cluster: { startedAt: number; size: number } | undefined;
  /** Requests let through and not answered yet. */
  private outstanding = 0;
  /** Cooldowns begun so far (each 429 that closed or extended the gate). */
  private cooldowns = 0;
  /** How many may be outstanding now (the slow start above; no limit once it reaches `windowCeiling`). */
  private slowStartWindow = SLOW_START_WINDOW;
  /** 429s answered to this gate's requests. */
  throttled = 0;
  /** Times the gate closed because the platform's rate-limit headers said the window was spent. */
  quotaHolds = 0;
  /** How long the last 429 closed the gate (its Retry-After, or the default hold). */
  private lastWindowMs: number | undefined;

  constructor(
    readonly pacer: PacerState,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * For the request at the head of the line: a ticket when it may go now, else how many ms to wait before
   * asking again (`Infinity` while a probe is out: ask again when it is answered).
   */
  poll(): GateTicket | number {
    const now = this.now();
    if (now < this.cooldownUntil) return this.cooldownUntil - now;
    if (typeof this.probe === 'object') return Infinity;
    if (this.outstanding >= this.slowStartWindow && this.slowStartWindow < this.windowCeiling()) return Infinity;
    this.headSlot ??= reserve(this.pacer, now);
    if (this.headSlot > now) return this.headSlot - now;
    this.headSlot = undefined;
    const ticket: GateTicket = {
      id: this.nextTicketId++,
      cooldowns: this.cooldowns,
      probe: this.probe === 'needed',
      releasedAt: now,
    };
    if (ticket.probe) this.probe = ticket;
    this.outstanding++;
    return ticket;
  }

  /**
   * Reports what became of a ticket's request. A 429 holds the gate at once (call this as soon as the status
   * line and headers are in, before reading the body).
   * @returns for a 429, ms until the gate opens again: the delay before this request should be retried
   */
  answered(ticket: GateTicket, answer: RequestAnswer): number {
    const isProbe = this.probe === ticket;
    this.outstanding = Math.max(0, this.outstanding - 1);
    switch (answer.kind) {
      case 'answered':
        recordSuccess(this.pacer, 1, answer.at ?? this.now());
        this.unhinted = 0;
        // One more for each answer to a request sent since the last cooldown: the window doubles per round trip.
        if (ticket.cooldowns === this.cooldowns) this.slowStartWindow++;
        if (isProbe) this.probe = 'idle';
        if (answer.quota) this.spendQuota(answer.quota, answer.at ?? this.now());
        return 0;
      case 'unanswered':
        // Another request must find out whether the window is over.
        if (isProbe) this.probe = 'needed';
        return 0;
      case 'throttled': {
        this.throttled++;
        this.slowStartWindow = SLOW_START_WINDOW;
        const hinted = answer.retryAfterMs !== undefined;
        this.unhinted = hinted ? 0 : this.unhinted + 1;
        recordThrottle(this.pacer, answer.at, answer.retryAfterMs);
        const holdMs = answer.retryAfterMs ?? defaultRetryAfterMs(this.unhinted);
        this.lastWindowMs = holdMs;
        if (this.holdUntil(answer.at + holdMs) && !hinted) this.defaultHoldOf = ticket.id;
        if (isProbe) this.probe = 'needed';
        return Math.max(0, this.cooldownUntil - this.now()) + this.retrySpacing(answer.at, holdMs);
      }
    }
  }

  /**
   * Paces before the 429, not after: when the window the platform counts in has no room left for the requests
   * still out, nothing more goes until it resets (a hold like a Retry-After's, so requests not yet written wait too).
   */
  private spendQuota(quota: WindowQuota, at: number): void {
    if (quota.count + this.outstanding < quota.allowed) return;
    this.quotaHolds++;
    this.holdUntil(at + quota.resetInMs + WINDOW_RESET_MARGIN_MS);
  }

  /**
   * How far the slow start's window grows before it stops limiting: without a rate, never (the window is all
   * there is); with one (configured or learned), up to the pacer's burst, after which the pacer alone paces. So a
   * configured burst larger than the API's bucket, or a process's first requests while it is still slow to read
   * its sockets, finds a few requests out when the 429 comes, not the whole burst.
   */
  private windowCeiling(): number {
    return this.pacer.ratePerSecond === undefined ? Infinity : this.pacer.burst;
  }

  /**
   * While the pacer has no rate yet (learning), requests throttled together come back one after another, a
   * Retry-After (at most a second) apart, rather than all at the window's end: what the API promises is one
   * request per window. Once paced, the line spaces them anyway.
   */
  private retrySpacing(at: number, holdMs: number): number {
    if (!this.cluster || at - this.cluster.startedAt >= THROTTLE_CLUSTER_MS) this.cluster = { startedAt: at, size: 0 };
    const index = this.cluster.size++;
    return this.pacer.ratePerSecond === undefined ? index * Math.min(holdMs, MAX_LEARNING_RETRY_SPACING_MS) : 0;
  }

  /**
   * The Retry-After of a 429 that had no readable header, found in its body (`Retry the request in [N] seconds`):
   * replaces the default hold that 429 set, if that is still the cooldown.
   * @returns ms until the gate opens again
   */
  retryAfterFromBody(ticket: GateTicket, at: number, retryAfterMs: number): number {
    if (this.defaultHoldOf === ticket.id) {
      this.lastWindowMs = retryAfterMs;
      this.cooldownUntil = at + retryAfterMs;
      this.defaultHoldOf = undefined;
      this.unhinted = 0;
    }
    return Math.max(0, this.cooldownUntil - this.now());
  }

  /**
   * No request before `until` (epoch ms), then a probe first. A later hold extends; an earlier one changes nothing.
   * @returns whether the cooldown was extended
   */
  holdUntil(until: number): boolean {
    if (until <= this.cooldownUntil) return false;
    this.cooldownUntil = until;
    this.cooldowns++;
    this.defaultHoldOf = undefined;
    // A probe already out went before this hold: its answer no longer settles anything.
    this.probe = 'needed';
    return true;
  }

  /**
   * The next request goes alone and the others wait for its answer, as after a cooldown: a process that takes a
   * tenant over after another stopped answering does not know what that one's last requests met.
   */
  probeFirst(): void {
    this.probe = 'needed';
  }

  /**
   * Asked once more at the very last moment, when the request is about to be written to its socket: false when a
   * 429 closed the gate after this ticket was let through (the request waited for a connection meanwhile). It then
   * goes back in line unsent.
   */
  mayStillSend(ticket: GateTicket): boolean {
    return ticket.cooldowns === this.cooldowns;
  }

  /** Requests let through and not answered yet. */
  get inFlight(): number {
    return this.outstanding;
  }

  /** When the open cooldown ends (epoch ms), or undefined when none is open. */
  get cooldownEndsAt(): number | undefined {
    return this.cooldownUntil > this.now() ? this.cooldownUntil : undefined;
  }

  /** New rate or burst (`wfm-bulk limits`); see `changeLimits`. */
  changeLimits(limits: PacerLimits): void {
    changeLimits(this.pacer, limits, this.now());
  }

  view(): PacingView {
    return pacingView(this.pacer, this.cooldownEndsAt, this.lastWindowMs);
  }
}

/** The hold after the `n`-th 429 in a row without a readable Retry-After (n ≥ 1). */
export function defaultRetryAfterMs(n: number): number {
  return Math.min(MAX_DEFAULT_RETRY_AFTER_MS, DEFAULT_RETRY_AFTER_MS * 2 ** Math.max(0, n - 1));
}

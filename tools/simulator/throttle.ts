import type { FixedWindowLimits, ThrottleLimits } from './config';
import { WindowGrace } from './window-announcement';

/** Milliseconds since the epoch; injectable so tests can move time without sleeping. */
export type Clock = () => number;

/** Outcome of one request at the throttle. */
export type ThrottleDecision =
  | { allowed: true; onTheWire?: true }
  | {
      allowed: false;
      /** Whole seconds for the `Retry-After` header (>= 1). */
      retryAfterSeconds: number;
      /** True when the request arrived inside an open Retry-After window (after the grace). */
      violation: boolean;
      /**
       * Arrived inside the window past the grace, yet read in the I/O round right after the 429's: written before
       * its client could read the 429 (see `window-announcement.ts`). Decided as in the grace.
       */
      onTheWire?: true;
      /** When the org's Retry-After window closes, ms epoch. */
      windowOpenUntil: number;
    };

/** Snapshot of a token bucket, for stats. */
export interface BucketSnapshot {
  burst: number;
  refillPerSecond: number;
  retryAfterSeconds?: number;
  /** Current (fractional) tokens in the bucket. */
  tokens: number;
  /** End of the open Retry-After window (ms epoch), or null when none is open. */
  windowOpenUntil: number | null;
}

/** Snapshot of fixed windows, for stats. */
export interface FixedWindowSnapshot {
  fixedWindow: FixedWindowLimits;
  /** Requests admitted in the current window (0 when none is running). */
  count: number;
  /** When the current window resets (ms epoch), or null when none is running. */
  windowEndsAt: number | null;
  /** End of the open Retry-After window (ms epoch): the window's end once it refused a request; else null. */
  windowOpenUntil: number | null;
}

/** Snapshot of either kind of throttle, for stats. */
export type ThrottleSnapshot = BucketSnapshot | FixedWindowSnapshot;

/** Values of the `inin-ratelimit-*` headers. */
export interface RateLimitHeaderValues {
  allowed: number;
  count: number;
  resetSeconds: number;
}

/** What an org's API calls meet: a token bucket or fixed windows, with the same Retry-After and violation rules. */
export interface RequestThrottle {
  tryTake(arrivedAt?: number): ThrottleDecision;
  /** The 429 that opened the window has been written and its I/O round is over: the grace runs from here. */
  windowAnnounced(): void;
  /** The I/O round after that one is over: a client could have read the 429 in it. */
  roundAfterAnnouncementOver(): void;
  windowOpenUntil(): number | null;
  snapshot(): ThrottleSnapshot;
  rateLimitHeaderValues(): RateLimitHeaderValues;
}

// Absorbs float error so that waiting exactly Retry-After seconds always yields a token.
const EPSILON = 1e-9;

/** Whole seconds until a bucket holding `tokens` has one token again (at least 1), as sent in `Retry-After`. */
export function retryAfterSecondsFor(tokens: number, refillPerSecond: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / refillPerSecond - EPSILON));
}

/**
 * The fastest time in seconds that `requestCount` requests can all be admitted by a full bucket with these limits:
 * the burst goes at once, the rest at the refill rate. This is the ideal lower bound for a job's makespan per org.
 */
export function idealDurationSeconds(requestCount: number, limits: ThrottleLimits | null): number {
  if (limits === null || requestCount <= limits.burst) return 0;
  return (requestCount - limits.burst) / limits.refillPerSecond;
}

/**
 * Per-org token bucket with the Retry-After window the simulator enforces.
 *
 * The bucket holds up to `burst` tokens, starts full and refills continuously at `refillPerSecond`. An admitted
 * request takes one token; with fewer than one token the request gets 429 and Retry-After N =
 * max(1, ceil((1 - tokens) / refillPerSecond)), and a window opens from now until now + N s. Inside the window
 * every request is refused without touching the bucket and counts as a violation, except during the first
 * `violationGraceMs` after the 429 that opened the window, or in the I/O round after its writing (those requests
 * were already on the wire, `window-announcement.ts`), which the bucket answers as usual. Pure: time comes only
 * from the injected clock.
 */
export class TokenBucketThrottle implements RequestThrottle {
  private currentLimits: ThrottleLimits;
  private tokenCount: number;
  private lastRefillAt: number;
  private readonly grace: WindowGrace;
  private windowEndsAt: number | null = null;

  constructor(
    limits: ThrottleLimits,
    private readonly options: { now?: Clock; violationGraceMs?: number } = {},
  ) {
    this.grace = new WindowGrace(options.violationGraceMs ?? 0);
    this.currentLimits = { ...limits };
    this.tokenCount = limits.burst;
    this.lastRefillAt = this.now();
  }

  /** Current limits. */
  get limits(): ThrottleLimits {
    return { ...this.currentLimits };
  }

  /** Tokens in the bucket right now (fractional). */
  tokens(): number {
    this.refill();
    return this.tokenCount;
  }

  /** End of the open Retry-After window (ms epoch), or null. */
  windowOpenUntil(): number | null {
    if (this.windowEndsAt !== null && this.now() >= this.windowEndsAt) this.closeWindow();
    return this.windowEndsAt;
  }

  /**
   * Decides one request: takes a token, or refuses with Retry-After (opening or reporting the window).
   * @param arrivedAt when the request arrived (ms epoch), if earlier than now: a busy server decides late
   */
  tryTake(arrivedAt?: number): ThrottleDecision {
    const now = Math.min(arrivedAt ?? Infinity, this.now());
    if (this.windowEndsAt !== null && now >= this.windowEndsAt) this.closeWindow();
    // The grace is open exactly while the window is (both open at a 429, both close in `closeWindow`).
    const arrival = this.grace.arrival(now);
    if (arrival === 'violation' && this.windowEndsAt !== null) {
      const remainingSeconds = Math.max(1, Math.ceil((this.windowEndsAt - now) / 1000 - EPSILON));
      return {
        allowed: false,
        retryAfterSeconds: remainingSeconds,
        violation: true,
        windowOpenUntil: this.windowEndsAt,
      };
    }
    const onTheWire = arrival === 'on-the-wire' ? { onTheWire: true as const } : {};
    this.refill(now);
    if (this.tokenCount >= 1 - EPSILON) {
      this.tokenCount = Math.max(0, this.tokenCount - 1);
      return { allowed: true, ...onTheWire };
    }
    const retryAfterSeconds =
      this.currentLimits.retryAfterSeconds ?? retryAfterSecondsFor(this.tokenCount, this.currentLimits.refillPerSecond);
    const endsAt = now + retryAfterSeconds * 1000;
    // A 429 inside the grace keeps the grace of the 429 that opened the window, so a flood cannot chain graces.
    this.grace.opened(now);
    this.windowEndsAt = Math.max(this.windowEndsAt ?? 0, endsAt);
    return { allowed: false, retryAfterSeconds, violation: false, windowOpenUntil: this.windowEndsAt, ...onTheWire };
  }

  /**
   * The 429 that opened the window has been handed to the network (its response finished writing): the grace
   * runs from here, since no client could have known of the window before. Later calls change nothing.
   */
  windowAnnounced(): void {
    this.grace.announced(this.now());
  }

  roundAfterAnnouncementOver(): void {
    this.grace.roundAfterOver(this.now());
  }

  /** Changes the limits at runtime; the bucket keeps its tokens, capped at the new burst. Open windows stay. */
  setLimits(limits: ThrottleLimits): void {
    this.refill();
    this.currentLimits = { ...limits };
    this.tokenCount = Math.min(this.tokenCount, limits.burst);
  }

  /** Refills the bucket and closes any window. */
  reset(): void {
    this.tokenCount = this.currentLimits.burst;
    this.lastRefillAt = this.now();
    this.closeWindow();
  }

  /** State for stats. */
  snapshot(): BucketSnapshot {
    return { ...this.currentLimits, tokens: this.tokens(), windowOpenUntil: this.windowOpenUntil() };
  }

  /** Values of the optional `inin-ratelimit-*` headers: limit, tokens used, seconds until full. */
  rateLimitHeaderValues(): RateLimitHeaderValues {
    const tokens = this.tokens();
    const { burst, refillPerSecond } = this.currentLimits;
    return {
      allowed: burst,
      count: Math.max(0, burst - Math.floor(tokens + EPSILON)),
      resetSeconds: Math.max(0, Math.ceil((burst - tokens) / refillPerSecond - EPSILON)),
    };
  }

  private refill(now = this.now()): void {
    const elapsedMs = Math.max(0, now - this.lastRefillAt);
    this.lastRefillAt = Math.max(this.lastRefillAt, now);
    this.tokenCount = Math.min(
      this.currentLimits.burst,
      this.tokenCount + (elapsedMs / 1000) * this.currentLimits.refillPerSecond,
    );
  }

  private closeWindow(): void {
    this.grace.clear();
    this.windowEndsAt = null;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/**
 * Fixed windows, as Genesys Cloud counts an org's API calls: a window of `windowSeconds` opens with the first request
 * after the previous one ended and admits `requests` requests; the rest get 429 with Retry-After = whole seconds
 * until the window resets (at least 1). The first 429 of a window opens the Retry-After window until that reset;
 * a request arriving in it after the grace (`violationGraceMs` from when that 429 was written, or the I/O round
 * after) is a violation, as with the token bucket. Pure: time comes only from the injected clock.
 */
export class FixedWindowThrottle implements RequestThrottle {
  private currentLimits: FixedWindowLimits;
  private windowStartedAt: number | null = null;
  private admitted = 0;
  /** Opened by the window's first 429. */
  private readonly grace: WindowGrace;

  constructor(
    limits: FixedWindowLimits,
    private readonly options: { now?: Clock; violationGraceMs?: number } = {},
  ) {
    this.grace = new WindowGrace(options.violationGraceMs ?? 0);
    this.currentLimits = { ...limits };
  }

  /** Current limits. */
  get limits(): FixedWindowLimits {
    return { ...this.currentLimits };
  }

  /** Decides one request (see the class). @param arrivedAt when it arrived, if earlier than now */
  tryTake(arrivedAt?: number): ThrottleDecision {
    const now = Math.min(arrivedAt ?? Infinity, this.now());
    this.roll(now);
    this.windowStartedAt ??= now;
    if (this.admitted < this.currentLimits.requests) {
      this.admitted++;
      return { allowed: true };
    }
    const endsAt = this.windowStartedAt + this.currentLimits.windowSeconds * 1000;
    const retryAfterSeconds = Math.max(1, Math.ceil((endsAt - now) / 1000 - EPSILON));
    const arrival = this.grace.arrival(now);
    this.grace.opened(now);
    return {
      allowed: false,
      retryAfterSeconds,
      violation: arrival === 'violation',
      windowOpenUntil: endsAt,
      ...(arrival === 'on-the-wire' && { onTheWire: true as const }),
    };
  }

  /** The window's first 429 has been written: the grace runs from here. Later calls change nothing. */
  windowAnnounced(): void {
    this.grace.announced(this.now());
  }

  roundAfterAnnouncementOver(): void {
    this.grace.roundAfterOver(this.now());
  }

  /** End of the open Retry-After window (ms epoch), or null. */
  windowOpenUntil(): number | null {
    this.roll(this.now());
    return this.grace.isOpen ? this.windowEndsAt() : null;
  }

  /** Changes the limits at runtime; the running window keeps its start and count. */
  setLimits(limits: FixedWindowLimits): void {
    this.currentLimits = { ...limits };
  }

  /** State for stats. */
  snapshot(): FixedWindowSnapshot {
    const windowOpenUntil = this.windowOpenUntil();
    return {
      fixedWindow: this.limits,
      count: this.admitted,
      windowEndsAt: this.windowEndsAt(),
      windowOpenUntil,
    };
  }

  /** `inin-ratelimit-*`: the window's limit, requests admitted in it, whole seconds until it resets. */
  rateLimitHeaderValues(): RateLimitHeaderValues {
    const now = this.now();
    this.roll(now);
    const endsAt = this.windowEndsAt();
    return {
      allowed: this.currentLimits.requests,
      count: this.admitted,
      resetSeconds:
        endsAt === null ? this.currentLimits.windowSeconds : Math.max(0, Math.ceil((endsAt - now) / 1000 - EPSILON)),
    };
  }

  private windowEndsAt(): number | null {
    return this.windowStartedAt === null ? null : this.windowStartedAt + this.currentLimits.windowSeconds * 1000;
  }

  /** Ends the window once its time is up. */
  private roll(now: number): void {
    const endsAt = this.windowEndsAt();
    if (endsAt === null || now < endsAt) return;
    this.windowStartedAt = null;
    this.admitted = 0;
    this.grace.clear();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

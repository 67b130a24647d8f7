/**
 * The in-process reflex of a tenant's throttle. Once the API has said "retry after N seconds", no request of
 * the tenant leaves this process before then; when the window ends, one request goes first as a probe and the
 * others wait for its answer, so a crowd of waiting batches does not rush the API the instant the window
 * closes. Requests are also paced at the tenant's rate. The tenant workflow holds the durable view (it hears
 * of each 429 by signal and stops scheduling); this gate covers the requests already scheduled.
 */

/** How often waiters look again while a probe is out. */
const PROBE_POLL_MS = 25;
/** A probe that has not reported back in this long is presumed lost, and another may go. */
const PROBE_TIMEOUT_MS = 30_000;

export class TenantGate {
  private cooldownUntil = 0;
  private probeRequired = false;
  private probeSentAt: number | undefined;
  private ratePerSecond: number | undefined;
  private tokens = 0;
  private refilledAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Paces requests at `ratePerSecond` with a burst of one second's worth; undefined = no pacing. */
  setRate(ratePerSecond: number | undefined): void {
    if (ratePerSecond === this.ratePerSecond) return;
    this.refill();
    this.ratePerSecond = ratePerSecond;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /**
   * No request before `until` (epoch ms), and then a probe first. A later cooldown extends; an earlier or equal
   * one (the same 429 heard again through the workflow) changes nothing.
   */
  holdUntil(until: number): void {
    if (until <= this.cooldownUntil) return;
    this.cooldownUntil = until;
    this.probeRequired = true;
  }

  get cooldownEndsAt(): number | undefined {
    return this.cooldownUntil > this.now() ? this.cooldownUntil : undefined;
  }

  /**
   * Takes the right to send one request now and returns 0, or returns how many ms to wait before asking again.
   * Every request let through must report its answer with `requestDone`.
   */
  tryTake(): number {
    const now = this.now();
    if (now < this.cooldownUntil) return this.cooldownUntil - now;
    if (this.probeRequired) {
      if (this.probeSentAt !== undefined && now - this.probeSentAt < PROBE_TIMEOUT_MS) return PROBE_POLL_MS;
      if (!this.takeRateToken()) return this.rateWait();
      this.probeSentAt = now;
      return 0;
    }
    return this.takeRateToken() ? 0 : this.rateWait();
  }

  /** The answer to a request `tryTake` let through: anything but a 429 ends the probing. */
  requestDone(throttled: boolean): void {
    this.probeSentAt = undefined;
    if (!throttled) this.probeRequired = false;
  }

  private takeRateToken(): boolean {
    if (this.ratePerSecond === undefined) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private rateWait(): number {
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond!) * 1000);
  }

  private capacity(): number {
    return Math.max(1, this.ratePerSecond ?? 1);
  }

  private refill(): void {
    if (this.ratePerSecond === undefined) {
      // Unpaced: when pacing starts again it starts with a full second's worth.
      this.refilledAt = undefined;
      return;
    }
    const now = this.now();
    const elapsed = this.refilledAt === undefined ? Infinity : (now - this.refilledAt) / 1000;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.ratePerSecond);
    this.refilledAt = now;
  }
}

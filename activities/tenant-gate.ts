/**
 * The in-process reflex of a tenant's throttle: once the API has said "retry after N seconds", no request of
 * the tenant leaves this process before then, and requests are paced at the tenant's rate. The tenant workflow
 * holds the durable view (it hears of each 429 by signal and stops scheduling); this gate covers the requests
 * already scheduled when a 429 arrives.
 */

export class TenantGate {
  private cooldownUntil = 0;
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

  /** No request before `until` (epoch ms); a later cooldown extends, an earlier one never shortens. */
  holdUntil(until: number): void {
    this.cooldownUntil = Math.max(this.cooldownUntil, until);
  }

  get cooldownEndsAt(): number | undefined {
    return this.cooldownUntil > this.now() ? this.cooldownUntil : undefined;
  }

  /**
   * Takes the right to send one request now and returns 0, or returns how many ms to wait before asking again.
   */
  tryTake(): number {
    const now = this.now();
    if (now < this.cooldownUntil) return this.cooldownUntil - now;
    if (this.ratePerSecond === undefined) return 0;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
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

/**
 * The in-process reflex of a tenant's throttle. Once the API has said "retry after N seconds", no request of
 * the tenant leaves this process before then; when the window ends, one request goes first as a probe and the
 * others wait for its answer, so a crowd of waiting batches does not rush the API the instant the window
 * closes. Each request also waits for the slot the tenant workflow's pacer gave it (`notBefore`).
 *
 * The workflow holds the durable, cross-process view (it hears of each 429 by signal, stops scheduling and
 * paces); this gate covers the requests already scheduled when a 429 arrives.
 */

/** 429s closer together than this met requests that were in flight together: one cluster. */
const CLUSTER_MS = 500;
/** How often waiters look again while a probe is out. */
const PROBE_POLL_MS = 25;
/** A probe that has not reported back in this long is presumed lost, and another may go. */
const PROBE_TIMEOUT_MS = 30_000;

export class TenantGate {
  private cooldownUntil = 0;
  private probeRequired = false;
  private probeSentAt: number | undefined;
  private clusterStartedAt: number | undefined;
  private clusterSize = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * No request before `until` (epoch ms), and then a probe first. A later cooldown extends; an earlier or equal
   * one (the same 429 heard again through the workflow) changes nothing.
   */
  holdUntil(until: number): void {
    if (until <= this.cooldownUntil) return;
    this.cooldownUntil = until;
    this.probeRequired = true;
  }

  /**
   * A 429 answered at `at`: holds the tenant for Retry-After and returns the delay after which this request
   * should be retried. Requests throttled together get retry slots `gapMs` apart after the window, so they do not
   * all come back at its end (Temporal retries them, outside the workflow's pacer).
   * @param gapMs time between two requests at the tenant's rate; without one, the Retry-After itself (one
   *   request per Retry-After is what the API promises)
   */
  throttled(at: number, retryAfterMs: number, gapMs: number): number {
    const until = at + retryAfterMs;
    this.holdUntil(until);
    if (this.clusterStartedAt === undefined || at - this.clusterStartedAt >= CLUSTER_MS) {
      this.clusterStartedAt = at;
      this.clusterSize = 0;
    }
    // A fifth more than the gap: the retries share the refill with requests the workflow paces meanwhile.
    return retryAfterMs + Math.round(this.clusterSize++ * gapMs * 1.2);
  }

  get cooldownEndsAt(): number | undefined {
    return this.cooldownUntil > this.now() ? this.cooldownUntil : undefined;
  }

  /**
   * Takes the right to send one request now and returns 0, or returns how many ms to wait before asking again.
   * Every request let through must report its answer with `requestDone`.
   * @param notBefore the request's own slot (epoch ms), from the workflow's pacer
   */
  tryTake(notBefore = 0): number {
    const now = this.now();
    const wait = Math.max(this.cooldownUntil, notBefore) - now;
    if (wait > 0) return wait;
    if (this.probeRequired) {
      if (this.probeSentAt !== undefined && now - this.probeSentAt < PROBE_TIMEOUT_MS) return PROBE_POLL_MS;
      this.probeSentAt = now;
    }
    return 0;
  }

  /** The answer to a request `tryTake` let through: anything but a 429 ends the probing. */
  requestDone(throttled: boolean): void {
    this.probeSentAt = undefined;
    if (!throttled) this.probeRequired = false;
  }
}

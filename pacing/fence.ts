/**
 * May this process write for the tenant right now? Only while it holds the tenant's lease and Temporal has confirmed
 * that lately: the holder's last heartbeat that Temporal answered, sent at `t`, proves the lease until
 * `t + lease timeout`, since Temporal cannot give the lease to another process before it has heard nothing for
 * that long. The holder stops a margin earlier (`confirmedUntil`), so a process that stalls (a long GC pause, a
 * frozen VM, a cut to Temporal) and wakes finds its proof run out and writes nothing, before anyone asks Temporal.
 *
 * The line in front of the gate (`waiting-room.ts`) lets nobody through while the fence is shut, and the request
 * asks once more right before its bytes are written (`activities/http/check-before-write.ts`).
 *
 * Pure and synchronous: the clock is passed in.
 */

/** Where the fence stands, for a request that would go now. */
export type FenceVerdict =
  /** Write. */
  | 'open'
  /** Not now, maybe soon: a claim under way, or a renewal not confirmed yet. Wait in line. */
  | 'wait'
  /** This process does not hold the lease and is not about to: the batch belongs with the holder. */
  | 'closed';

/** The lease as one process of the tenant sees it. */
export class LeaseFence {
  private epochHeld: number | undefined;
  private held = false;
  private confirmedUntil = 0;
  /** Hold attempts of this process that may claim the lease soon (by attempt key). */
  private readonly claimants = new Set<string>();
  /** Holds of runs begun before the lease (`serveTenant`): they predate it and are not fenced. */
  private legacyHolds = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The epoch this process holds (or held last), for logs and the requests' user agent. */
  get epoch(): number | undefined {
    return this.epochHeld;
  }

  /** Whether this process holds the lease (confirmed or not). */
  get holding(): boolean {
    return this.held;
  }

  /** Whether this process holds the lease under `epoch` still (confirmed or not). */
  holds(epoch: number): boolean {
    return this.held && this.epochHeld === epoch;
  }

  verdict(): FenceVerdict {
    if (this.legacyHolds > 0) return 'open';
    if (this.held) return this.now() < this.confirmedUntil ? 'open' : 'wait';
    return this.claimants.size > 0 ? 'wait' : 'closed';
  }

  /** Asked right before a request is written: open now, and still the epoch it was composed under. */
  mayWrite(epoch: number | undefined): boolean {
    if (this.legacyHolds > 0) return true;
    return this.verdict() === 'open' && epoch === this.epochHeld;
  }

  /** ms until a confirmed lease runs out (0 when it has or none is held): when to look at the fence again. */
  confirmedForMs(): number {
    return this.held ? Math.max(0, this.confirmedUntil - this.now()) : 0;
  }

  /** A hold attempt started here: requests wait for its claim rather than leave. */
  claiming(attemptKey: string): void {
    this.claimants.add(attemptKey);
    this.changed();
  }

  /** The attempt claimed the lease as `epoch`, confirmed until `confirmedUntil`. An older epoch changes nothing. */
  hold(attemptKey: string, epoch: number, confirmedUntil: number): void {
    this.claimants.delete(attemptKey);
    if (this.epochHeld !== undefined && epoch <= this.epochHeld) return this.changed();
    this.epochHeld = epoch;
    this.held = true;
    this.confirmedUntil = confirmedUntil;
    this.changed();
  }

  /** Temporal answered a renewal sent before `until` less the margin: the proof lasts until `until`. */
  confirm(epoch: number, until: number): void {
    if (!this.held || epoch !== this.epochHeld || until <= this.confirmedUntil) return;
    const reopened = this.now() >= this.confirmedUntil;
    this.confirmedUntil = until;
    if (reopened) this.changed();
  }

  /**
   * The attempt ended, lost the lease, or is giving it back: from now on nothing is written under `epoch`
   * (undefined: it had not claimed).
   */
  release(attemptKey: string, epoch: number | undefined): void {
    this.claimants.delete(attemptKey);
    if (epoch !== undefined && epoch === this.epochHeld) {
      this.held = false;
      this.confirmedUntil = 0;
    }
    this.changed();
  }

  /** A hold of a run begun before the lease serves the tenant unfenced until the returned function is called. */
  openLegacy(): () => void {
    this.legacyHolds++;
    this.changed();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.legacyHolds--;
      this.changed();
    };
  }

  /** Calls `listener` whenever the verdict may have changed; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

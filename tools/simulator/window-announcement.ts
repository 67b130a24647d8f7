/**
 * When a 429's Retry-After window counts as known to clients. Arrival is stamped when the server gets round to a
 * request, and a burst is read one request after another: requests read in the same I/O round as the 429 was
 * written sat in the server's socket buffers already, so they were on the wire before it left, however late their
 * stamp. The grace therefore runs from the end of that round (`setImmediate` runs after the round's I/O callbacks).
 *
 * A client can read the 429 in the next round at the earliest, so what the server reads in that next round was
 * written before any client could know, too; a server busy with other work stamps it late all the same (a client in
 * the server's own process, as in the tests, or a stall of the server's process). Such a request is on the wire
 * however far past the grace its stamp is.
 */
import type { ServerResponse } from 'node:http';
import type { RequestThrottle } from './throttle';

/** Announces the window `throttle` may have opened once `response` is written and its I/O round is over. */
export function announceWindowWhenWritten(
  response: ServerResponse,
  throttle: Pick<RequestThrottle, 'windowAnnounced' | 'roundAfterAnnouncementOver'> | undefined,
): void {
  if (!throttle) return;
  response.once('finish', () =>
    setImmediate(() => {
      throttle.windowAnnounced();
      // Queued from a check-phase callback, this runs in the next round's check phase, after its I/O.
      setImmediate(() => throttle.roundAfterAnnouncementOver());
    }),
  );
}

/** What a request arriving inside an open Retry-After window is. */
export type WindowArrival = 'violation' | 'in-grace' | 'on-the-wire';

/**
 * The grace of one Retry-After window: from the 429 that opened it being decided, written (`announced`) and read
 * in the next round (`roundAfterOver`), which arrivals are violations. Pure: times are passed in.
 */
export class WindowGrace {
  private decidedAt: number | null = null;
  private announcedAt: number | null = null;
  private roundAfterOverAt: number | null = null;

  constructor(private readonly graceMs: number) {}

  get isOpen(): boolean {
    return this.decidedAt !== null;
  }

  /** A 429 opening the window was decided; one decided inside the grace keeps the first one's grace. */
  opened(at: number): void {
    this.decidedAt ??= at;
  }

  /** The opening 429 was written and its round is over. Later calls change nothing. */
  announced(at: number): void {
    if (this.decidedAt !== null) this.announcedAt ??= at;
  }

  /** The round after the announcement is over: a client could have read the 429 in it. */
  roundAfterOver(at: number): void {
    if (this.announcedAt !== null) this.roundAfterOverAt ??= at;
  }

  /**
   * A request arriving at `arrivedAt` with the window open: in the grace (`graceMs` from the announcement, or from
   * the decision when it has not been written yet), on the wire (read before the round after the announcement was
   * over), else a violation.
   */
  arrival(arrivedAt: number): WindowArrival {
    if (this.decidedAt === null || arrivedAt < (this.announcedAt ?? this.decidedAt) + this.graceMs) return 'in-grace';
    if (this.announcedAt !== null && (this.roundAfterOverAt === null || arrivedAt < this.roundAfterOverAt))
      return 'on-the-wire';
    return 'violation';
  }

  clear(): void {
    this.decidedAt = null;
    this.announcedAt = null;
    this.roundAfterOverAt = null;
  }
}

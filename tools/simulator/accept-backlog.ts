/**
 * When a request on a new connection may have been sent. Node accepts one connection per round of its event loop,
 * so connections opened together (a new worker process, a burst after a pause) wait in the kernel's accept queue,
 * their requests already written, while a busy server works through them a round at a time: the last is read
 * rounds after it was sent, and its stamp says nothing of when that was. What the server can know is how long it
 * has been accepting without a break: a connection accepted in a run of rounds that each accepted one was queued,
 * at the latest, when that run began.
 */
import type { Server, Socket } from 'node:net';

export class AcceptBacklog {
  /** When the current run of rounds that each accepted a connection began; undefined between runs. */
  private runStartedAt: number | undefined;
  /** Connections accepted in this round, and in the one before (whose first reads are in this round). */
  private acceptedThisRound: Socket[] = [];
  private acceptedLastRound: Socket[] = [];
  private watching = false;
  /** Connections accepted in this round or the last, with the start of the run they were accepted in. */
  private readonly queuedSince = new WeakMap<Socket, number>();

  constructor(private readonly now: () => number) {}

  /** Follows `server`'s accepts. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => this.accepted(socket));
  }

  /**
   * When the request read now on `socket` may have arrived: `readAt`, or for the first request of a connection
   * read in the round after its accept (it was in the buffer when reading began), when its run of accepts began.
   */
  arrival(socket: Socket, readAt: number): number {
    const since = this.queuedSince.get(socket);
    if (since === undefined) return readAt;
    this.queuedSince.delete(socket);
    return Math.min(since, readAt);
  }

  private accepted(socket: Socket): void {
    this.runStartedAt ??= this.now();
    this.queuedSince.set(socket, this.runStartedAt);
    this.acceptedThisRound.push(socket);
    if (this.watching) return;
    this.watching = true;
    // Queued while accepting (poll phase), this runs in the same round's check phase.
    setImmediate(() => this.roundOver());
  }

  /**
   * At the end of a round: the connections accepted the round before have had their first read, and if this round
   * accepted nothing, the queue was empty and the run is over.
   */
  private roundOver(): void {
    for (const socket of this.acceptedLastRound) this.queuedSince.delete(socket);
    this.acceptedLastRound = this.acceptedThisRound;
    this.acceptedThisRound = [];
    if (this.acceptedLastRound.length === 0) {
      this.runStartedAt = undefined;
      this.watching = false;
      return;
    }
    // Queued from a check-phase callback, this runs at the end of the next round.
    setImmediate(() => this.roundOver());
  }
}

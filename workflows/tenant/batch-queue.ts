/**
 * The batches of a tenant still to send: those to send again first (they did not land where they went), then the
 * next not sent yet, in plan order. Kept in the workflow's carried state, so a run continued as new picks up where
 * this one stopped. Plain code, tested without a server.
 */
import type { BatchRange } from '../../contracts/plan';

export class BatchQueue {
  /** @param carry updated in place (the workflow's carried state) */
  constructor(
    private readonly batches: readonly BatchRange[],
    private readonly carry: { redo: number[]; nextBatch: number },
  ) {}

  get hasWork(): boolean {
    return this.carry.redo.length > 0 || this.carry.nextBatch < this.batches.length;
  }

  /** Batches to send again (in no order). */
  get toRedo(): readonly number[] {
    return this.carry.redo;
  }

  /** How many batches were handed out and are no longer to be sent again. */
  get handedOut(): number {
    return this.carry.nextBatch - this.carry.redo.length;
  }

  /** The first item of the batches not sent yet (the tenant's total when all were). */
  nextItem(total: number): number {
    return this.batches[this.carry.nextBatch]?.start ?? total;
  }

  /** The next batch to send; call only with `hasWork`. */
  take(): number {
    return this.carry.redo.shift() ?? this.carry.nextBatch++;
  }

  /** A batch that did not land (its process lost the lease, nobody picked it up) goes again. */
  sendAgain(batch: number): void {
    this.carry.redo.push(batch);
  }

  /** The batches after `batch` of its schedule not sent yet, taken out: the schedule is unknown to the API. */
  skipRestOfSchedule(batch: number): number[] {
    const schedule = this.batches[batch]!.schedule;
    const skipped: number[] = [];
    while (this.carry.nextBatch < this.batches.length && this.batches[this.carry.nextBatch]!.schedule === schedule)
      skipped.push(this.carry.nextBatch++);
    return skipped;
  }

  /** Everything not sent, taken out: batches to send again one by one, then the rest as one run `[from, to]`. */
  drain(): { again: number[]; rest?: [number, number] } {
    const again = this.carry.redo.splice(0).sort((a, b) => a - b);
    if (this.carry.nextBatch >= this.batches.length) return { again };
    const rest: [number, number] = [this.carry.nextBatch, this.batches.length - 1];
    this.carry.nextBatch = this.batches.length;
    return { again, rest };
  }
}

/**
 * What a job's tenant workflow knows of its tenant's lease: the newest view the lease sent (views carry a sequence
 * number; an older one, arriving late, is ignored), and whether the holder it names turned a batch away (then it is
 * not sent to until a newer view comes). Plain code, tested without a server.
 */
import type { LeaseDirective, LeaseHolder, LeaseView } from '../../contracts/lease';

export class LeaseViewState {
  private view: LeaseView | undefined;
  /** The seq of a view whose holder turned a batch away. */
  private distrustedSeq: number | undefined;

  /**
   * Takes a view if it is newer than the one held.
   * @returns the holder's queue when the view names a holder other than before (batches out elsewhere should
   *   move), `undefined` otherwise; `ignored` for an older view
   */
  follow(view: LeaseView): { ignored: boolean; movedTo?: string } {
    if (this.view && view.seq <= this.view.seq) return { ignored: true };
    const before = this.view?.holder?.taskQueue;
    this.view = view;
    const now = view.holder?.taskQueue;
    return { ignored: false, ...(now !== undefined && now !== before && { movedTo: now }) };
  }

  /** Whether the lease has answered at all (the join, or a view). */
  get joined(): boolean {
    return this.view !== undefined;
  }

  /** Where batches go now, if anywhere: the view's holder, unless it turned a batch away or the lease refused. */
  get holder(): LeaseHolder | undefined {
    const view = this.view;
    return view && view.seq !== this.distrustedSeq && !view.refused ? view.holder : undefined;
  }

  /** Batches this member may have out at once (at least one while it may send at all). */
  get share(): number {
    return Math.max(1, this.view?.share ?? 0);
  }

  get directive(): LeaseDirective | undefined {
    return this.view?.directive;
  }

  get refused(): LeaseView['refused'] {
    return this.view?.refused;
  }

  /** The process at `taskQueue` said it does not hold the lease: if that is our holder, wait for a newer view. */
  turnedAway(taskQueue: string): boolean {
    if (this.holder?.taskQueue !== taskQueue) return false;
    this.distrustedSeq = this.view!.seq;
    return true;
  }
}

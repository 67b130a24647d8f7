/**
 * Finding the rows the platform refuses. An update that ends `Error` while the schedule did not move says only
 * that something in it was refused, so its rows are split in halves and each half goes as an update of its own,
 * and again, until the refused rows stand alone: k refused rows among n cost about k·log₂(n) extra updates, and
 * every other row lands. A row alone is tried `SINGLE_ROW_TRIES` times before it fails, so a passing fault of the
 * platform (an `Error` that a retry cures) does not fail a good row. Pure.
 */

/** Updates of one row alone, all ending `Error`, after which the row fails as refused by the platform. */
export const SINGLE_ROW_TRIES = 3;

export class Isolation {
  /** Rows (offsets in the batch) to send together, first group first. */
  private readonly groups: number[][];
  private readonly triesAlone = new Map<number, number>();
  /** Updates sent because of a split (beyond the one the rows would have needed together). */
  splits = 0;

  constructor(offsets: readonly number[]) {
    this.groups = offsets.length > 0 ? [[...offsets]] : [];
  }

  /** The rows to plan next, or undefined when every group is settled. */
  get current(): readonly number[] | undefined {
    return this.groups[0];
  }

  /** The current group is settled: its rows are applied or failed. */
  settled(): void {
    this.groups.shift();
  }

  /**
   * The update of `sent` (rows of the current group) ended `Error` and the schedule did not move.
   * @returns the rows that fail now as refused by the platform (a row alone, out of tries); empty otherwise
   */
  refused(sent: readonly number[]): number[] {
    this.groups.shift();
    if (sent.length > 1) {
      const half = Math.ceil(sent.length / 2);
      this.groups.unshift(sent.slice(0, half), sent.slice(half));
      this.splits++;
      return [];
    }
    const offset = sent[0]!;
    const tries = (this.triesAlone.get(offset) ?? 0) + 1;
    this.triesAlone.set(offset, tries);
    if (tries < SINGLE_ROW_TRIES) {
      this.groups.unshift([offset]);
      return [];
    }
    return [offset];
  }
}

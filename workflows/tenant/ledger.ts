/**
 * What a tenant's batches came to: the counts and the failure log, kept bounded in the workflow. Failures are item
 * ranges with their reason (neighbours with one reason merged); past `FAILURE_LOG_BOUND` ranges the log's ranges
 * move to the claim-check store as one block and the log keeps its ref, so state, result and history stay small
 * whatever fails and however each item's reason reads. Plain code: the store is passed in, so this is tested
 * without a server.
 */
import type { PutBatchResult } from '../../contracts/batch';
import type { FailedRange, FailureLog, FailureReason, ItemFailure } from '../../contracts/failures';
import type { BatchRange } from '../../contracts/plan';
import type { TenantCounts } from '../../contracts/tenant';
import { FAILURE_LOG_BOUND, addFailedRange } from '../failures';

export class FailureLedger {
  /** Blocks of the log on their way to the store. */
  private storing = 0;

  /**
   * @param counts updated in place (the workflow's carried state)
   * @param log updated in place
   * @param store keeps a block of ranges and returns its ref (retried without end by the caller's activity)
   */
  constructor(
    private readonly batches: readonly BatchRange[],
    private readonly counts: TenantCounts,
    private readonly log: FailureLog,
    private readonly store: (ranges: FailedRange[]) => Promise<string>,
  ) {}

  /** Whether a block is still on its way to the store (the workflow waits before it ends or continues). */
  get busy(): boolean {
    return this.storing > 0;
  }

  /**
   * Before the tenant returns: ranges past `inline` move to the store as one block (the workflow waits until the
   * ledger is not `busy`), so the result its job's history records carries counts and refs, not up to
   * `FAILURE_LOG_BOUND` messages.
   */
  seal(inline: number): void {
    if (this.log.recent.length > inline) this.storeBlock();
  }

  /** A batch's answer: what landed, what was refused and why, and the 429s it met. */
  recordResult(batch: number, result: PutBatchResult): void {
    this.counts.throttled += result.throttled;
    // Many items refused one by one: the activity stored them as a block of the log itself.
    if (result.storedFailures) {
      this.counts.failed += result.storedFailures.count;
      this.log.stored.push(result.storedFailures.ref);
    }
    if (result.outcome === 'done') {
      this.counts.applied += result.applied;
      this.recordItems(batch, result.failures);
      return;
    }
    // With stored failures, every failed item of the batch is in the stored block (counted above).
    if (result.storedFailures) return;
    if (result.failures.length === 0) return this.recordBatches(batch, batch, result.reason);
    // The rest of the batch was refused as a whole after the items named one by one: all of it, in item order.
    const named = new Map(result.failures.map((failure) => [failure.offset, failure.reason]));
    const { start, end } = this.batches[batch]!;
    const all = Array.from({ length: end - start }, (_, offset) => ({
      offset,
      reason: named.get(offset) ?? result.reason,
    }));
    this.recordItems(batch, all);
  }

  /** Whole batches `fromBatch..toBatch` failed (or were not sent) for `reason`. */
  recordBatches(fromBatch: number, toBatch: number, reason: FailureReason): void {
    this.recordRange(this.batches[fromBatch]!.start, this.batches[toBatch]!.end, reason);
  }

  /** Items of one batch refused one by one, each with its reason. */
  private recordItems(batch: number, failures: readonly ItemFailure[]): void {
    const start = this.batches[batch]!.start;
    for (const { offset, reason } of [...failures].sort((a, b) => a.offset - b.offset))
      this.recordRange(start + offset, start + offset + 1, reason);
  }

  private recordRange(start: number, end: number, reason: FailureReason): void {
    this.counts.failed += end - start;
    addFailedRange(this.log, start, end, reason);
    if (this.log.recent.length >= FAILURE_LOG_BOUND) this.storeBlock();
  }

  /** The log's ranges move to the store as one block; kept here instead if the store cannot take them. */
  private storeBlock(): void {
    const ranges = this.log.recent.splice(0);
    this.storing++;
    this.store(ranges)
      .then(
        (ref) => void this.log.stored.push(ref),
        () => void this.log.recent.unshift(...ranges),
      )
      .finally(() => this.storing--);
  }
}

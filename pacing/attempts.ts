/**
 * Two budgets for a batch that does not get through at once, because being throttled is not a fault:
 *
 * - **Faults** (5xx, connection resets, timeouts, a worker that died mid-attempt) spend the attempt budget
 *   (`maxAttempts`).
 * - **Throttling** (a 429, or a wait at the gate that gave the worker slot back) spends no attempt; it is bounded
 *   by time instead: a batch still throttled `throttleBudgetMs` after it was first scheduled gives up with its own
 *   reason.
 *
 * Temporal counts every attempt alike, so the activity keeps the count of its throttled attempts here and works
 * out the faults from Temporal's attempt number. All attempts of one activity run in the one process that serves
 * the tenant (its task queue is that process's own), so this in-memory count sees every one of them.
 */

export interface AttemptBudget {
  /** Attempts for faults, the first one included (the job's `maxAttempts`). */
  maxAttempts: number;
  /** Longest a batch may go on meeting throttling, from its first scheduling, in ms. */
  throttleBudgetMs: number;
}

/** What the activity knows of one attempt of a batch. */
export interface AttemptFacts {
  /** Temporal's attempt number, 1 for the first. */
  attempt: number;
  /** Earlier attempts of this batch that ended throttled. */
  throttledAttempts: number;
  /** ms since the batch was first scheduled. */
  ageMs: number;
}

/** Earlier attempts that ended in a fault (including attempts that timed out, which never reported back). */
export function faultsBefore(facts: AttemptFacts): number {
  return Math.max(0, facts.attempt - 1 - facts.throttledAttempts);
}

/** Whether the batch may retry after this attempt ends in a fault. */
export function mayRetryFault(facts: AttemptFacts, budget: AttemptBudget): boolean {
  return faultsBefore(facts) + 1 < budget.maxAttempts;
}

/** Whether the batch may retry after this attempt ends throttled (nothing sent, or a 429). */
export function mayRetryThrottled(facts: AttemptFacts, budget: AttemptBudget): boolean {
  return facts.ageMs < budget.throttleBudgetMs;
}

/** Throttled attempts of one batch so far: ended by a 429, or turned away at the gate before sending. */
export interface ThrottledCount {
  http429: number;
  turnedAway: number;
}

/**
 * The throttled attempts of each batch this process is running, by activity. Entries end with their batch;
 * those of batches that moved away (cancelled, handed over) are dropped after a day without news.
 */
export class ThrottledAttempts {
  private readonly counts = new Map<string, ThrottledCount & { seenAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly forgetAfterMs = 24 * 3_600_000,
  ) {}

  of(key: string): ThrottledCount {
    const entry = this.counts.get(key);
    return { http429: entry?.http429 ?? 0, turnedAway: entry?.turnedAway ?? 0 };
  }

  add(key: string, kind: keyof ThrottledCount): void {
    this.forgetStale();
    const count = this.of(key);
    count[kind]++;
    this.counts.set(key, { ...count, seenAt: this.now() });
  }

  /** The batch is done (or gave up): nothing more to count. */
  finish(key: string): void {
    this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }

  private forgetStale(): void {
    const cutoff = this.now() - this.forgetAfterMs;
    for (const [key, entry] of this.counts) if (entry.seenAt < cutoff) this.counts.delete(key);
  }
}

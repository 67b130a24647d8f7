/** Keeping runs bounded and tidy: what the benchmark and the fault suite start, they stop, also on failure. */

/** What a run has started and must stop, also when it fails or is interrupted (Ctrl-C). */
export class Cleanup {
  private readonly tasks = new Set<() => Promise<void>>();

  /** Registers `stop`; the returned function runs it now (once) and forgets it. */
  add(stop: () => Promise<unknown>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const task = () => (done ??= stop().then(() => undefined));
    this.tasks.add(task);
    return async () => {
      this.tasks.delete(task);
      await task();
    };
  }

  /** Runs every task still registered, newest first; one failing does not keep the others from running. */
  async runAll(): Promise<void> {
    const tasks = [...this.tasks].reverse();
    this.tasks.clear();
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Rejects naming `what` when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True once `promise` resolves, false when `ms` pass first (the promise is left to itself). */
export async function finishesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

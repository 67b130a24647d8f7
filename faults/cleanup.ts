/** What a scenario has started and must stop, also when it fails or the run is interrupted. */
export class Cleanup {
  private readonly tasks: Array<() => Promise<unknown>> = [];

  add(stop: () => Promise<unknown>): void {
    this.tasks.push(stop);
  }

  /** Runs every task, newest first; one failing does not keep the others from running. */
  async runAll(): Promise<void> {
    while (this.tasks.length > 0) {
      const task = this.tasks.pop()!;
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

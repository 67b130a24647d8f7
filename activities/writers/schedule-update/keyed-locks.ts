/**
 * One holder at a time per key, in this process. Updates of one Genesys schedule must not overlap: each is built on
 * the schedule's version, so a second one started meanwhile would be refused as stale. The tenant is served by
 * one process (see `serve-tenant.ts`), so a lock in that process orders a schedule's updates; should two processes
 * ever write one schedule at once, the platform's version check still refuses one of them.
 */
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the key's earlier holders; the returned function lets the next one in. */
  async acquire(key: string): Promise<() => void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => held);
    this.tails.set(key, tail);
    await before;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}

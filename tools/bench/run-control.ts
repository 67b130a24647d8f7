/** What every run of a system gets. */
import type { Cleanup } from '../harness/cleanup';

export interface RunContext {
  /** The Temporal dev server's frontend. */
  address: string;
  cleanup: Cleanup;
  log(line: string): void;
}

/** Exit codes of `wfm-bulk`, one meaning each, so scripts can tell outcomes apart. */
export const EXIT = {
  /** Every assignment applied (or the command did what it was asked). */
  ok: 0,
  /** The job finished, some assignments failed (see `report`). */
  someFailed: 1,
  /** Bad input, bad configuration or bad usage: nothing was started. */
  usage: 2,
  /** Temporal could not be reached. */
  unreachable: 3,
  /** Anything unforeseen (a bug, a store that cannot be read): the message says what. */
  unexpected: 4,
  /** `status`: the job has not finished yet (running, paused, or its state could not be read). */
  running: 5,
  /** Watching stopped with Ctrl-C; the job goes on. */
  interrupted: 130,
} as const;

/** An error the CLI prints as it is (no stack) before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * How the bench talks to a baseline running in its own process: the job arrives as JSON on stdin, the report
 * leaves as the last line of stdout. Secrets travel on the pipe, never on the command line.
 */

export interface BaselineTenant {
  id: string;
  clientId: string;
  clientSecret: string;
  schedules: Array<{ scheduleId: string; assignments: object[] }>;
}

export interface BaselineInput {
  apiBaseUrl: string;
  loginUrl: string;
  /** Assignments per PUT. */
  batchSize: number;
  /** PUTs in flight per tenant (the p-limit loop; the forum's 5 is part of its algorithm). */
  concurrency: number;
  /** Attempts per PUT (the p-limit loop). */
  maxAttempts: number;
  tenants: BaselineTenant[];
}

export interface BaselineReport {
  /** From before the first token request to the last answer. */
  makespanMs: number;
  /** This process's peak resident memory. */
  peakRssMb: number;
  /** Lines the algorithm logged as errors. */
  errorsLogged: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Cuts a schedule's assignments into PUT bodies of at most `batchSize`. */
export function batchesOf(assignments: object[], batchSize: number): object[][] {
  const batches: object[][] = [];
  for (let i = 0; i < assignments.length; i += batchSize) batches.push(assignments.slice(i, i + batchSize));
  return batches;
}

/** Runs `algorithm` on the job from stdin and prints the report. */
export function runBaselineProcess(
  algorithm: (input: BaselineInput, logError: (line: string) => void) => Promise<void>,
) {
  let errorsLogged = 0;
  const logError = (line: string) => {
    errorsLogged++;
    console.error(line);
  };
  readStdin()
    .then(async (text) => {
      const input = JSON.parse(text) as BaselineInput;
      const startedAt = performance.now();
      await algorithm(input, logError);
      const report: BaselineReport = {
        makespanMs: Math.round(performance.now() - startedAt),
        // resourceUsage().maxRSS is in kilobytes.
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        errorsLogged,
      };
      console.log(JSON.stringify(report));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

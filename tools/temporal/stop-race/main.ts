/**
 * How often stopping a worker loses a workflow task: `npx tsx tools/temporal/stop-race/main.ts [--stops N]
 * [--workflows N] [--backlog] [--cancel-polls]`. Runs `spin` workflows on two worker processes, stops one with
 * SIGTERM N times (starting it again each time), then counts the workflow tasks that a worker took and never
 * finished (timed out start-to-close, `tools/harness/histories.ts`), each with how long after a stop it was taken.
 * `--cancel-polls` starts the dev server with `frontend.enableCancelWorkerPollsOnShutdown`, which is meant to let a
 * stopping worker's polls end on the server's side rather than be cut.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { lostWorkflowTasks } from '../../harness/histories';
import { sleep } from '../../harness/wait';
import { startDevServer } from '../dev-server';

const { values } = parseArgs({
  options: {
    stops: { type: 'string', default: '12' },
    workflows: { type: 'string', default: '200' },
    backlog: { type: 'boolean', default: false },
    'cancel-polls': { type: 'boolean', default: false },
  },
});
const stops = Number(values.stops);
const workflows = Number(values.workflows);

function startWorker(address: string, identity: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./worker')], {
    env: {
      ...process.env,
      STOP_RACE_ADDRESS: address,
      STOP_RACE_IDENTITY: identity,
      STOP_RACE_BACKLOG: values.backlog ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker ${identity} exited (${code}) before it was ready`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

async function main(): Promise<void> {
  const server = await startDevServer({
    ...(values['cancel-polls'] && { dynamicConfig: { 'frontend.enableCancelWorkerPollsOnShutdown': true } }),
  });
  const children: ChildProcess[] = [];
  try {
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    let stopping = await startWorker(server.address, 'stopped-0');
    children.push(stopping, await startWorker(server.address, 'steady'));
    const ids = Array.from({ length: workflows }, (_, i) => `spin-${i}`);
    for (const workflowId of ids) await client.workflow.start('spin', { taskQueue: 'stop-race', workflowId });
    const stoppedAt: number[] = [];
    for (let stop = 1; stop <= stops; stop++) {
      await sleep(3_000);
      const exited = new Promise((resolve) => stopping.once('exit', resolve));
      stoppedAt.push(Date.now());
      stopping.kill('SIGTERM');
      await exited;
      stopping = await startWorker(server.address, `stopped-${stop}`);
      children.push(stopping);
    }
    await sleep(12_000); // a lost task times out after 10 s
    const lost = [];
    for (const workflowId of ids) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      for (const task of lostWorkflowTasks(history)) {
        const stop = Number(task.identity.replace('stopped-', ''));
        lost.push({ workflowId, ...task, afterStopMs: task.startedAt - (stoppedAt[stop] ?? NaN) });
      }
      await client.workflow.getHandle(workflowId).terminate();
    }
    for (const task of lost)
      console.log(`${task.workflowId}: taken by ${task.identity} ${task.afterStopMs} ms after its stop, lost`);
    console.log(
      JSON.stringify({
        stops,
        workflows,
        backlog: values.backlog,
        cancelPolls: values['cancel-polls'],
        lostTasks: lost.length,
      }),
    );
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Records the replay fixtures of a release: `npm run replay:record -- <release>` runs a few jobs on a fresh dev
 * server with this checkout's workflow code and writes every history (job, tenants and their leases, every run) to
 * `test/replay/histories/<release>/`. Run it at each release, on the released commit, and commit the files:
 * from then on `npm test` replays them against every later change, so a change that would break jobs still
 * running on that release fails the tests instead of the jobs (see docs/development.md, "Changing workflow code").
 * The jobs are in `jobs.ts`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { tenantLeaseWorkflowId } from '../../contracts/names';
import { jobHistories } from '../../tools/harness/histories';
import { createWorld, type World } from '../../tools/harness/world';
import { startDevServer } from '../../tools/temporal/dev-server';
import { PROJECT_ROOT } from '../../tools/paths';
import { RECORDED_JOBS, RECORDED_ORGS } from './jobs';

const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');

const { History } = temporal.api.history.v1;

/**
 * Proto3-style JSON (enum names, base64 bytes, 64-bit numbers as strings) read back by `History.fromObject`.
 * Written with the proto package itself: the SDK's `historyToJSON` fails when npm installs two copies of
 * protobufjs (it does here, for `@grpc/proto-loader`).
 */
function historyJson(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }));
}

async function main() {
  const release = process.argv[2];
  if (!release || !/^[\w.-]+$/.test(release)) {
    throw new Error('usage: npm run replay:record -- <release> (letters, digits, dots and dashes, e.g. 0.1.0)');
  }
  const server = await startDevServer();
  let world: World | undefined;
  try {
    world = await createWorld({
      address: server.address,
      orgs: RECORDED_ORGS,
    });
    const dir = path.join(HISTORIES_DIR, release);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [name, run] of Object.entries(RECORDED_JOBS)) {
      const input = await run(world);
      const histories = await jobHistories(world.client, input);
      for (const [index, { workflowId, history }] of histories.entries()) {
        const kind =
          workflowId === input.jobId
            ? 'job'
            : workflowId.startsWith(tenantLeaseWorkflowId(''))
              ? `lease-${workflowId.slice(tenantLeaseWorkflowId('').length)}`
              : `tenant-${workflowId.slice(input.jobId.length + 1)}`;
        const file = path.join(
          dir,
          `${name}.${String(index).padStart(2, '0')}.${kind.replace(world.suffix, 'x')}.json`,
        );
        await writeFile(file, historyJson(history));
      }
      console.log(`${name}: ${histories.length} histories`);
    }
    console.log(`written to ${path.relative(PROJECT_ROOT, dir)}`);
  } finally {
    await world?.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

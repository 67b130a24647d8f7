/**
 * `npm run build` makes a deployable product: laid out as a deployment without TypeScript sources (bin/, the
 * build as dist/, package.json, node_modules), the `wfm-bulk` bin runs the compiled client on plain node and the
 * `wfm-bulk-worker` bin a compiled worker that finishes a job on the prebuilt workflow bundle, bundling nothing.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { PROJECT_ROOT } from '../../tools/paths';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { assignmentRows, createWorld, type World } from '../helpers/world';

/** Runs `node args…`; resolves with its exit code and output. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Neither forced to the sources (as the tests otherwise are, see vitest.config.mts) nor to a build. */
const AUTO = { WFM_DEV: '' };

describe('compiled build', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'wfm-build-'));
  let world: World | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const build = await run(['--import', 'tsx', 'scripts/build.ts', '--out-dir', path.join(root, 'dist')]);
    expect(build.code, build.output).toBe(0);
    cpSync(path.join(PROJECT_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
    cpSync(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  }, 300_000);
  afterAll(async () => {
    await worker?.kill();
    await world?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs the compiled client from the bin', async () => {
    const help = await run([path.join(root, 'bin', 'wfm-bulk.js'), '--help'], AUTO);
    expect(help.code, help.output).toBe(0);
    expect(help.output).toContain('Usage: wfm-bulk');
    const version = await run([path.join(root, 'bin', 'wfm-bulk.js'), '--version'], AUTO);
    expect(version.output.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runs a compiled worker that finishes a job on the prebuilt workflow bundle', async () => {
    world = await createWorld({ orgs: [{ id: 'acme' }], workers: false });
    const bundles = mkdtempSync(path.join(os.tmpdir(), 'wfm-bundles-'));
    worker = spawnWorker(world, { ...AUTO, WFM_BUNDLE_DIR: bundles, WFM_LOG_FORMAT: 'text' }, [
      path.join(root, 'bin', 'wfm-bulk-worker.js'),
    ]);
    await worker.ready;
    const tenant = world.tenant('acme');
    const schedules = world.sim.state.config.orgs.find((org) => org.id === tenant)!.schedules;
    const input = await world.startJobFromRows(assignmentRows(tenant, schedules, 4), { batchSize: 2 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 4, failed: 0 });
    // Nothing was bundled at start-up: the worker ran the bundle built with it.
    expect(readdirSync(bundles)).toEqual([]);
    rmSync(bundles, { recursive: true, force: true });
  });
});

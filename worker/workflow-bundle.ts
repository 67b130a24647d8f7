/**
 * The workflow code a worker runs, bundled once per version of the code and kept on disk. Bundling (webpack)
 * costs seconds and about 100 MB that a long-running worker would otherwise keep; with the cache a worker
 * starts in a moment and stays small, and the bundling itself runs in a short-lived child process.
 *
 * The cache key is a hash of everything that goes into the bundle (workflows/, contracts/, pacing/, the SDK's
 * version), so a changed workflow can never run from a stale bundle.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV } from '../config/environment';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const BUNDLED_FOLDERS = ['workflows', 'contracts', 'pacing'];

/** `WFM_BUNDLE_DIR`, or a folder in the system's temporary directory. */
export function bundleDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.WFM_BUNDLE_DIR] ?? path.join(os.tmpdir(), 'wfm-bulk-workflow-bundles');
}

/** Hash of the sources the bundle is made of. */
export function workflowSourceHash(): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(`@temporalio/workflow@${sdk.version}\n`);
  for (const folder of BUNDLED_FOLDERS) {
    const files = readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .sort();
    for (const file of files) {
      hash.update(`${folder}/${file}\n`);
      hash.update(readFileSync(path.join(PROJECT_ROOT, folder, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Name of the bundle `npm run build` writes at the top of its output folder, beside the compiled code. */
export const PREBUILT_BUNDLE_NAME = 'workflows.bundle.js';

/**
 * The bundle a worker runs: compiled (dist/), the one built with it, which holds the same workflow code as the
 * compiled files around it; from sources (tsx), the cached bundle of the sources as they are now.
 */
export function workflowBundleFile(env: NodeJS.ProcessEnv = process.env): string {
  if (!__filename.endsWith('.js')) return cachedWorkflowBundle(env);
  // Compiled: PROJECT_ROOT is the build's output folder, which holds no TypeScript to bundle.
  const prebuilt = path.join(PROJECT_ROOT, PREBUILT_BUNDLE_NAME);
  if (!existsSync(prebuilt)) throw new Error(`${prebuilt} is missing: run \`npm run build\` again`);
  return prebuilt;
}

/** Path of an up-to-date bundle of workflows/, building it (in a child process) when there is none yet. */
export function cachedWorkflowBundle(env: NodeJS.ProcessEnv = process.env): string {
  const directory = bundleDirectory(env);
  const file = path.join(directory, `workflows-${workflowSourceHash()}.js`);
  if (existsSync(file)) return file;
  mkdirSync(directory, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  execFileSync(process.execPath, ['--import', 'tsx', __filename, temporary], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Rename: a bundle under its final name is always complete, even with workers starting side by side.
  renameSync(temporary, file);
  return file;
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: workflow-bundle.ts <output file>');
  void import('@temporalio/worker').then(async ({ bundleWorkflowCode }) => {
    const quiet = () => undefined;
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
      logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
    });
    writeFileSync(out, code);
  });
}

/**
 * `npm run build [-- --out-dir <dir>]`: the product compiled for production: `tsc -p tsconfig.build.json` into
 * dist/ (CommonJS, like the sources run under tsx), the workflow bundle prebuilt beside it (so a worker starts
 * without webpack), and `build-info.json` written last, whose time tells the bins the build is current (bin/entry.js).
 * The output folder is emptied first, so a deleted source leaves no module behind.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLE_NAME } from '../worker/workflow-bundle';
import { PROJECT_ROOT } from '../tools/paths';

function outDirFromArgs(args: string[]): string {
  const at = args.indexOf('--out-dir');
  if (at >= 0 && !args[at + 1]) throw new Error('usage: npm run build [-- --out-dir <dir>]');
  return path.resolve(at >= 0 ? args[at + 1]! : path.join(PROJECT_ROOT, 'dist'));
}

async function main(): Promise<void> {
  const outDir = outDirFromArgs(process.argv.slice(2));
  const started = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(PROJECT_ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit',
  });
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
    logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
  });
  writeFileSync(path.join(outDir, PREBUILT_BUNDLE_NAME), code);
  const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  const info = { version, builtAt: new Date().toISOString(), node: process.version };
  writeFileSync(path.join(outDir, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(
    `build: ${path.relative(process.cwd(), outDir) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

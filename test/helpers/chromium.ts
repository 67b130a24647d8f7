/**
 * Finds a Chromium for the Web UI test, so that `npm test` passes on a machine without one: `CHROMIUM_PATH`,
 * a system Chromium or Chrome, Playwright's browser cache, then `playwright-core install chromium` where the
 * internet is reachable. When none is found the test is skipped with the reason, unless `WFM_REQUIRE_BROWSER=1`
 * (set by `.ci/run`) makes a missing browser a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../tools/paths';

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export type ChromiumLookup = { found: string } | { missing: string };

/** Playwright's own download of the Chromium its version expects, or undefined when it is not cached. */
function playwrightCached(): string | undefined {
  try {
    const candidate = chromium.executablePath();
    return existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

function playwrightInstall(): string | undefined {
  try {
    execFileSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules', 'playwright-core', 'cli.js'), 'install', 'chromium'],
      { stdio: 'ignore', timeout: 180_000 },
    );
  } catch {
    return undefined; // no internet, or no download host reachable
  }
  return playwrightCached();
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  if (env.CHROMIUM_PATH) {
    // An explicit choice that does not exist is a mistake to report, not a reason to look elsewhere.
    return existsSync(env.CHROMIUM_PATH)
      ? { found: env.CHROMIUM_PATH }
      : { missing: `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` };
  }
  const found = SYSTEM_BROWSERS.find((candidate) => existsSync(candidate)) ?? playwrightCached() ?? playwrightInstall();
  if (found) return { found };
  return {
    missing:
      'no Chromium found (CHROMIUM_PATH, /usr/bin/chromium, Playwright’s cache) and `playwright-core install chromium` ' +
      'could not download one; install Debian’s chromium (apt-get install -y chromium) or set CHROMIUM_PATH',
  };
}

/** `.ci/run` requires the browser test to run: there a missing browser fails instead of skipping. */
export const browserRequired = (env: NodeJS.ProcessEnv = process.env) => env.WFM_REQUIRE_BROWSER === '1';

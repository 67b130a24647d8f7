// Which code a bin runs: the compiled build in dist/ on plain node, or the TypeScript sources through tsx.
//
// - WFM_DEV=1: the sources, always (the tests set it, so a dist/ left over never stands in for the code under test).
// - WFM_DEV=0: dist/, always; an error when there is none (`npm run build`).
// - unset: dist/ when it is there and no product source is newer than it; otherwise the sources. So a deployment
//   that ran `npm run build` runs compiled code, and a checkout edited (or pulled) after a build never runs a
//   stale build: the moment a source changes, the bin falls back to it.
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written last by `npm run build`: its time is the build's. */
const STAMP = path.join(DIST, 'build-info.json');
/** The folders compiled into dist/ (tsconfig.build.json). */
const PRODUCT_FOLDERS = [
  'contracts',
  'workflows',
  'activities',
  'worker',
  'client',
  'store',
  'codec',
  'config',
  'pacing',
];

/** The newest modification time of the product's TypeScript sources, 0 when there are none (a dist-only install). */
function newestSource() {
  let newest = 0;
  for (const folder of PRODUCT_FOLDERS) {
    const dir = path.join(ROOT, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(dir, file)).mtimeMs);
    }
  }
  return newest;
}

/** Whether to run dist/; throws when WFM_DEV=0 asks for a build that is not there. */
function useDist(env = process.env) {
  const built = existsSync(STAMP);
  if (env.WFM_DEV === '1') return false;
  if (env.WFM_DEV === '0') {
    if (!built) throw new Error(`WFM_DEV=0 but there is no build in ${DIST}: run \`npm run build\``);
    return true;
  }
  return built && newestSource() <= statSync(STAMP).mtimeMs;
}

/**
 * Loads one of the product's modules, compiled or from source.
 * @param {string} modulePath path under the project root without extension, e.g. `client/cli`
 */
function load(modulePath) {
  if (useDist()) return require(path.join(DIST, `${modulePath}.js`));
  require('tsx/cjs/api').register();
  return require(path.join(ROOT, `${modulePath}.ts`));
}

module.exports = { load, useDist, DIST, STAMP };

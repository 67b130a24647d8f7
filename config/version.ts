/**
 * The version of wfm-bulk that is running: the nearest `package.json` of `wfm-bulk` above this file, so it holds for
 * the sources run by tsx and for a build under dist/ alike. The client prints it; the worker names itself with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      if (manifest.name === 'wfm-bulk' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no (readable) package.json here: look further up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

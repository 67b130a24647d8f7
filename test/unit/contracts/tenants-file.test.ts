import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/issues';
import { loadTenantsFile } from '../../../config/tenants-file';

function write(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tenants-')), 'tenants.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('tenants file', () => {
  it('applies defaults and resolves regions', () => {
    const tenants = loadTenantsFile(
      write({
        defaults: { region: 'mypurecloud.ie', concurrency: 3 },
        tenants: [
          { id: 'a', clientId: 'ca', clientSecretEnv: 'A_SECRET' },
          { id: 'b', clientId: 'cb', clientSecretFile: '/run/b', apiBaseUrl: 'http://127.0.0.1:9/', ratePerSecond: 2 },
        ],
      }),
    );
    expect(tenants.get('a')).toMatchObject({
      apiBaseUrl: 'https://api.mypurecloud.ie',
      loginUrl: 'https://login.mypurecloud.ie',
      pathTemplate: '/api/v2/wfm/schedules/{scheduleId}/assignments',
      listField: 'assignments',
      limits: { concurrency: 3 },
      secretSource: { env: 'A_SECRET' },
    });
    expect(tenants.get('b')).toMatchObject({
      apiBaseUrl: 'http://127.0.0.1:9',
      limits: { concurrency: 3, ratePerSecond: 2 },
      secretSource: { file: '/run/b' },
    });
  });

  it('names the file and every bad field', () => {
    const file = write({
      tenants: [
        { id: 'bad id', clientId: 'x', clientSecretEnv: 'X' },
        { id: 'a', clientId: 'y', clientSecretEnv: 'Y', clientSecretFile: '/f', region: 'mypurecloud.com' },
        { id: 'a', clientId: 'z', clientSecretEnv: 'Z', concurrency: 0, region: 'mypurecloud.com' },
      ],
    });
    let error: unknown;
    try {
      loadTenantsFile(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.every((p) => p.startsWith(`${file}: tenants.`))).toBe(true);
    expect(problems.join('\n')).toMatch(/tenants\.0\.id: must be 1-64 letters/);
    expect(problems.join('\n')).toMatch(/tenants\.0: needs a region/);
    expect(problems.join('\n')).toMatch(/tenants\.1\.clientSecretEnv: give exactly one of/);
    expect(problems.join('\n')).toMatch(/tenants\.2\.concurrency/);
  });

  it('refuses a file that is not JSON or not there', () => {
    expect(() => loadTenantsFile(write('{ nope'))).toThrow(/not valid JSON/);
    expect(() => loadTenantsFile('/no/such/tenants.json')).toThrow(/cannot read the tenants file/);
  });
});

/** A worker that cannot reach its claim-check store stops at start, non-zero, saying which store. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../tools/paths';

function runWorker(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), WFM_LOG_FORMAT: 'text', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('a worker starting', () => {
  let dir: string;
  let tenantsFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-worker-start-'));
    tenantsFile = path.join(dir, 'tenants.json');
    await writeFile(
      tenantsFile,
      JSON.stringify({
        defaults: { apiBaseUrl: 'http://127.0.0.1:9', loginUrl: 'http://127.0.0.1:9' },
        tenants: [{ id: 'acme', clientId: 'acme-client', clientSecretEnv: 'ACME_SECRET' }],
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits non-zero, naming the store, when the S3 store does not answer', async () => {
    const { code, output } = await runWorker({
      WFM_TENANTS: tenantsFile,
      ACME_SECRET: 's',
      WFM_STORE_URL: 's3://wfm-claims/prod',
      WFM_S3_ENDPOINT: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      TEMPORAL_ADDRESS: '127.0.0.1:9',
    });
    expect(code).toBe(1);
    expect(output).toContain('cannot reach the claim-check store s3://wfm-claims/prod/');
    expect(output).not.toContain('worker: ');
  });

  it('exits non-zero, naming the variable, for a store URL it cannot read', async () => {
    const { code, output } = await runWorker({
      WFM_TENANTS: tenantsFile,
      ACME_SECRET: 's',
      WFM_STORE_URL: 'ftp://somewhere/x',
    });
    expect(code).toBe(1);
    expect(output).toContain('WFM_STORE_URL must be s3://bucket[/prefix] or file:///absolute/path');
  });
});

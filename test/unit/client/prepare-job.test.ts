/**
 * A job's input is stored in chunks and sized before anything is stored: one Temporal would refuse (over 2 MB) is
 * refused by the client, saying how to split the file, with nothing written.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../client/errors';
import { MAX_JOB_INPUT_BYTES, planJob, plannedInputBytes, prepareJob } from '../../../client/jobs/prepare';
import type { ParsedInput } from '../../../client/input/types';
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';
import { ITEM_CHUNK_SIZE } from '../../../contracts/plan';
import { resolveTenants, tenantsFileSchema } from '../../../contracts/tenants';
import { FileBlobStore } from '../../../store/blob-store';

function input(tenants: number, perTenant: number): ParsedInput {
  const rows = Array.from({ length: tenants * perTenant }, (_, i) => ({
    line: i + 2,
    row: {
      tenantId: `tenant-${String(Math.floor(i / perTenant)).padStart(5, '0')}`,
      scheduleId: `schedule-${i % 3}`,
      id: `a-${i}`,
      userId: `user-${i % 40}`,
      start: '2027-01-04T08:00:00Z',
      end: '2027-01-04T16:00:00Z',
    },
  }));
  return { file: 'big.csv', format: 'csv', rows, bytes: Buffer.from('tenantId,…') };
}

function tenantsOf(count: number) {
  return resolveTenants(
    tenantsFileSchema.parse({
      defaults: { apiBaseUrl: 'https://api.example.test', loginUrl: 'https://login.example.test' },
      tenants: Array.from({ length: count }, (_, i) => ({
        id: `tenant-${String(i).padStart(5, '0')}`,
        clientId: `client-${i}`,
        clientSecretEnv: 'SECRET',
      })),
    }),
  );
}

describe('prepareJob', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const store = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-prepare-'));
    dirs.push(dir);
    return { dir, store: new FileBlobStore(dir) };
  };
  const options = { ...DEFAULT_JOB_OPTIONS, jobId: 'wfm-20270104-080000-abcdef' };

  it('stores each tenant’s items in chunks, and sizes the input as it will be', async () => {
    const parsed = input(3, 2_500);
    const { store: files } = await store();
    const job = await prepareJob(parsed, tenantsOf(3), files, options);
    expect(job.tenants.map((plan) => plan.itemChunks?.refs.length)).toEqual([3, 3, 3]);
    expect(job.tenants.every((plan) => plan.itemChunks?.size === ITEM_CHUNK_SIZE)).toBe(true);
    const planned = plannedInputBytes(planJob(parsed, tenantsOf(3), options.batchSize), options.jobId, 'big.csv');
    const actual = Buffer.byteLength(JSON.stringify(job));
    // The options and the format are left out of the estimate: a few hundred bytes.
    expect(Math.abs(actual - planned)).toBeLessThan(500);
  });

  it('refuses a job Temporal would not take, saying how to split it, and stores nothing', async () => {
    const parsed = input(8_000, 1);
    const { dir, store: files } = await store();
    const error = await prepareJob(parsed, tenantsOf(8_000), files, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    const message = (error as Error).message;
    expect(message).toMatch(/^big\.csv: a job of 8000 tenants needs a workflow input of [\d.]+ MB/);
    const fits = Number(/at most (\d+) tenants/.exec(message)?.[1]);
    expect(fits).toBeGreaterThan(4_000);
    expect(fits).toBeLessThan(8_000);
    expect(await readdir(dir)).toEqual([]);
    // As many as it says fit do.
    const planned = plannedInputBytes(planJob(input(fits, 1), tenantsOf(fits), 1), options.jobId, 'big.csv');
    expect(planned).toBeLessThanOrEqual(MAX_JOB_INPUT_BYTES);
  });
});

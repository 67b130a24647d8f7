import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputIssue } from '../../../client/input';
import { InputError, readInputFile } from '../../../client/input';
import { CSV_HEADER, csvLine } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'wfm-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function issuesOfFile(path: string, opts?: Parameters<typeof readInputFile>[1]): Promise<InputIssue[]> {
  const error: unknown = await readInputFile(path, opts).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).issues;
}

describe('readInputFile', () => {
  it('reads and validates a file, returning its exact bytes', async () => {
    const path = join(dir, 'ok.csv');
    writeFileSync(path, `${CSV_HEADER}\r\n${csvLine()}\r\n`);
    const parsed = await readInputFile(path, { knownTenants: new Set(['acme']) });
    expect(parsed).toMatchObject({ file: path, format: 'csv' });
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.bytes.toString('utf8')).toBe(`${CSV_HEADER}\r\n${csvLine()}\r\n`);
  });

  it('reports a missing file as an input problem', async () => {
    const path = join(dir, 'nope.csv');
    expect(await issuesOfFile(path)).toEqual([{ file: path, line: 0, message: 'cannot read the file: no such file' }]);
  });

  it('reports a directory as not a file', async () => {
    expect(await issuesOfFile(dir)).toEqual([{ file: dir, line: 0, message: 'is not a file' }]);
  });

  it('refuses a file over maxBytes from its size alone', async () => {
    const path = join(dir, 'big.csv');
    writeFileSync(path, 'x'.repeat(2048));
    expect(await issuesOfFile(path, { maxBytes: 1024 })).toEqual([
      { file: path, line: 0, message: 'file is 2.0 KiB, more than the limit of 1.0 KiB; split it into several jobs' },
    ]);
  });

  it('names the file as given in every issue', async () => {
    const path = join(dir, 'bad.ndjson');
    writeFileSync(path, '{}\n[]\n');
    const issues = await issuesOfFile(path);
    expect(issues.length).toBeGreaterThan(1);
    expect(new Set(issues.map((issue) => issue.file))).toEqual(new Set([path]));
    expect(issues.at(-1)).toEqual({ file: path, line: 2, message: 'expected a JSON object, got an array' });
  });
});

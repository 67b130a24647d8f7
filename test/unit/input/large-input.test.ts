/**
 * 100,000 rows in each format: all read, with the right lines. Speed is a benchmark's business; a test
 * that needs minutes here would mean something quadratic crept in.
 */
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { groupByTenant } from '../../../client/input/normalize';
import { CSV_HEADER, END, START, issuesOf } from './helpers';

const COUNT = 100_000;

function rowAt(i: number): Record<string, string> {
  return { tenantId: `t-${i % 100}`, scheduleId: `s-${i % 7}`, id: `a-${i}`, userId: `u-${i}`, start: START, end: END };
}

describe('large input', () => {
  it('reads 100,000 CSV rows', () => {
    const lines = Array.from({ length: COUNT }, (_, i) => Object.values(rowAt(i)).join(',') + ',,,"notes, quoted"');
    const { rows } = parseInput(Buffer.from(`${CSV_HEADER}\n${lines.join('\n')}\n`), 'big.csv');
    expect(rows).toHaveLength(COUNT);
    expect(rows.at(-1)?.line).toBe(COUNT + 1);
    expect(groupByTenant(rows).get('t-99')).toHaveLength(COUNT / 100);
  });

  it('reads 100,000 NDJSON rows', () => {
    const text = Array.from({ length: COUNT }, (_, i) => JSON.stringify(rowAt(i))).join('\n');
    const { rows } = parseInput(Buffer.from(text), 'big.ndjson');
    expect(rows).toHaveLength(COUNT);
    expect(rows.at(-1)?.line).toBe(COUNT);
  });

  it('reads a JSON array of 100,000 rows', () => {
    const text = JSON.stringify(
      Array.from({ length: COUNT }, (_, i) => rowAt(i)),
      null,
      1,
    );
    const { rows } = parseInput(Buffer.from(text), 'big.json');
    expect(rows).toHaveLength(COUNT);
    // Each element takes 8 lines (braces and six fields) after the opening "[".
    expect(rows.at(-1)?.line).toBe(2 + (COUNT - 1) * 8);
  });

  it('stops collecting at 1,000 issues', () => {
    const text = Array.from({ length: COUNT }, (_, i) => JSON.stringify({ ...rowAt(i), start: 'x' })).join('\n');
    const issues = issuesOf(text, 'bad.ndjson');
    expect(issues).toHaveLength(1001);
    expect(issues.at(-2)?.line).toBe(1000);
    expect(issues.at(-1)).toEqual({ file: 'bad.ndjson', line: 0, message: '…stopped after 1000 issues' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { brief, issuesOf, row } from './helpers';

const line = (overrides: Record<string, unknown> = {}) => JSON.stringify(row(overrides));

describe('NDJSON', () => {
  it('gives each row its line, skipping blank lines, with LF or CRLF', () => {
    const text = ['', line({ id: 'a-1' }), '   ', line({ id: 'a-2' }), ''].join('\r\n');
    expect(parseInput(Buffer.from(text), 'in.ndjson').rows.map((parsed) => parsed.line)).toEqual([2, 4]);
    const lf = `${line({ id: 'a-1' })}\n${line({ id: 'a-2' })}`;
    expect(parseInput(Buffer.from(lf), 'in.jsonl').rows.map((parsed) => parsed.line)).toEqual([1, 2]);
  });

  it('reports every bad line and goes on', () => {
    const text = [line({ id: 'a-1' }), '{"id": "a-2",}', '[1]', 'null', line({ id: 'a-5', end: 'x' }), 'garbage'];
    expect(brief(issuesOf(text.join('\n'), 'in.ndjson'))).toEqual([
      '2: invalid JSON at column 13: trailing comma is not allowed in JSON',
      '3: expected a JSON object, got an array',
      '4: expected a JSON object, got null',
      '5 end: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "x"',
      '6: invalid JSON at column 1: unexpected "garbage"',
    ]);
  });

  it('says once that a pretty-printed JSON array is not NDJSON', () => {
    const text = JSON.stringify([row()], null, 2);
    expect(brief(issuesOf(text, 'in.ndjson'))).toEqual([
      '1: expected one JSON object per line, but the file starts a JSON array: name it .json',
    ]);
  });

  it('hints at JSON when the first line is a whole array', () => {
    expect(brief(issuesOf(`[${line()}]`, 'in.ndjson'))).toEqual([
      '1: expected a JSON object, got an array (a JSON array? name the file .json)',
    ]);
  });

  it('reports a key given twice', () => {
    expect(brief(issuesOf(`{"id": "x", ${line().slice(1)}`, 'in.ndjson'))).toEqual([
      '1 id: key appears twice in the object',
    ]);
  });
});

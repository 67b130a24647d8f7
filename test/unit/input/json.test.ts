import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { brief, issuesOf, row } from './helpers';

const linesOf = (text: string) => parseInput(Buffer.from(text), 'in.json').rows.map((parsed) => parsed.line);

describe('JSON arrays', () => {
  it('give each row the line its "{" is on', () => {
    const text = `[\n  ${JSON.stringify(row({ id: 'a-1' }))},\n\n  ${JSON.stringify(row({ id: 'a-2' }))}\n]\n`;
    expect(linesOf(text)).toEqual([2, 4]);
    expect(linesOf(JSON.stringify([row({ id: 'a-1' }), row({ id: 'a-2' })]))).toEqual([1, 1]);
    expect(linesOf(JSON.stringify([row({ id: 'a-1' }), row({ id: 'a-2' })], null, 2))).toEqual([2, 10]);
  });

  it('count lines with CRLF ends', () => {
    const text = `[\r\n${JSON.stringify(row({ id: 'a-1' }))},\r\n${JSON.stringify(row({ id: 'a-2' }))}\r\n]`;
    expect(linesOf(text)).toEqual([2, 3]);
  });

  it('report every bad element on its own line', () => {
    const text = [
      '[',
      JSON.stringify(row({ id: 'a-1', userId: 7 })),
      ',null,',
      '"x"',
      ',',
      JSON.stringify(row({ id: 'a-6' })),
      ']',
    ];
    expect(brief(issuesOf(text.join('\n'), 'in.json'))).toEqual([
      '2 userId: expected string, received number',
      '3: expected an assignment object, got null',
      '4: expected an assignment object, got a string',
    ]);
  });

  it('name line and column of a syntax error', () => {
    expect(brief(issuesOf('[\n  {"id": "a-1" "userId": "u"}\n]', 'in.json'))).toEqual([
      '2: invalid JSON at column 16: expected "," between values',
    ]);
    expect(brief(issuesOf('[{"id": "a-1"}', 'in.json'))).toEqual([
      '1: invalid JSON at column 15: expected "]" to close the array',
    ]);
  });

  it('refuse what is not real JSON: comments, trailing commas, single quotes, NaN', () => {
    expect(brief(issuesOf('[\n  {"id": 1} /* x */\n]', 'in.json'))).toEqual([
      '2: invalid JSON at column 13: comments are not allowed in JSON',
    ]);
    expect(brief(issuesOf('[{"id": "a",\n}]', 'in.json'))).toEqual([
      '1: invalid JSON at column 12: trailing comma is not allowed in JSON',
    ]);
    expect(brief(issuesOf("[{'id': 'a'}]", 'in.json'))).toEqual([
      `1: invalid JSON at column 3: unexpected "'id'" (JSON strings use double quotes)`,
    ]);
    expect(brief(issuesOf('[NaN]', 'in.json'))).toEqual(['1: invalid JSON at column 2: unexpected "NaN"']);
  });

  it('refuse anything but an array at the top', () => {
    expect(brief(issuesOf('\n\n{"rows": [{}]}', 'in.json'))).toEqual([
      '3: expected a JSON array of assignments, got an object (put the array under "rows" at the top level of the file)',
    ]);
    expect(brief(issuesOf('42', 'in.json'))).toEqual(['1: expected a JSON array of assignments, got a number']);
    expect(brief(issuesOf('[]', 'in.json'))).toEqual(['0: no assignments in file']);
  });

  it('report a key given twice, since JSON.parse would silently keep the last', () => {
    const text = `[\n{"tenantId": "acme", "id": "a-1", ${JSON.stringify(row()).slice(1)}\n]`;
    expect(brief(issuesOf(text, 'in.json'))).toEqual([
      '2 tenantId: key appears twice in the object',
      '2 id: key appears twice in the object',
    ]);
  });

  it('checks duplicate keys only at the row level', () => {
    // Not a row field, so the schema refuses it; the nested duplicate is not the row's problem.
    const text = `[${JSON.stringify(row()).slice(0, -1)}, "extra": {"a": 1, "a": 2}}]`;
    expect(brief(issuesOf(text, 'in.json'))).toEqual(['1 extra: unknown field']);
  });
});

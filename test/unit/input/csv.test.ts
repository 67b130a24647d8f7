import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { CSV_HEADER, END, START, brief, csvLine, issuesOf } from './helpers';

const linesOf = (text: string) => parseInput(Buffer.from(text), 'in.csv').rows.map((parsed) => parsed.line);

describe('CSV line numbers', () => {
  it('count the header as line 1', () => {
    expect(linesOf([CSV_HEADER, csvLine({ id: 'a-1' }), csvLine({ id: 'a-2' })].join('\n'))).toEqual([2, 3]);
  });

  it('give a row with a quoted multi-line value the line it starts on', () => {
    const text = [CSV_HEADER, csvLine({ id: 'a-1', notes: '"one\ntwo\nthree"' }), csvLine({ id: 'a-2' })].join('\n');
    expect(linesOf(text)).toEqual([2, 5]);
    expect(parseInput(Buffer.from(text), 'in.csv').rows[0]?.row.notes).toBe('one\ntwo\nthree');
  });

  it('count blank lines between rows', () => {
    expect(linesOf(`${CSV_HEADER}\n\n${csvLine({ id: 'a-1' })}\n\n\n${csvLine({ id: 'a-2' })}\n\n`)).toEqual([3, 6]);
  });

  it('work with CRLF line ends, also inside quoted values', () => {
    const text = [CSV_HEADER, csvLine({ id: 'a-1', notes: '"x\r\ny"' }), '', csvLine({ id: 'a-2' }), ''].join('\r\n');
    const { rows } = parseInput(Buffer.from(text), 'in.csv');
    expect(rows.map((parsed) => parsed.line)).toEqual([2, 5]);
    expect(rows[0]?.row.notes).toBe('x\r\ny');
    expect(rows[1]?.row.end).toBe(END);
  });

  it('are not shifted by a UTF-8 byte-order mark', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${CSV_HEADER}\n${csvLine()}\n`)]);
    const parsed = parseInput(text, 'in.csv');
    expect(parsed.rows.map(({ line, row }) => [line, row.tenantId])).toEqual([[2, 'acme']]);
    expect(parsed.bytes).toBe(text);
  });

  it('point at the first line of a bad multi-line row', () => {
    const text = [CSV_HEADER, csvLine({ id: 'a-1', notes: '"a\nb"', start: 'soon' })].join('\n');
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '2 start: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "soon"',
    ]);
  });
});

describe('CSV cells', () => {
  it('leave empty optional cells out of the row', () => {
    const [parsed] = parseInput(Buffer.from(`${CSV_HEADER}\n${csvLine()}\n`), 'in.csv').rows;
    expect(parsed?.row).toEqual({
      tenantId: 'acme',
      scheduleId: 's-1',
      id: 'a-1',
      userId: 'u-1',
      start: START,
      end: END,
    });
  });

  it('keep embedded commas and doubled quotes of quoted cells', () => {
    const [parsed] = parseInput(Buffer.from(`${CSV_HEADER}\n${csvLine({ notes: '"a, ""b"""' })}`), 'in.csv').rows;
    expect(parsed?.row.notes).toBe('a, "b"');
  });

  it('accept columns in any order and without the optional ones', () => {
    const text = `end,start,userId,id,scheduleId,tenantId\n${END},${START},u-1,a-1,s-1,acme\n`;
    expect(parseInput(Buffer.from(text), 'in.csv').rows[0]?.row).toEqual({
      tenantId: 'acme',
      scheduleId: 's-1',
      id: 'a-1',
      userId: 'u-1',
      start: START,
      end: END,
    });
  });

  it('skip rows whose cells are all empty, as spreadsheets export them', () => {
    expect(linesOf(`${CSV_HEADER}\n${csvLine()}\n,,,,,,,,\n , ,,,,,,,\n`)).toEqual([2]);
  });

  it('report an empty required cell as empty', () => {
    expect(brief(issuesOf(`${CSV_HEADER}\n${csvLine({ userId: '' })}\n`, 'in.csv'))).toEqual([
      '2 userId: must not be empty',
    ]);
  });

  it('report every row with the wrong number of cells, and validate the others', () => {
    const text = [CSV_HEADER, `${csvLine({ id: 'a-1' })},x`, 'acme,s-1', csvLine({ id: 'a-3', end: 'later' })].join(
      '\n',
    );
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '2: has 10 cells, the header has 9 (a value containing a comma must be in double quotes)',
      '3: has 2 cells, the header has 9',
      '4 end: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "later"',
    ]);
  });
});

describe('CSV header', () => {
  it('names unknown, duplicate, nameless and missing columns on line 1', () => {
    const text = `tenantId,scheduleId,userid,userId,start,end,notes,notes,,team\n`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '1 userid: unknown column (did you mean "userId"?)',
      '1 notes: column appears twice (columns 7 and 8)',
      '1: column 9 has no name',
      '1 team: unknown column',
      '1 id: missing required column',
    ]);
  });

  it('trims spaces around column names', () => {
    const text = ` tenantId , scheduleId,id,userId,start,end\nacme,s-1,a-1,u-1,${START},${END}\n`;
    expect(parseInput(Buffer.from(text), 'in.csv').rows).toHaveLength(1);
  });

  it('reports a missing column once, not on every row, and still checks the rest of each row', () => {
    const text = `tenantId,scheduleId,userId,start,end\nacme,s-1,u-1,${START},${END}\nacme,s-1,u-1,nope,${END}\n`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '1 id: missing required column',
      '3 start: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "nope"',
    ]);
  });

  it('ignores the values of unknown columns once reported', () => {
    const text = `${CSV_HEADER},team\n${csvLine()},blue\n`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual(['1 team: unknown column']);
  });

  it('says when the file has no header row', () => {
    const [issue] = issuesOf(`${csvLine()}\n`, 'in.csv');
    expect(issue?.line).toBe(1);
    expect(issue?.message).toMatch(/^first line must be a header row naming the columns \(tenantId, scheduleId/);
  });

  it('recognises tab and semicolon separated files', () => {
    expect(brief(issuesOf(`${CSV_HEADER.replaceAll(',', '\t')}\n`, 'in.csv'))).toEqual([
      '1: columns must be separated by commas; this header seems to use tabs',
    ]);
  });

  it('with no rows below is "no assignments"', () => {
    expect(brief(issuesOf(`${CSV_HEADER}\n\n`, 'in.csv'))).toEqual(['0: no assignments in file']);
  });
});

describe('CSV syntax errors', () => {
  it('stop reading but keep the issues of the rows before', () => {
    const text = [
      CSV_HEADER,
      csvLine({ id: 'a-1', userId: '' }),
      csvLine({ id: 'a-2', notes: '"open' }),
      csvLine(),
    ].join('\n');
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '2 userId: must not be empty',
      '3: a quoted value starts in this row and is never closed; reading stopped here',
    ]);
  });

  it('are reported on the line where the broken record starts', () => {
    const text = [CSV_HEADER, csvLine({ id: 'a-1' }), csvLine({ notes: '"one\r\n"two" three"' })].join('\r\n');
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '3: text after a closing quote; a quote inside a quoted value must be doubled (""); reading stopped here',
    ]);
  });

  it('refuse a quoted value running past 1 MiB (an unclosed quote in a big file)', () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => csvLine({ id: `a-${i}` }));
    const text = [CSV_HEADER, csvLine({ id: 'x', notes: '"open' }), ...lines].join('\n');
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '2: row is longer than 1 MiB (an unclosed quote?); reading stopped here',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { lineAtOffset } from '../../../client/input/decode';
import { CSV_HEADER, brief, csvLine, issuesOf } from './helpers';

const GOOD_CSV = `${CSV_HEADER}\n${csvLine()}\n`;

describe('file checks before parsing', () => {
  it('strip a UTF-8 byte-order mark but keep the exact bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD_CSV)]);
    const parsed = parseInput(bytes, 'in.csv');
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.bytes.equals(bytes)).toBe(true);
  });

  it('strip a BOM before sniffing and JSON parsing too', () => {
    const bytes = Buffer.from(`\ufeff[${JSON.stringify({ a: 1 })}]`);
    expect(brief(issuesOf(bytes, 'in.txt'))).toContain('1 a: unknown field');
  });

  it.each([
    ['UTF-16 LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_CSV, 'utf16le')]), 'UTF-16'],
    ['UTF-16 BE', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(GOOD_CSV, 'utf16le').swap16()]), 'UTF-16'],
    ['UTF-32 LE', Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00]), 'UTF-32'],
  ])('refuse %s with one issue', (_name, bytes, encoding) => {
    expect(brief(issuesOf(bytes, 'in.csv'))).toEqual([`1: file is ${encoding} encoded; save it as UTF-8`]);
  });

  it('refuse UTF-16 without a BOM as binary (NUL characters)', () => {
    expect(brief(issuesOf(Buffer.from(GOOD_CSV, 'utf16le'), 'in.csv'))).toEqual([
      '1: contains a NUL character: a binary file, or UTF-16 without a BOM?',
    ]);
  });

  it('name the first line that is not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${CSV_HEADER}\n${csvLine({ notes: 'ok é' })}\n`),
      Buffer.from(`${csvLine({ notes: 'café' })}\n`, 'latin1'),
      Buffer.from([0xff, 0x0a]),
    ]);
    expect(brief(issuesOf(bytes, 'in.csv'))).toEqual([
      '3: is not valid UTF-8 (saved as Latin-1 or Windows-1252?); save the file as UTF-8',
    ]);
  });

  it('refuse a line over 1 MiB, naming it', () => {
    const text = `${CSV_HEADER}\n${csvLine()}\n${'x'.repeat(1024 * 1024 + 1)}\n${csvLine()}`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual([
      '3: line is longer than 1 MiB (1,048,577 bytes): is this a binary file?',
    ]);
  });

  it('accept a line of exactly 1 MiB as far as the line check goes', () => {
    const text = `${CSV_HEADER}\n${csvLine({ notes: 'x'.repeat(1024 * 1024 - csvLine().length) })}`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual(['2 notes: must be at most 1000 characters']);
  });

  it('refuse a file over maxBytes without parsing it', () => {
    expect(brief(issuesOf('not even csv "', 'in.csv', { maxBytes: 10 }))).toEqual([
      '0: file is 14 bytes, more than the limit of 10 bytes; split it into several jobs',
    ]);
  });

  it('call an empty or blank file empty', () => {
    expect(brief(issuesOf('', 'in.csv'))).toEqual(['0: no assignments in file (it is empty)']);
    expect(brief(issuesOf(' \r\n\t\n', 'in.ndjson'))).toEqual(['0: no assignments in file (it is empty)']);
  });
});

describe('lineAtOffset', () => {
  it('counts newlines before the offset', () => {
    expect([0, 1, 2, 3, 4].map((offset) => lineAtOffset('a\nb\n\nc', offset))).toEqual([1, 1, 2, 2, 3]);
  });
});

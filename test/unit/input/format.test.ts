import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { detectFormat, formatFromFileName, sniffFormat } from '../../../client/input/format';
import { CSV_HEADER, csvLine, row } from './helpers';

describe('input format', () => {
  it('follows the extension, in any case', () => {
    expect(['a.csv', 'a.JSON', 'dir.d/a.ndjson', 'a.jsonl', 'a.txt', 'csv'].map(formatFromFileName)).toEqual([
      'csv',
      'json',
      'ndjson',
      'ndjson',
      undefined,
      undefined,
    ]);
  });

  it('is guessed from the first non-blank character otherwise', () => {
    expect(['\n  [', ' {"a":1}', 'tenantId,id', ''].map(sniffFormat)).toEqual(['json', 'ndjson', 'csv', 'csv']);
  });

  it('prefers an explicit format, then the extension, then the guess', () => {
    expect(detectFormat('a.csv', '[', 'ndjson')).toBe('ndjson');
    expect(detectFormat('a.csv', '[')).toBe('csv');
    expect(detectFormat('a.dat', '[')).toBe('json');
  });

  it('is reported with the parsed input', () => {
    const ndjson = Buffer.from(JSON.stringify(row()));
    expect(parseInput(ndjson, 'export.txt').format).toBe('ndjson');
    expect(parseInput(Buffer.from(`${CSV_HEADER}\n${csvLine()}`), 'export', { format: 'csv' }).format).toBe('csv');
    expect(parseInput(Buffer.from(`[${JSON.stringify(row())}]`), 'rows.csv', { format: 'json' }).rows).toHaveLength(1);
  });
});

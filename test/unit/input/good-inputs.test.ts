/** The same six rows as CSV, JSON and NDJSON read to the same rows, each with the line it starts on. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../../../client/input';

const GOOD = join(__dirname, '../../fixtures/good');
const knownTenants = new Set(['acme', 'globex', 'initech']);

describe('good fixtures', () => {
  it('read to identical rows in all three formats', async () => {
    const [csv, json, ndjson] = await Promise.all(
      ['assignments.csv', 'assignments.json', 'assignments.ndjson'].map((name) =>
        readInputFile(join(GOOD, name), { knownTenants }),
      ),
    );
    expect([csv?.format, json?.format, ndjson?.format]).toEqual(['csv', 'json', 'ndjson']);
    const rowsOf = (input: typeof csv) => input?.rows.map((parsed) => parsed.row);
    expect(rowsOf(csv)).toHaveLength(6);
    expect(rowsOf(json)).toEqual(rowsOf(csv));
    expect(rowsOf(ndjson)).toEqual(rowsOf(csv));
  });

  it('keep the lines each row starts on', async () => {
    const linesOf = async (name: string) => (await readInputFile(join(GOOD, name))).rows.map((parsed) => parsed.line);
    // The CSV's fourth row has a quoted value over two lines (5 and 6).
    expect(await linesOf('assignments.csv')).toEqual([2, 3, 4, 5, 7, 8]);
    expect(await linesOf('assignments.json')).toEqual([2, 13, 21, 31, 41, 49]);
    expect(await linesOf('assignments.ndjson')).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('leave optional fields out when not given and keep quoted text intact', async () => {
    const { rows } = await readInputFile(join(GOOD, 'assignments.csv'));
    expect(rows[1]?.row).toEqual({
      tenantId: 'globex',
      scheduleId: 'g-1',
      id: 'g-1',
      userId: 'agent-7',
      start: '2024-05-06T08:00:00Z',
      end: '2024-05-06T16:00:00Z',
    });
    expect(rows[3]?.row.notes).toBe('Night shift:\nbring "badge"');
    expect(rows[2]?.row.notes).toBe('Covers the queue, then training');
  });
});

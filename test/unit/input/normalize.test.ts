import { describe, expect, it } from 'vitest';
import type { ParsedRow } from '../../../client/input';
import { groupByTenant } from '../../../client/input/normalize';
import { decodeStoredItems, encodeStoredItems } from '../../../contracts/stored-items';
import type { InputRow, StoredItem } from '../../../contracts/assignment';
import { END, START } from './helpers';

function parsed(line: number, fields: Partial<InputRow>): ParsedRow {
  return {
    line,
    row: { tenantId: 'acme', scheduleId: 's-1', id: `a-${line}`, userId: 'u-1', start: START, end: END, ...fields },
  };
}

describe('groupByTenant', () => {
  const rows = [
    parsed(2, { scheduleId: 's-b' }),
    parsed(3, { tenantId: 'globex', scheduleId: 'g-1' }),
    parsed(4, { scheduleId: 's-a' }),
    parsed(5, { scheduleId: 's-b' }),
    parsed(6, { scheduleId: 'S-c' }),
    parsed(7, { scheduleId: 's-a' }),
  ];

  it('keeps tenants in order of first appearance', () => {
    expect([...groupByTenant(rows).keys()]).toEqual(['acme', 'globex']);
  });

  it('sorts by schedule (code-unit order) and keeps input order within a schedule', () => {
    const acme = groupByTenant(rows).get('acme') ?? [];
    expect(acme.map((item) => [item.scheduleId, item.line])).toEqual([
      ['S-c', 6],
      ['s-a', 4],
      ['s-a', 7],
      ['s-b', 2],
      ['s-b', 5],
    ]);
  });

  it('moves tenant and schedule out of the assignment, leaving absent fields out', () => {
    const [item] = groupByTenant([parsed(9, { notes: 'n', activityCodeId: undefined })]).get('acme') ?? [];
    expect(item).toEqual({
      line: 9,
      scheduleId: 's-1',
      assignment: { id: 'a-9', userId: 'u-1', start: START, end: END, notes: 'n' },
    });
    expect(Object.keys(item?.assignment ?? {})).toEqual(['id', 'userId', 'start', 'end', 'notes']);
  });
});

describe('stored items', () => {
  const items: StoredItem[] = [
    { line: 2, scheduleId: 's-1', assignment: { id: 'a-1', userId: 'u-1', start: START, end: END } },
    {
      line: 3,
      scheduleId: 's-1',
      assignment: {
        id: 'a-2',
        userId: 'u-2',
        start: START,
        end: END,
        activityCodeId: 'x',
        managementUnitId: 'm',
        notes: 'é\n"',
      },
    },
  ];

  it('round-trip through NDJSON', () => {
    const bytes = encodeStoredItems(items);
    expect(bytes.toString('utf8').split('\n')).toHaveLength(3);
    expect(decodeStoredItems(bytes)).toEqual(items);
  });

  it('encode the same items to the same bytes whatever their key order', () => {
    const reordered: StoredItem[] = items.map(({ line, scheduleId, assignment }) => ({
      assignment: Object.fromEntries(Object.entries(assignment).reverse()) as StoredItem['assignment'],
      scheduleId,
      line,
    }));
    expect(encodeStoredItems(reordered).equals(encodeStoredItems(items))).toBe(true);
    expect(encodeStoredItems(items).toString('utf8').split('\n')[0]).toBe(
      `{"line":2,"scheduleId":"s-1","assignment":{"id":"a-1","userId":"u-1","start":"${START}","end":"${END}"}}`,
    );
  });

  it('encode nothing as empty', () => {
    expect(encodeStoredItems([]).length).toBe(0);
    expect(decodeStoredItems(Buffer.alloc(0))).toEqual([]);
  });

  it('refuse to decode anything else, naming the line', () => {
    const good = encodeStoredItems(items).toString('utf8');
    expect(() => decodeStoredItems(Buffer.from(`${good}{oops\n`))).toThrow(/stored items, line 3:/);
    const bad = { line: 1, scheduleId: 's', assignment: { id: 'a', userId: 'u', start: END, end: START } };
    expect(() => decodeStoredItems(Buffer.from(JSON.stringify(bad)))).toThrow(/line 1:.*must be after start/s);
  });
});

import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import { CSV_HEADER, brief, csvLine, issuesOf, row } from './helpers';

const ndjson = (...rows: Record<string, unknown>[]) => rows.map((value) => JSON.stringify(value)).join('\n');
const knownTenants = new Set(['acme', 'globex', 'initech']);

describe('row validation', () => {
  it('returns the schema output (trimmed text) for valid rows', () => {
    const [parsed] = parseInput(Buffer.from(ndjson(row({ userId: '  u-1 ', notes: ' kept ' }))), 'in.ndjson').rows;
    expect(parsed?.row.userId).toBe('u-1');
    expect(parsed?.row.notes).toBe(' kept ');
  });

  it('says a field is required when it is missing, and what type was expected when it is wrong', () => {
    const { id: _id, ...withoutId } = row();
    expect(brief(issuesOf(ndjson(withoutId, row({ id: 'a-2', start: 9, notes: null })), 'in.ndjson'))).toEqual([
      '1 id: is required',
      '2 start: expected string, received number',
      '2 notes: expected string, received null',
    ]);
  });

  it('names each unknown field, suggesting the one meant', () => {
    expect(brief(issuesOf(ndjson(row({ user_id: 'x', Notes: 'y', colour: 'z' })), 'in.ndjson'))).toEqual([
      '1 user_id: unknown field (did you mean "userId"?)',
      '1 Notes: unknown field (did you mean "notes"?)',
      '1 colour: unknown field',
    ]);
  });

  it('quotes bad values safely (control characters escaped, long values cut)', () => {
    const [issue] = issuesOf(ndjson(row({ start: `\u001b[31m${'9'.repeat(100)}` })), 'in.ndjson');
    expect(issue?.message).toContain('got "\\u001b[31m999');
    expect(issue?.message).not.toContain('\u001b');
    expect(issue?.message).toMatch(/9…"$/);
  });

  it('does not add "must be after start" when start or end is itself wrong', () => {
    expect(brief(issuesOf(ndjson(row({ start: '2024-02-30T09:00:00Z', end: 'later' })), 'in.ndjson'))).toEqual([
      '1 start: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "2024-02-30T09:00:00Z"',
      '1 end: must be an ISO-8601 date-time with an offset such as 2024-05-06T09:00:00+02:00, got "later"',
    ]);
  });

  it('compares start and end as instants, across offsets', () => {
    const crossesOffsets = row({ start: '2024-05-06T09:00:00+02:00', end: '2024-05-06T08:30:00Z' });
    expect(parseInput(Buffer.from(ndjson(crossesOffsets)), 'in.ndjson').rows).toHaveLength(1);
    const backwards = row({ start: '2024-05-06T09:00:00Z', end: '2024-05-06T10:00:00+02:00' });
    expect(brief(issuesOf(ndjson(backwards), 'in.ndjson'))).toEqual([
      '1 end: must be after start (start 2024-05-06T09:00:00Z, end 2024-05-06T10:00:00+02:00)',
    ]);
  });
});

describe('duplicate ids', () => {
  it('are reported on every later line, naming the first', () => {
    const text = ndjson(
      row({ id: 'a-1' }),
      row({ id: 'a-2' }),
      row({ id: 'a-1' }),
      row({ id: 'a-1', scheduleId: 's-2' }),
    );
    expect(brief(issuesOf(text, 'in.ndjson'))).toEqual([
      '3 id: duplicate id "a-1" for tenant acme, first on line 1',
      '4 id: duplicate id "a-1" for tenant acme, first on line 1',
    ]);
  });

  it('are allowed across tenants', () => {
    const text = ndjson(row({ id: 'a-1' }), row({ id: 'a-1', tenantId: 'globex' }));
    expect(parseInput(Buffer.from(text), 'in.ndjson').rows).toHaveLength(2);
  });

  it('compare ids as the schema reads them (trimmed)', () => {
    const text = `${CSV_HEADER}\n${csvLine({ id: 'a-1' })}\n${csvLine({ id: ' a-1 ' })}\n`;
    expect(brief(issuesOf(text, 'in.csv'))).toEqual(['3 id: duplicate id "a-1" for tenant acme, first on line 2']);
  });

  it('are found even in rows with other problems', () => {
    const text = ndjson(row({ id: 'a-1' }), row({ id: 'a-1', userId: '' }));
    expect(brief(issuesOf(text, 'in.ndjson'))).toEqual([
      '2 userId: must not be empty',
      '2 id: duplicate id "a-1" for tenant acme, first on line 1',
    ]);
  });
});

describe('unknown tenants', () => {
  it('are reported once per tenant, on its first row, with the known ones and other lines', () => {
    const rows = Array.from({ length: 9 }, (_, i) => row({ id: `a-${i}`, tenantId: i % 3 === 0 ? 'acme' : 'nosuch' }));
    expect(brief(issuesOf(ndjson(...rows), 'in.ndjson', { knownTenants }))).toEqual([
      '2 tenantId: unknown tenant "nosuch"; known tenants: "acme", "globex", "initech"; 6 rows, also on lines 3, 5, 6, 8, 9',
    ]);
  });

  it('list only the first lines of a tenant with many rows', () => {
    const rows = Array.from({ length: 20 }, (_, i) => row({ id: `a-${i}`, tenantId: 'nosuch' }));
    const [issue] = issuesOf(ndjson(...rows), 'in.ndjson', { knownTenants });
    expect(issue?.message).toMatch(/; 20 rows, also on lines 2, 3, 4, 5, 6, …$/);
  });

  it('suggest a tenant that differs only in case', () => {
    expect(brief(issuesOf(ndjson(row({ tenantId: 'ACME' })), 'in.ndjson', { knownTenants }))).toEqual([
      '1 tenantId: unknown tenant "ACME" (did you mean "acme"?); known tenants: "acme", "globex", "initech"',
    ]);
  });

  it('are found in rows with other problems, and not checked without a tenant list', () => {
    const text = ndjson(row({ tenantId: 'nosuch', userId: '' }));
    expect(brief(issuesOf(text, 'in.ndjson', { knownTenants }))).toEqual([
      '1 userId: must not be empty',
      '1 tenantId: unknown tenant "nosuch"; known tenants: "acme", "globex", "initech"',
    ]);
    expect(parseInput(Buffer.from(ndjson(row({ tenantId: 'nosuch' }))), 'in.ndjson').rows).toHaveLength(1);
  });

  it('say so when no tenant is known at all', () => {
    expect(brief(issuesOf(ndjson(row()), 'in.ndjson', { knownTenants: new Set() }))).toEqual([
      '1 tenantId: unknown tenant "acme"; known tenants: the tenants file lists none',
    ]);
  });
});

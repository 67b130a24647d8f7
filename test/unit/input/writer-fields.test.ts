/** Rows of a tenant written through Genesys' schedule update carry what that writer needs. */
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../client/input';
import type { Writer } from '../../../contracts/writers';
import { brief, issuesOf, row } from './helpers';

const ndjson = (...rows: Record<string, unknown>[]) => rows.map((value) => JSON.stringify(value)).join('\n');
const writers = new Map<string, Writer>([
  ['acme', 'genesys-schedule-update'],
  ['globex', 'put'],
]);
const placed = { businessUnitId: 'bu-1', weekId: '2026-12-07', activityCodeId: 'work' };

describe('rows for the Genesys writer', () => {
  it('name their business unit and activity code; other tenants’ rows need none of them', () => {
    expect(
      brief(
        issuesOf(ndjson(row({ weekId: '2026-12-07' }), row({ id: 'a-2', tenantId: 'globex' })), 'in.ndjson', {
          writers,
        }),
      ),
    ).toEqual([
      '1 businessUnitId: businessUnitId is required for tenant acme, whose writer is genesys-schedule-update',
      '1 activityCodeId: activityCodeId is required for tenant acme, whose writer is genesys-schedule-update',
    ]);
  });

  it('put one schedule in one place', () => {
    expect(
      brief(
        issuesOf(ndjson(row(placed), row({ ...placed, id: 'a-2', weekId: '2026-12-14' })), 'in.ndjson', { writers }),
      ),
    ).toEqual([
      '2 businessUnitId: schedule "s-1" is in business unit "bu-1", week 2026-12-14 here but in business unit "bu-1", week 2026-12-07 on line 1',
    ]);
  });

  it('may leave the week out, but not on one row of a schedule and give it on another', () => {
    const { weekId: _, ...unplaced } = placed;
    const parsed = parseInput(Buffer.from(ndjson(row(unplaced), row({ ...unplaced, id: 'a-2' }))), 'in.ndjson', {
      writers,
    });
    expect(parsed.rows.map((parsedRow) => parsedRow.row.weekId)).toEqual([undefined, undefined]);
    expect(brief(issuesOf(ndjson(row(unplaced), row({ ...placed, id: 'a-2' })), 'in.ndjson', { writers }))).toEqual([
      '2 businessUnitId: schedule "s-1" is in business unit "bu-1", week 2026-12-07 here but in business unit "bu-1", no week given on line 1',
    ]);
  });

  it('give the week as a date', () => {
    expect(brief(issuesOf(ndjson(row({ ...placed, weekId: '7.12.2026' })), 'in.ndjson', { writers }))).toEqual([
      '1 weekId: must be a date like 2026-12-07 (yyyy-MM-dd), got "7.12.2026"',
    ]);
  });

  it('pass with all three, and keep them for the stored items', () => {
    const parsed = parseInput(Buffer.from(ndjson(row(placed))), 'in.ndjson', { writers });
    expect(parsed.rows[0]?.row).toMatchObject(placed);
  });
});

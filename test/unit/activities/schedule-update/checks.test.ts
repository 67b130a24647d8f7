import { describe, expect, it } from 'vitest';
import type { BusinessUnitFacts } from '../../../../activities/writers/schedule-update/business-units';
import { checkRow } from '../../../../activities/writers/schedule-update/checks';
import type { Assignment } from '../../../../contracts/assignment';

const unit: BusinessUnitFacts = {
  id: 'bu-1',
  timeZone: 'Europe/Berlin',
  startDayOfWeek: 'Monday',
  activityCodes: new Map([
    ['work', { active: true, paid: true }],
    ['retired', { active: false, paid: true }],
  ]),
  agents: new Map([['ann', 'mu-1']]),
  readAt: 0,
};
const weeks = { scheduleId: 's1', weekDate: '2027-01-04', weekCount: 1 };
const row = (change: Partial<Assignment> = {}): Assignment => ({
  id: 'r1',
  userId: 'ann',
  start: '2027-01-05T08:00:00Z',
  end: '2027-01-05T16:00:00Z',
  activityCodeId: 'work',
  ...change,
});

describe('rows checked against the business unit before upload', () => {
  it('passes a row the platform would take', () => {
    expect(checkRow(row(), unit, weeks)).toBeUndefined();
  });

  it.each([
    [{ activityCodeId: 'typo' }, 'unknown-activity-code', /has no activity code typo/],
    [{ activityCodeId: 'retired' }, 'unknown-activity-code', /retired of business unit bu-1 is not active/],
    [{ userId: 'bob' }, 'agent-not-in-business-unit', /agent bob is in no management unit of business unit bu-1/],
    // Monday 00:00 in Berlin is Sunday 23:00 UTC: a shift from 22:30 UTC begins the week before.
    [
      { start: '2027-01-03T22:30:00Z', end: '2027-01-04T06:00:00Z' },
      'outside-schedule',
      /covers 2027-01-04 to 2027-01-10 in Europe\/Berlin/,
    ],
    [{ start: '2027-01-10T20:00:00Z', end: '2027-01-11T04:00:00Z' }, 'outside-schedule', /outside schedule s1/],
  ])('refuses %o as %s', (change, code, message) => {
    const reason = checkRow(row(change), unit, weeks);
    expect(reason?.code).toBe(code);
    expect(reason?.message).toMatch(message);
  });

  it('takes a shift that begins at the schedule’s local midnight and one ending at its end', () => {
    expect(checkRow(row({ start: '2027-01-03T23:00:00Z', end: '2027-01-04T07:00:00Z' }), unit, weeks)).toBeUndefined();
    expect(checkRow(row({ start: '2027-01-10T15:00:00Z', end: '2027-01-10T23:00:00Z' }), unit, weeks)).toBeUndefined();
  });
});

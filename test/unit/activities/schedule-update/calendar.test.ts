import { describe, expect, it } from 'vitest';
import {
  addDays,
  localDate,
  scheduleSpan,
  startOfDay,
  weekStartOf,
} from '../../../../activities/writers/schedule-update/calendar';

describe('a business unit’s calendar', () => {
  it('reads the local date of an instant in the time zone', () => {
    expect(localDate(Date.parse('2027-01-04T23:30:00Z'), 'UTC')).toBe('2027-01-04');
    expect(localDate(Date.parse('2027-01-04T23:30:00Z'), 'Europe/Berlin')).toBe('2027-01-05');
    expect(localDate(Date.parse('2027-01-04T03:00:00Z'), 'America/New_York')).toBe('2027-01-03');
  });

  it('finds the first day of the week holding an instant, from the business unit’s first weekday', () => {
    // 2027-01-06 is a Wednesday.
    const wednesday = Date.parse('2027-01-06T12:00:00Z');
    expect(weekStartOf(wednesday, 'UTC', 'Monday')).toBe('2027-01-04');
    expect(weekStartOf(wednesday, 'UTC', 'Sunday')).toBe('2027-01-03');
    expect(weekStartOf(wednesday, 'UTC', 'Wednesday')).toBe('2027-01-06');
    expect(weekStartOf(wednesday, 'UTC', 'Thursday')).toBe('2026-12-31');
    // Monday 00:30 in Berlin is still Sunday in UTC.
    expect(weekStartOf(Date.parse('2027-01-03T23:30:00Z'), 'Europe/Berlin', 'Monday')).toBe('2027-01-04');
    expect(weekStartOf(Date.parse('2027-01-03T23:30:00Z'), 'UTC', 'Monday')).toBe('2026-12-28');
  });

  it('begins a day at local midnight, across daylight saving changes', () => {
    expect(startOfDay('2027-01-04', 'UTC')).toBe(Date.parse('2027-01-04T00:00:00Z'));
    expect(startOfDay('2027-01-04', 'Europe/Berlin')).toBe(Date.parse('2027-01-03T23:00:00Z'));
    expect(startOfDay('2027-07-05', 'Europe/Berlin')).toBe(Date.parse('2027-07-04T22:00:00Z'));
    expect(startOfDay('2027-03-14', 'America/New_York')).toBe(Date.parse('2027-03-14T05:00:00Z'));
    expect(startOfDay('2027-03-15', 'America/New_York')).toBe(Date.parse('2027-03-15T04:00:00Z'));
    // Santiago skips midnight when it springs forward (2026-09-06 begins at 01:00, UTC−3).
    expect(startOfDay('2026-09-06', 'America/Santiago')).toBe(Date.parse('2026-09-06T04:00:00Z'));
  });

  it('spans a schedule over its weeks, a week across a DST change being 167 hours', () => {
    const span = scheduleSpan('2027-03-08', 1, 'America/New_York');
    expect(span.startMs).toBe(Date.parse('2027-03-08T05:00:00Z'));
    expect(span.endMs).toBe(Date.parse('2027-03-15T04:00:00Z'));
    expect(scheduleSpan('2027-01-04', 3, 'UTC').endMs).toBe(Date.parse('2027-01-25T00:00:00Z'));
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
  });
});

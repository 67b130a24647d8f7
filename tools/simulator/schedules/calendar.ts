/**
 * Dates of a business unit's calendar as instants: a schedule spans [weekDate 00:00, weekDate + 7 × weekCount days
 * 00:00) in its unit's time zone. Plain `Intl` arithmetic, no time-zone library. Written apart from the Genesys
 * writer's own calendar on purpose: the simulator is the writer's oracle, so a mistake in one shows in the other.
 */

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** How far the zone's wall clock is ahead of UTC at an instant, ms. */
function offsetMs(timeZone: string, instant: number): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(format.formatToParts(instant).find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a `yyyy-MM-dd` date starts in a time zone, `days` days later. Where a clock change skips midnight,
 * the first instant of the day.
 */
export function startOfDay(date: string, timeZone: string, days = 0): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  // Midnight at the offset of the guess and at the offset found there: equal but across a clock change, where the
  // earliest one whose wall-clock time is on the day wins.
  const first = wall - offsetMs(timeZone, wall);
  const second = wall - offsetMs(timeZone, first);
  const onTheDay = [first, second].filter((instant) => instant + offsetMs(timeZone, instant) >= wall);
  return Math.min(...(onTheDay.length > 0 ? onTheDay : [first]));
}

/** The schedule's span in its unit's time zone, ms epoch: [start, end). */
export function scheduleSpan(
  schedule: { weekDate: string; weekCount: number },
  timeZone: string,
): { startMs: number; endMs: number } {
  return {
    startMs: startOfDay(schedule.weekDate, timeZone),
    endMs: startOfDay(schedule.weekDate, timeZone, 7 * schedule.weekCount),
  };
}

/** `yyyy-MM-dd` plus whole days, as a date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

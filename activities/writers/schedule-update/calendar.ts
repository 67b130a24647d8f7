/**
 * Dates as a business unit sees them: its weeks begin on its `startDayOfWeek` at midnight in its `timeZone`, and a
 * schedule of `weekCount` weeks from `weekDate` spans from that midnight to the midnight `7 × weekCount` days later,
 * whatever daylight saving does in between. Pure; time zones come from the runtime's Intl data.
 */

/** `startDayOfWeek` as the platform names it. */
export const WEEK_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time at `instantMs` in `timeZone`, read as if it were UTC (epoch ms). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts = new Map<string, number>();
  for (const part of formatIn(timeZone).formatToParts(new Date(instantMs)))
    if (part.type !== 'literal') parts.set(part.type, Number(part.value));
  const at = (type: Intl.DateTimeFormatPartTypes) => parts.get(type) ?? 0;
  return Date.UTC(at('year'), at('month') - 1, at('day'), at('hour'), at('minute'), at('second'));
}

/** The calendar date (`yyyy-MM-dd`) at `instantMs` in `timeZone`. */
export function localDate(instantMs: number, timeZone: string): string {
  return new Date(wallClockMs(Math.floor(instantMs / 1000) * 1000, timeZone)).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant at which `date` begins in `timeZone` (its first moment, should midnight be skipped by DST). */
export function startOfDay(date: string, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  // The offset at a guess, then at the instant it gives: right on both sides of a change of offset.
  let instant = wall - (wallClockMs(wall, timeZone) - wall);
  instant = wall - (wallClockMs(instant, timeZone) - instant);
  // Midnight skipped (a DST change at 00:00): the day begins at the first instant whose date is `date`.
  if (localDate(instant, timeZone) !== date) instant += 3_600_000;
  return instant;
}

/** The first day (`yyyy-MM-dd`) of the business unit's week holding `instantMs`. */
export function weekStartOf(instantMs: number, timeZone: string, startDayOfWeek: WeekDay): string {
  const date = localDate(instantMs, timeZone);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday - WEEK_DAYS.indexOf(startDayOfWeek) + 7) % 7));
}

/** What a schedule covers: from `weekDate`'s midnight to the midnight `7 × weekCount` days later, in `timeZone`. */
export function scheduleSpan(
  weekDate: string,
  weekCount: number,
  timeZone: string,
): { startMs: number; endMs: number } {
  return { startMs: startOfDay(weekDate, timeZone), endMs: startOfDay(addDays(weekDate, 7 * weekCount), timeZone) };
}

/**
 * Where a batch's schedule is, and what the business unit's data says of its rows before anything is read of the
 * schedule itself: the week derived from the shifts' dates when not given, and the checks of `checks.ts` on every
 * row. Shared by the writer and its preview (`preview.ts`).
 */
import type { FailureReason } from '../../../contracts/failures';
import { RECHECK_AFTER_MS, type BusinessUnitFacts } from './business-units';
import { weekStartOf } from './calendar';
import { CHECK_CODES, checkRow, type ScheduleWeeks } from './checks';
import { planRound, type PlannedRow, type ScheduleState } from './plan';
import type { SchedulePlace } from './platform';
import type { ScheduleApi } from './schedule-api';
import type { ScheduleUpdateTenant } from './tenant-state';

/** A batch's rows and where their schedule is; `weekId` absent: derived from the shifts' dates. */
export interface ScheduleBatch {
  businessUnitId: string;
  scheduleId: string;
  weekId?: string;
  rows: PlannedRow[];
}

/** Where the batch's schedule is, and which rows it cannot hold. */
export interface Located {
  /** Undefined when no row is left to write. */
  place?: SchedulePlace;
  /** Known when derived; for a given week, they come with the first read. */
  weeks?: ScheduleWeeks;
  rows: PlannedRow[];
  outside: { offset: number; reason: FailureReason }[];
}

/**
 * The batch's schedule place. With the week given, as given (the first read checks each shift against the
 * schedule's weeks). Without, each shift's week in the business unit's calendar, and the schedule with the batch's
 * id among those spanning that week: its `weekDate` is the week of the routes.
 */
export async function locate(
  batch: ScheduleBatch,
  unit: BusinessUnitFacts,
  genesys: ScheduleUpdateTenant,
  api: ScheduleApi,
): Promise<Located> {
  const { businessUnitId, scheduleId, weekId, rows } = batch;
  if (weekId !== undefined) return { place: { businessUnitId, weekId, scheduleId }, rows, outside: [] };
  const located: Located = { rows: [], outside: [] };
  for (const row of rows) {
    const week = weekStartOf(Date.parse(row.assignment.start), unit.timeZone, unit.startDayOfWeek);
    const schedule = (await genesys.businessUnits.schedulesOfWeek(businessUnitId, week, api)).find(
      (entry) => entry.id === scheduleId,
    );
    if (!schedule || (located.weeks && located.weeks.weekDate !== schedule.weekDate)) {
      located.outside.push({
        offset: row.offset,
        reason: {
          code: CHECK_CODES.outsideSchedule,
          message:
            `no schedule ${scheduleId} of business unit ${businessUnitId} spans the week of ${week} ` +
            `(weeks from ${unit.startDayOfWeek}, ${unit.timeZone}), which holds the shift's start ${row.assignment.start}`,
        },
      });
      continue;
    }
    located.weeks ??= { scheduleId, weekDate: schedule.weekDate, weekCount: schedule.weekCount };
    located.place ??= { businessUnitId, weekId: schedule.weekDate, scheduleId };
    located.rows.push(row);
  }
  return located;
}

/** The schedule's weeks as the read said them (a platform that leaves them out: the week of the routes). */
export function weeksOf(state: ScheduleState, place: SchedulePlace): ScheduleWeeks {
  return { scheduleId: place.scheduleId, weekDate: state.weekDate ?? place.weekId, weekCount: state.weekCount ?? 1 };
}

/** The rows the checks refuse, each with its reason. */
export function checkRows(
  rows: readonly PlannedRow[],
  unit: BusinessUnitFacts,
  weeks: ScheduleWeeks,
): Map<number, FailureReason> {
  const refused = new Map<number, FailureReason>();
  for (const { offset, assignment } of rows) {
    const reason = checkRow(assignment, unit, weeks);
    if (reason) refused.set(offset, reason);
  }
  return refused;
}

/**
 * The located rows the checks refuse, against the schedule as read: only rows still to send are checked (one already
 * there counts applied, whatever its code is now), and facts older than `RECHECK_AFTER_MS` are read again before a
 * row fails on them. The writer and its preview decide alike.
 * @returns the refused rows, and the facts they were judged on
 */
export async function refusedRows(
  located: Located,
  place: SchedulePlace,
  state: ScheduleState,
  unit: BusinessUnitFacts,
  genesys: ScheduleUpdateTenant,
  api: ScheduleApi,
): Promise<{ refused: Map<number, FailureReason>; unit: BusinessUnitFacts }> {
  // The schedule's weeks come with the read when the week was given, not derived.
  const weeks = located.weeks ?? weeksOf(state, place);
  const toCheck = notPresent(located.rows, state);
  const refused = checkRows(toCheck, unit, weeks);
  if (refused.size === 0 || Date.now() - unit.readAt <= RECHECK_AFTER_MS) return { refused, unit };
  const fresh = await genesys.businessUnits.of(unit.id, api, RECHECK_AFTER_MS);
  return { refused: checkRows(toCheck, fresh, weeks), unit: fresh };
}

/** The rows whose shift the schedule does not hold yet. */
export function notPresent(rows: readonly PlannedRow[], state: ScheduleState): PlannedRow[] {
  const present = new Set(planRound(rows, state).present);
  return rows.filter((row) => !present.has(row.offset));
}

/**
 * Rows checked against the platform's own data before anything is uploaded. The platform ends an update `Error`
 * with no reason when one shift of it is wrong, so a row it would refuse for a reason we can see is refused here,
 * with that reason, and never fails its neighbours: an activity code the business unit does not have (or has
 * retired), a shift outside the schedule's weeks (in the business unit's time zone), an agent in none of the
 * business unit's management units. Pure.
 */
import type { Assignment } from '../../../contracts/assignment';
import type { FailureReason } from '../../../contracts/failures';
import { addDays, scheduleSpan } from './calendar';
import type { BusinessUnitFacts } from './business-units';

/** The schedule's weeks, as the platform reported them. */
export interface ScheduleWeeks {
  scheduleId: string;
  weekDate: string;
  weekCount: number;
}

/** Failure codes of the checks, as reports and `wfm-bulk plan` show them. */
export const CHECK_CODES = {
  unknownActivityCode: 'unknown-activity-code',
  outsideSchedule: 'outside-schedule',
  agentNotInBusinessUnit: 'agent-not-in-business-unit',
} as const;

/** Why the platform would refuse the row, or undefined when the checks see nothing wrong. */
export function checkRow(
  assignment: Assignment,
  unit: BusinessUnitFacts,
  weeks: ScheduleWeeks,
): FailureReason | undefined {
  const code = assignment.activityCodeId ?? '';
  const activity = unit.activityCodes.get(code);
  if (!activity?.active)
    return {
      code: CHECK_CODES.unknownActivityCode,
      message: activity
        ? `activity code ${code} of business unit ${unit.id} is not active`
        : `business unit ${unit.id} has no activity code ${code}`,
    };
  if (!unit.agents.has(assignment.userId))
    return {
      code: CHECK_CODES.agentNotInBusinessUnit,
      message: `agent ${assignment.userId} is in no management unit of business unit ${unit.id}`,
    };
  return outsideSchedule(assignment, unit.timeZone, weeks);
}

/** The shift does not lie wholly within the schedule's weeks. */
export function outsideSchedule(
  assignment: Assignment,
  timeZone: string,
  weeks: ScheduleWeeks,
): FailureReason | undefined {
  const span = scheduleSpan(weeks.weekDate, weeks.weekCount, timeZone);
  if (Date.parse(assignment.start) >= span.startMs && Date.parse(assignment.end) <= span.endMs) return undefined;
  const last = addDays(weeks.weekDate, 7 * weeks.weekCount - 1);
  return {
    code: CHECK_CODES.outsideSchedule,
    message:
      `the shift ${assignment.start} to ${assignment.end} is outside schedule ${weeks.scheduleId}, which covers ` +
      `${weeks.weekDate} to ${last} in ${timeZone}`,
  };
}

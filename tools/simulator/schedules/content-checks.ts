/**
 * What the platform refuses in an update's content, as far as the simulator knows its rules: for a described
 * business unit, a shift must use active activity codes of the unit, lie within the schedule's span in the unit's
 * time zone, and be for an agent of one of its management units; in any unit, the `refuseDescriptionMarker` fault.
 * Each refusal ends the update `Error` with nothing applied and no reason given, as the platform's do.
 */
import type { DescribedBusinessUnit } from './business-units';
import { scheduleSpan } from './calendar';
import type { BuSchedule, UpdateScheduleUpload, UploadShift } from './model';
import type { ContentRefusalReason, Refusal, UpdateErrorReason } from './processing';

/** Refused updates by cause, as the stats count them. */
export interface ContentRefusalCounts {
  unknownActivityCode: number;
  outsideSchedule: number;
  agentNotInBusinessUnit: number;
  marker: number;
}

const COUNT_KEYS: Readonly<Record<ContentRefusalReason, keyof ContentRefusalCounts>> = {
  'unknown-activity-code': 'unknownActivityCode',
  'outside-schedule': 'outsideSchedule',
  'agent-not-in-business-unit': 'agentNotInBusinessUnit',
  marker: 'marker',
};

/** The stats key of an error reason that is a content refusal; undefined for the others. */
export function contentRefusalKey(reason: UpdateErrorReason): keyof ContentRefusalCounts | undefined {
  return Object.hasOwn(COUNT_KEYS, reason) ? COUNT_KEYS[reason as ContentRefusalReason] : undefined;
}

/** Zeroed counts. */
export function emptyContentRefusals(): ContentRefusalCounts {
  return { unknownActivityCode: 0, outsideSchedule: 0, agentNotInBusinessUnit: 0, marker: 0 };
}

/** What the checks of one update need. */
export interface ContentRules {
  /** The schedule's business unit, when described (else its rules are not checked). */
  unit: DescribedBusinessUnit | undefined;
  /** The `refuseDescriptionMarker` fault, when on. */
  marker: string | undefined;
}

function refusal(reason: ContentRefusalReason, message: string): Refusal {
  return { ok: false, reason, message };
}

/** The shifts an upload adds or replaces, with their agents (deletions are not checked). */
function* writtenShifts(upload: UpdateScheduleUpload): Generator<{ userId: string; shift: UploadShift }> {
  for (const agent of upload.agentSchedules ?? []) {
    if (agent.delete === true) continue;
    for (const shift of agent.shifts ?? []) if (shift.delete !== true) yield { userId: agent.userId, shift };
  }
}

/** Checks a shift against its described business unit. */
function checkShift(
  userId: string,
  shift: UploadShift,
  unit: DescribedBusinessUnit,
  span: { startMs: number; endMs: number },
): Refusal | undefined {
  const who = `agent ${userId}`;
  if (!unit.managementUnitOf.has(userId)) {
    return refusal('agent-not-in-business-unit', `${who} is in no management unit of ${unit.description.id}`);
  }
  const code = shift.activities?.find((activity) => !unit.activeCodes.has(activity.activityCodeId));
  if (code) {
    const message = `${who}: activity code "${code.activityCodeId}" is not an active code of ${unit.description.id}`;
    return refusal('unknown-activity-code', message);
  }
  const startMs = Date.parse(shift.startDate!); // required unless delete (schema)
  const endMs = startMs + shift.lengthMinutes! * 60_000;
  if (startMs < span.startMs || endMs > span.endMs) {
    const bounds = `[${new Date(span.startMs).toISOString()}, ${new Date(span.endMs).toISOString()})`;
    return refusal(
      'outside-schedule',
      `${who}: shift ${shift.startDate} (${shift.lengthMinutes} min) is outside ${bounds}`,
    );
  }
  return undefined;
}

/** The first refusal of an update's content, or undefined when it passes. */
export function checkContent(
  schedule: BuSchedule,
  upload: UpdateScheduleUpload,
  rules: ContentRules,
): Refusal | undefined {
  const { unit, marker } = rules;
  const span = unit && scheduleSpan(schedule, unit.description.timeZone);
  for (const { userId, shift } of writtenShifts(upload)) {
    const refused = unit && span && checkShift(userId, shift, unit, span);
    if (refused) return refused;
  }
  if (marker === undefined) return undefined;
  for (const { userId, shift } of writtenShifts(upload)) {
    if (shift.activities?.some((activity) => activity.description.includes(marker))) {
      return refusal('marker', `agent ${userId}: an activity's description contains "${marker}"`);
    }
  }
  return undefined;
}

/**
 * Applying one uploaded schedule update, all or nothing. The platform's rules here are unknown (research notes
 * §11), so these are the simulator's choices, strict on purpose so a writer that relies on them is tested:
 * every version must match (schedule, and each agent already in the schedule; a new agent must come without one)
 * unless the org's `versionCheck` is lenient, the content must pass the caller's checks (a described business
 * unit's), shifts are merged (absent ones kept, `id` + `delete` removes, `id` replaces, no `id` adds), and a
 * failure changes nothing. The reason of an `Error` is returned for the simulator's own records; the platform
 * gives none.
 */
import {
  normalizeInstant,
  storedActivities,
  type AgentSchedule,
  type BuSchedule,
  type StoredMarker,
  type StoredShift,
  type UpdateScheduleUpload,
  type UploadAgentSchedule,
} from './model';
import type { VersionCheck } from './settings';

/** Why an update ended `Error` (simulator records only). */
export type UpdateErrorReason =
  'injected' | 'schedule-version' | 'agent-version' | 'agent-not-in-schedule' | 'unknown-shift' | ContentRefusalReason;

/** Error reasons of the content checks: the business unit's rules, and the `refuseDescriptionMarker` fault. */
export type ContentRefusalReason =
  'unknown-activity-code' | 'outside-schedule' | 'agent-not-in-business-unit' | 'marker';

/** Error reasons that are version conflicts: someone else changed the schedule since it was read. */
export const CONFLICT_REASONS: ReadonlySet<UpdateErrorReason> = new Set(['schedule-version', 'agent-version']);

/** An agent an update changed, with the management unit it is (or was, when deleted) in. */
export interface ChangedAgent {
  userId: string;
  managementUnitId: string;
}

export type UpdateOutcome =
  { ok: true; changedAgents: ChangedAgent[] } | { ok: false; reason: UpdateErrorReason; message: string };

/**
 * What the update needs from outside: where new agents go, the time, who edits, how new shifts get ids, how versions
 * are compared (default strict) and the content checks that run after the version checks.
 */
export interface UpdateContext {
  managementUnitOf: (userId: string) => string;
  now: string;
  modifiedBy: string;
  newShiftId: () => string;
  versionCheck?: VersionCheck;
  checkContent?: (upload: UpdateScheduleUpload) => Refusal | undefined;
}

export type Refusal = Extract<UpdateOutcome, { ok: false }>;

/** Checks the version an agent's part names against the agent's in the schedule (none for a new agent). */
function checkAgentVersion(agent: UploadAgentSchedule, existing: AgentSchedule | undefined): Refusal | undefined {
  const who = `agent ${agent.userId}`;
  if (!existing) {
    if (agent.metadata === undefined) return undefined;
    return {
      ok: false,
      reason: 'agent-not-in-schedule',
      message: `${who} is not in the schedule but came with metadata.version ${agent.metadata.version}`,
    };
  }
  if (agent.metadata === undefined) {
    return {
      ok: false,
      reason: 'agent-version',
      message: `${who} is in the schedule (version ${existing.version}) but came without metadata.version`,
    };
  }
  if (agent.metadata.version === existing.version) return undefined;
  return {
    ok: false,
    reason: 'agent-version',
    message: `${who}: metadata.version ${agent.metadata.version} is stale, current ${existing.version}`,
  };
}

/** Checks one agent's part without changing anything: its version (when strict), then what it asks to change. */
function checkAgent(
  agent: UploadAgentSchedule,
  existing: AgentSchedule | undefined,
  strict: boolean,
): Refusal | undefined {
  const who = `agent ${agent.userId}`;
  const stale = strict ? checkAgentVersion(agent, existing) : undefined;
  if (stale) return stale;
  if (agent.delete === true) {
    if (existing) return undefined;
    return { ok: false, reason: 'agent-not-in-schedule', message: `${who} is not in the schedule: nothing to delete` };
  }
  const known = new Set(existing?.shifts.map((s) => s.id));
  const unknown = agent.shifts?.find((shift) => shift.id !== undefined && !known.has(shift.id));
  if (unknown) {
    return { ok: false, reason: 'unknown-shift', message: `${who} has no shift with id "${unknown.id}"` };
  }
  return undefined;
}

/** The agent's shifts after the upload's shift operations. */
function mergeShifts(
  current: readonly StoredShift[],
  changes: UploadAgentSchedule['shifts'],
  newShiftId: () => string,
): StoredShift[] {
  const shifts = new Map(current.map((s) => [s.id, s]));
  for (const change of changes ?? []) {
    if (change.delete === true && change.id !== undefined) {
      shifts.delete(change.id);
      continue;
    }
    const id = change.id ?? newShiftId();
    shifts.set(id, {
      id,
      startDate: normalizeInstant(change.startDate!), // required unless delete (schema)
      lengthMinutes: change.lengthMinutes!,
      activities: storedActivities(change.activities!),
      manuallyEdited: change.manuallyEdited ?? shifts.get(id)?.manuallyEdited ?? false,
    });
  }
  return [...shifts.values()];
}

/** Full-day markers after the upload's: one per business-unit date, `delete` removes that date's. */
function mergeMarkers(current: readonly StoredMarker[], changes: UploadAgentSchedule['fullDayTimeOffMarkers']) {
  const markers = new Map(current.map((m) => [m.businessUnitDate, m]));
  for (const { delete: remove, ...marker } of changes ?? []) {
    if (remove === true) markers.delete(marker.businessUnitDate);
    else markers.set(marker.businessUnitDate, marker);
  }
  return [...markers.values()];
}

/**
 * Applies an upload to a schedule: checks every version and shift id first, then changes the schedule in one go.
 * On success the schedule's version and each touched agent's version go up by one.
 */
export function applyUpdate(schedule: BuSchedule, upload: UpdateScheduleUpload, context: UpdateContext): UpdateOutcome {
  const strict = (context.versionCheck ?? 'strict') === 'strict';
  if (strict && upload.metadata.version !== schedule.version) {
    return {
      ok: false,
      reason: 'schedule-version',
      message: `schedule metadata.version ${upload.metadata.version} is stale, current ${schedule.version}`,
    };
  }
  const agentsInUpload = upload.agentSchedules ?? [];
  for (const agent of agentsInUpload) {
    const refusal = checkAgent(agent, schedule.agents.get(agent.userId), strict);
    if (refusal) return refusal;
  }
  const contentRefusal = context.checkContent?.(upload);
  if (contentRefusal) return contentRefusal;

  const changedAgents: ChangedAgent[] = [];
  for (const agent of agentsInUpload) {
    const existing = schedule.agents.get(agent.userId);
    if (agent.delete === true && existing) {
      schedule.agents.delete(agent.userId);
      changedAgents.push({ userId: agent.userId, managementUnitId: existing.managementUnitId });
      continue;
    }
    const managementUnitId = existing?.managementUnitId ?? context.managementUnitOf(agent.userId);
    schedule.agents.set(agent.userId, {
      userId: agent.userId,
      managementUnitId,
      version: (existing?.version ?? 0) + 1,
      dateModified: context.now,
      modifiedBy: context.modifiedBy,
      shifts: mergeShifts(existing?.shifts ?? [], agent.shifts, context.newShiftId),
      fullDayTimeOffMarkers: mergeMarkers(existing?.fullDayTimeOffMarkers ?? [], agent.fullDayTimeOffMarkers),
    });
    changedAgents.push({ userId: agent.userId, managementUnitId });
  }
  if (upload.description !== undefined) schedule.description = upload.description;
  if (upload.published !== undefined) schedule.published = upload.published;
  schedule.version++;
  schedule.dateModified = context.now;
  schedule.modifiedBy = context.modifiedBy;
  return { ok: true, changedAgents };
}

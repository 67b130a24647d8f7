/**
 * A business unit's platform data as the SDK models name it: `BusinessUnitResponse` (with its settings),
 * `BusinessUnitActivityCodeListing`, `BuUserListing` and `BuScheduleListing`. From the unit's description when the
 * config has one; for an open unit, from what its schedules hold (codes their shifts use, agents by their units).
 */
import type { ActivityCodeDescription, BusinessUnitDescription } from './business-units';
import type { BuSchedule } from './model';
import { schedulePath } from './views';

/** What the views of one business unit are made of. */
export interface BusinessUnitData {
  id: string;
  name: string;
  timeZone: string;
  startDayOfWeek: BusinessUnitDescription['startDayOfWeek'];
  activityCodes: ActivityCodeDescription[];
  managementUnits: Array<{ id: string; users: string[] }>;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A described unit's data. */
export function describedUnitData(description: BusinessUnitDescription): BusinessUnitData {
  return {
    id: description.id,
    name: description.name ?? description.id,
    timeZone: description.timeZone,
    startDayOfWeek: description.startDayOfWeek,
    activityCodes: description.activityCodes,
    managementUnits: description.managementUnits,
  };
}

/** An open unit's data: Monday weeks in `timeZone`, the codes and agents its schedules hold. */
export function openUnitData(id: string, schedules: readonly BuSchedule[], timeZone: string): BusinessUnitData {
  const codes = new Set<string>();
  const units = new Map<string, Set<string>>();
  for (const schedule of schedules) {
    for (const agent of schedule.agents.values()) {
      const users = units.get(agent.managementUnitId) ?? new Set<string>();
      users.add(agent.userId);
      units.set(agent.managementUnitId, users);
      for (const shift of agent.shifts) for (const activity of shift.activities) codes.add(activity.activityCodeId);
    }
  }
  return {
    id,
    name: id,
    timeZone,
    startDayOfWeek: 'Monday',
    activityCodes: [...codes].sort(compareText).map((code) => ({
      id: code,
      active: true,
      category: 'OnQueueWork',
      countsAsPaidTime: true,
      countsAsWorkTime: true,
      defaultCode: false,
    })),
    managementUnits: [...units]
      .sort(([a], [b]) => compareText(a, b))
      .map(([mu, users]) => ({ id: mu, users: [...users].sort(compareText) })),
  };
}

/** Path of a business unit (its `selfUri`). */
export function businessUnitPath(businessUnitId: string): string {
  return `/api/v2/workforcemanagement/businessunits/${businessUnitId}`;
}

/** `BusinessUnitResponse`; `settings` only when asked for (`expand=settings…`). */
export function businessUnitView(unit: BusinessUnitData, withSettings: boolean) {
  return {
    id: unit.id,
    name: unit.name,
    ...(withSettings && {
      settings: { startDayOfWeek: unit.startDayOfWeek, timeZone: unit.timeZone, metadata: { version: 1 } },
    }),
    selfUri: businessUnitPath(unit.id),
  };
}

/** `BusinessUnitActivityCodeListing`. */
export function activityCodesView(unit: BusinessUnitData) {
  return {
    entities: unit.activityCodes.map((code) => ({
      id: code.id,
      name: code.name ?? code.id,
      active: code.active,
      defaultCode: code.defaultCode,
      category: code.category,
      ...(code.lengthInMinutes !== undefined && { lengthInMinutes: code.lengthInMinutes }),
      countsAsPaidTime: code.countsAsPaidTime,
      countsAsWorkTime: code.countsAsWorkTime,
      metadata: { version: 1 },
      selfUri: `${businessUnitPath(unit.id)}/activitycodes/${encodeURIComponent(code.id)}`,
    })),
  };
}

/** `BuUserListing`, only the units asked for when `managementUnitIds` names some. */
export function usersView(unit: BusinessUnitData, managementUnitIds: readonly string[]) {
  const wanted = managementUnitIds.length > 0 ? new Set(managementUnitIds) : undefined;
  return {
    managementUnits: unit.managementUnits
      .filter((mu) => !wanted || wanted.has(mu.id))
      .map((mu) => ({ managementUnit: { id: mu.id }, users: mu.users.map((id) => ({ id })) })),
  };
}

/** `BuScheduleListing` of the schedules given (as read: some may be past states). */
export function weekSchedulesView(schedules: readonly BuSchedule[]) {
  return {
    entities: schedules.map((schedule) => ({
      id: schedule.id,
      weekDate: schedule.weekDate,
      weekCount: schedule.weekCount,
      description: schedule.description,
      published: schedule.published,
      metadata: {
        version: schedule.version,
        dateModified: schedule.dateModified,
        modifiedBy: { id: schedule.modifiedBy },
        dateCreated: schedule.dateCreated,
      },
      selfUri: schedulePath(schedule),
    })),
  };
}

/**
 * An org's business-unit schedules, keyed by business unit and schedule id. With `autoCreate` the first touch of a
 * `(businessUnitId, weekId, scheduleId)` creates the schedule, so tests need no set-up; a known schedule is only
 * found under its own `weekDate`, as the platform's routes are documented to want.
 */
import { randomUUID } from 'node:crypto';
import { normalizeInstant, storedActivities, type AgentSchedule, type BuSchedule, type StoredShift } from './model';
import type { InitialSchedule } from './settings';

/** Who the platform names as modifier of what nobody edited yet. */
export const SYSTEM_USER = 'System';

/** Outcome of looking a schedule up from a route's path. */
export type ScheduleLookup =
  { found: true; schedule: BuSchedule; created: boolean } | { found: false; reason: 'unknown' | 'other-week' };

/** A schedule and its agents as the admin read-back lists them (plain JSON). */
export interface ScheduleSnapshot {
  businessUnitId: string;
  scheduleId: string;
  weekDate: string;
  weekCount: number;
  description: string;
  published: boolean;
  version: number;
  dateModified: string;
  modifiedBy: string;
  /** By user id; shifts in time order. */
  agents: AgentSchedule[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Shifts in time order (then by id), as the read-back lists them. */
export function sortedShifts(shifts: readonly StoredShift[]): StoredShift[] {
  return [...shifts].sort((a, b) => Date.parse(a.startDate) - Date.parse(b.startDate) || compareText(a.id, b.id));
}

/** The schedules of one org. */
export class ScheduleStore {
  private readonly schedules = new Map<string, BuSchedule>();

  constructor(private readonly now: () => number) {}

  /** Finds the schedule of a route's path, creating it when allowed. */
  lookup(businessUnitId: string, weekId: string, scheduleId: string, autoCreate: boolean): ScheduleLookup {
    const existing = this.schedules.get(storeKey(businessUnitId, scheduleId));
    if (existing) {
      return existing.weekDate === weekId
        ? { found: true, schedule: existing, created: false }
        : { found: false, reason: 'other-week' };
    }
    if (!autoCreate) return { found: false, reason: 'unknown' };
    const schedule = this.create(businessUnitId, scheduleId, weekId, 1);
    return { found: true, schedule, created: true };
  }

  /** Every schedule of a business unit, by `weekDate` then id. */
  inBusinessUnit(businessUnitId: string): BuSchedule[] {
    return [...this.schedules.values()]
      .filter((s) => s.businessUnitId === businessUnitId)
      .sort((a, b) => compareText(a.weekDate, b.weekDate) || compareText(a.id, b.id));
  }

  /** Adds the schedules configured to exist from the start; an agent without a unit joins `managementUnitOf`'s. */
  seed(
    initial: readonly InitialSchedule[],
    managementUnitOf: (businessUnitId: string, userId: string) => string,
  ): void {
    for (const spec of initial) {
      const schedule = this.create(spec.businessUnitId, spec.scheduleId, spec.weekDate, spec.weekCount);
      schedule.description = spec.description;
      schedule.published = spec.published;
      for (const agent of spec.agents) {
        schedule.agents.set(agent.userId, {
          userId: agent.userId,
          managementUnitId: agent.managementUnitId ?? managementUnitOf(spec.businessUnitId, agent.userId),
          version: 1,
          dateModified: schedule.dateCreated,
          modifiedBy: SYSTEM_USER,
          shifts: agent.shifts.map((shift) => ({
            id: shift.id ?? randomUUID(),
            startDate: normalizeInstant(shift.startDate),
            lengthMinutes: shift.lengthMinutes,
            activities: storedActivities(shift.activities),
            manuallyEdited: shift.manuallyEdited,
          })),
          fullDayTimeOffMarkers: [],
        });
      }
    }
  }

  /** Number of schedules. */
  get size(): number {
    return this.schedules.size;
  }

  /** Every schedule with its agents' shifts and versions, sorted, as plain copies. */
  snapshot(): ScheduleSnapshot[] {
    return [...this.schedules.values()]
      .sort((a, b) => compareText(a.businessUnitId, b.businessUnitId) || compareText(a.id, b.id))
      .map((s) => ({
        businessUnitId: s.businessUnitId,
        scheduleId: s.id,
        weekDate: s.weekDate,
        weekCount: s.weekCount,
        description: s.description,
        published: s.published,
        version: s.version,
        dateModified: s.dateModified,
        modifiedBy: s.modifiedBy,
        agents: [...s.agents.values()]
          .sort((a, b) => compareText(a.userId, b.userId))
          .map((agent) => structuredClone({ ...agent, shifts: sortedShifts(agent.shifts) })),
      }));
  }

  private create(businessUnitId: string, scheduleId: string, weekDate: string, weekCount: number): BuSchedule {
    const at = normalizeInstant(new Date(this.now()).toISOString());
    const schedule: BuSchedule = {
      businessUnitId,
      id: scheduleId,
      weekDate,
      weekCount,
      description: '',
      published: false,
      version: 1,
      dateCreated: at,
      dateModified: at,
      modifiedBy: SYSTEM_USER,
      agents: new Map(),
    };
    this.schedules.set(storeKey(businessUnitId, scheduleId), schedule);
    return schedule;
  }
}

function storeKey(businessUnitId: string, scheduleId: string): string {
  return `${businessUnitId}\u0000${scheduleId}`;
}

/**
 * What the Genesys writer knows of a tenant's business units before it uploads anything: their time zone and
 * first day of the week, their activity codes (and which count as paid time), their agents, and which schedules
 * span a week. Read once per business unit and kept for a while (`FACTS_TTL_MS`), so a job reads them about once;
 * a row refused on facts older than `RECHECK_AFTER_MS` is checked again on a fresh read before it fails, so an
 * agent or code added during the job is not refused for it.
 */
import type { WeekDay } from './calendar';
import { KeyedLocks } from './keyed-locks';
import type { ScheduleApi } from './schedule-api';

/** How long facts read from the platform serve this process's batches. */
export const FACTS_TTL_MS = 10 * 60_000;
/** Facts older than this are read again before a row fails on them. */
export const RECHECK_AFTER_MS = 60_000;

export interface ActivityCode {
  active: boolean;
  /** `countsAsPaidTime`: the `paid` of the shift's activity. */
  paid: boolean;
}

export interface BusinessUnitFacts {
  id: string;
  timeZone: string;
  startDayOfWeek: WeekDay;
  activityCodes: ReadonlyMap<string, ActivityCode>;
  /** Each agent's management unit. */
  agents: ReadonlyMap<string, string>;
  readAt: number;
}

/** A schedule that spans a week, as `…/weeks/{weekId}/schedules` lists it. */
export interface ScheduleOfWeek {
  id: string;
  weekDate: string;
  weekCount: number;
}

interface Kept<T> {
  value: T;
  readAt: number;
}

export class BusinessUnits {
  private readonly facts = new Map<string, Kept<BusinessUnitFacts>>();
  private readonly weeks = new Map<string, Kept<ScheduleOfWeek[]>>();
  /** One read per key at a time: batches starting together wait for the first one's read, then share it. */
  private readonly reads = new KeyedLocks();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The business unit's facts, read when none younger than `maxAgeMs` are kept.
   * @throws what the reads throw (`Refused` for a business unit the platform does not know, `Fault`)
   */
  async of(businessUnitId: string, api: ScheduleApi, maxAgeMs = FACTS_TTL_MS): Promise<BusinessUnitFacts> {
    return this.kept(this.facts, businessUnitId, maxAgeMs, async () => {
      const unit = await api.readBusinessUnit(businessUnitId);
      const codes = await api.readActivityCodes(businessUnitId);
      const users = await api.readUsers(businessUnitId);
      const agents = new Map<string, string>();
      for (const { managementUnit, users: members } of users.managementUnits)
        for (const user of members) agents.set(user.id, managementUnit.id);
      return {
        id: businessUnitId,
        timeZone: unit.settings.timeZone,
        startDayOfWeek: unit.settings.startDayOfWeek,
        activityCodes: new Map(
          codes.map((code) => [code.id, { active: code.active ?? true, paid: code.countsAsPaidTime ?? true }]),
        ),
        agents,
        readAt: this.now(),
      };
    });
  }

  /** The schedules that span the week beginning `weekId` in the business unit. */
  async schedulesOfWeek(businessUnitId: string, weekId: string, api: ScheduleApi): Promise<ScheduleOfWeek[]> {
    return this.kept(this.weeks, `${businessUnitId}\u0000${weekId}`, FACTS_TTL_MS, async () => {
      const listing = await api.readWeekSchedules(businessUnitId, weekId);
      return (listing.entities ?? []).map((entry) => ({
        id: entry.id,
        weekDate: entry.weekDate,
        weekCount: entry.weekCount ?? 1,
      }));
    });
  }

  private async kept<T>(
    store: Map<string, Kept<T>>,
    key: string,
    maxAgeMs: number,
    read: () => Promise<T>,
  ): Promise<T> {
    const release = await this.reads.acquire(key);
    try {
      const known = store.get(key);
      if (known && this.now() - known.readAt < maxAgeMs) return known.value;
      const value = await read();
      const now = this.now();
      // What no batch may use any more goes, so a long-lived tenant keeps only what it recently read.
      for (const [other, { readAt }] of store) if (now - readAt >= FACTS_TTL_MS) store.delete(other);
      store.set(key, { value, readAt: now });
      return value;
    } finally {
      release();
    }
  }
}

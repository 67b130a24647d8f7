/**
 * Past states of an org's schedules, for the stale-read fault: a read drawn stale answers from the schedule as it
 * was `staleReadMs` ago, version and agents together. States are kept only while the fault is on and only as long
 * as a stale read could still want them (and at most {@link MAX_STATES} per schedule), so memory stays bounded.
 */
import type { BuSchedule } from './model';

/** Most past states kept per schedule, whatever the update rate. */
const MAX_STATES = 500;

/** A state the schedule had until `until` (ms epoch). */
interface PastState {
  state: BuSchedule;
  until: number;
}

/** A deep copy of a schedule, safe to keep while the original changes. */
export function copySchedule(schedule: BuSchedule): BuSchedule {
  return structuredClone(schedule);
}

/** Past states of the schedules of one org. */
export class ScheduleHistory {
  private readonly past = new Map<BuSchedule, PastState[]>();

  /**
   * Keeps `before`, the state `schedule` had until `at`, while stale reads `keepMs` old may want it; drops what no
   * such read can want any more.
   */
  record(schedule: BuSchedule, before: BuSchedule, at: number, keepMs: number): void {
    const states = this.past.get(schedule) ?? [];
    states.push({ state: before, until: at });
    this.past.set(schedule, this.prune(states, at - keepMs));
  }

  /**
   * The schedule as it was at `instant`: the first kept state still current then (the first state of all, for an
   * instant before the schedule existed), or the schedule itself when it has not changed since.
   */
  at(schedule: BuSchedule, instant: number): BuSchedule {
    return this.past.get(schedule)?.find((past) => past.until > instant)?.state ?? schedule;
  }

  /** Forgets every state (the fault was switched off). */
  clear(): void {
    this.past.clear();
  }

  /** States a read of an instant at or after `oldest` can want: those current after it, at most MAX_STATES. */
  private prune(states: PastState[], oldest: number): PastState[] {
    const wanted = states.filter((past) => past.until > oldest);
    return wanted.length > MAX_STATES ? wanted.slice(-MAX_STATES) : wanted;
  }
}

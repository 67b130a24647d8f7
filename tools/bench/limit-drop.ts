/** Scenario (f): a tenant's limit falls mid-job, timed from the run's first PUT so every system meets it alike. */
import type { RunningSimulator } from '../simulator';
import type { LimitDrop } from './ideal';

export interface PlannedDrop {
  orgId: string;
  drop: LimitDrop;
}

/** Arms the drops; returns a function that disarms whatever has not fired yet. */
export function armLimitDrops(sim: RunningSimulator, drops: readonly PlannedDrop[]): () => void {
  if (drops.length === 0) return () => undefined;
  const timers: NodeJS.Timeout[] = [];
  const firstPutAt = () => {
    const firsts = Object.values(sim.state.stats().orgs).flatMap((org) => (org.firstPutAt ? [org.firstPutAt] : []));
    return firsts.length === 0 ? null : Math.min(...firsts);
  };
  const watch = setInterval(() => {
    const first = firstPutAt();
    if (first === null) return;
    clearInterval(watch);
    for (const { orgId, drop } of drops) {
      const delay = Math.max(0, first + drop.afterMs - Date.now());
      timers.push(setTimeout(() => sim.state.setThrottle(orgId, drop.to), delay));
    }
  }, 10);
  return () => {
    clearInterval(watch);
    timers.forEach(clearTimeout);
  };
}

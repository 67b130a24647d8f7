/**
 * Whether a read of a schedule is at least as new as what the batch already knows. A platform may answer a read
 * from a replica that lags behind an update it has reported finished; a plan made on such a read would send again
 * shifts that landed, and a platform that does not refuse updates built on stale versions would apply them twice.
 * So each update that landed raises a floor: the schedule's version it produced (or one past the one it was built
 * on), and for each of its agents one past the agent's version it was built on (or, for an agent new to the
 * schedule, its presence). A read below any floor is stale and is read again later. Pure.
 */
import { z } from 'zod';
import type { ScheduleState } from './plan';
import type { ScheduleUpload } from './platform';

/** The floors as the heartbeat carries them to the next attempt. */
export const floorsSchema = z.object({
  version: z.number().int(),
  /** `[userId, lowest fresh version]`; 0 for an agent that must merely be present. */
  agents: z.array(z.tuple([z.string(), z.number().int()])),
});
export type Floors = z.infer<typeof floorsSchema>;

export class Freshness {
  private version: number;
  private readonly agents: Map<string, number>;

  constructor(floors?: Floors) {
    this.version = floors?.version ?? Number.NEGATIVE_INFINITY;
    this.agents = new Map(floors?.agents ?? []);
  }

  /** A read was accepted: nothing older may follow it. */
  saw(state: ScheduleState): void {
    this.version = Math.max(this.version, state.version);
    for (const [userId, floor] of this.agents) {
      const version = state.agents.get(userId)?.metadata.version;
      if (version !== undefined && version >= floor) this.agents.set(userId, version);
    }
  }

  /**
   * An update landed: built on schedule version `fromVersion`, with its agents' floors (`agentFloorsOf`); it
   * produced `version` when the platform said so, else one past the version it was built on.
   */
  landed(
    update: { fromVersion: number; agentFloors?: readonly (readonly [string, number])[] },
    version?: number,
  ): void {
    this.version = Math.max(this.version, version ?? update.fromVersion + 1);
    for (const [userId, floor] of update.agentFloors ?? [])
      this.agents.set(userId, Math.max(this.agents.get(userId) ?? 0, floor));
  }

  /** Drops the agents' floors (the schedule's version floor stays). @returns whether there were any */
  forgetAgents(): boolean {
    const had = this.agents.size > 0;
    this.agents.clear();
    return had;
  }

  /**
   * Why `state` is older than what is known, or undefined when it is fresh.
   * @param asked the agents the read asked for (others are not in it and say nothing)
   */
  stale(state: ScheduleState, asked: ReadonlySet<string>): string | undefined {
    if (state.version < this.version) return `the schedule read at version ${state.version}, known at ${this.version}`;
    for (const [userId, floor] of this.agents) {
      if (!asked.has(userId)) continue;
      const agent = state.agents.get(userId);
      if (!agent) return `agent ${userId} is missing from the schedule read, though an update added them`;
      if (agent.metadata.version < floor)
        return `agent ${userId} read at version ${agent.metadata.version}, known at ${floor}`;
    }
    return undefined;
  }

  get floors(): Floors | undefined {
    if (this.version === Number.NEGATIVE_INFINITY && this.agents.size === 0) return undefined;
    return { version: Number.isFinite(this.version) ? this.version : -1, agents: [...this.agents] };
  }
}

/** What a read must show of each agent of `upload` once it landed: one past the version it was built on, or presence. */
export function agentFloorsOf(upload: ScheduleUpload): [string, number][] {
  return upload.agentSchedules.map((agent) => [agent.userId, agent.metadata ? agent.metadata.version + 1 : 0]);
}

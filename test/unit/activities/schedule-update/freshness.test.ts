import { describe, expect, it } from 'vitest';
import { Freshness, agentFloorsOf } from '../../../../activities/writers/schedule-update/freshness';
import type { ScheduleState } from '../../../../activities/writers/schedule-update/plan';
import type { AgentSchedule, ScheduleUpload } from '../../../../activities/writers/schedule-update/platform';

const agent = (id: string, version: number): [string, AgentSchedule] => [
  id,
  { user: { id }, metadata: { version }, shifts: [] },
];
const state = (version: number, ...agents: [string, AgentSchedule][]): ScheduleState => ({
  version,
  agents: new Map(agents),
});
const upload: ScheduleUpload = {
  metadata: { version: 4 },
  agentSchedules: [
    { userId: 'ann', metadata: { version: 2 }, shifts: [] },
    { userId: 'bob', shifts: [] },
  ],
};
const asked = new Set(['ann', 'bob']);
/** The update as the writer records it: the version it was built on and its agents' floors. */
const sent = { fromVersion: upload.metadata.version, agentFloors: agentFloorsOf(upload) };

describe('freshness of schedule reads', () => {
  it('takes any read before anything is known', () => {
    expect(new Freshness().stale(state(1), asked)).toBeUndefined();
  });

  it('refuses a read older than one already seen', () => {
    const freshness = new Freshness();
    freshness.saw(state(5));
    expect(freshness.stale(state(4), asked)).toMatch(/version 4, known at 5/);
    expect(freshness.stale(state(5), asked)).toBeUndefined();
  });

  it('after an update landed, refuses reads that miss it: its version, its agents’ versions, new agents', () => {
    const freshness = new Freshness();
    freshness.landed(sent, 7);
    expect(freshness.stale(state(6, agent('ann', 3), agent('bob', 1)), asked)).toMatch(/version 6, known at 7/);
    expect(freshness.stale(state(7, agent('ann', 2), agent('bob', 1)), asked)).toMatch(/agent ann read at version 2/);
    expect(freshness.stale(state(7, agent('ann', 3)), asked)).toMatch(/agent bob is missing/);
    expect(freshness.stale(state(7, agent('ann', 3), agent('bob', 1)), asked)).toBeUndefined();
    // An agent not asked for says nothing.
    expect(freshness.stale(state(7, agent('ann', 3)), new Set(['ann']))).toBeUndefined();
  });

  it('without the version the update produced, one past the version it was built on', () => {
    const freshness = new Freshness();
    freshness.landed(sent);
    expect(freshness.stale(state(4, agent('ann', 3), agent('bob', 1)), asked)).toMatch(/known at 5/);
  });

  it('carries its floors to the next attempt', () => {
    const freshness = new Freshness();
    expect(freshness.floors).toBeUndefined();
    freshness.landed(sent, 7);
    const next = new Freshness(freshness.floors);
    expect(next.stale(state(6), asked)).toMatch(/known at 7/);
    expect(next.stale(state(7, agent('ann', 2), agent('bob', 1)), asked)).toMatch(/agent ann/);
  });
});

/** Planning a round of a Genesys schedule update from what the schedule holds: what is there, refused, sent. */
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../../../contracts/assignment';
import { planRound, type PlannedRow, type ScheduleState } from '../../../../activities/writers/schedule-update/plan';
import type { AgentSchedule } from '../../../../activities/writers/schedule-update/platform';

function row(offset: number, fields: Partial<Assignment> = {}): PlannedRow {
  return {
    offset,
    assignment: {
      id: `a-${offset}`,
      userId: 'u-1',
      start: '2026-12-07T08:00:00Z',
      end: '2026-12-07T16:00:00Z',
      activityCodeId: 'work',
      ...fields,
    },
  };
}

function agent(userId: string, version: number, shifts: AgentSchedule['shifts'] = []): [string, AgentSchedule] {
  return [userId, { user: { id: userId }, metadata: { version }, shifts }];
}

const shift = (startDate: string, lengthMinutes: number, activityCodeId = 'work') => ({
  id: `s-${startDate}`,
  startDate,
  lengthMinutes,
  activities: [{ startDate, lengthMinutes, activityCodeId, description: '' }],
});

describe('a round of a schedule update', () => {
  it('sends new shifts on the versions read: the schedule’s, and the agent’s when the agent is in it', () => {
    const state: ScheduleState = { version: 7, agents: new Map([agent('u-1', 3)]) };
    const plan = planRound([row(0), row(1, { userId: 'u-2', notes: 'cover' })], state);
    expect(plan.sending).toEqual([0, 1]);
    expect(plan.upload).toEqual({
      metadata: { version: 7 },
      agentSchedules: [
        {
          userId: 'u-1',
          metadata: { version: 3 },
          shifts: [
            {
              startDate: '2026-12-07T08:00:00.000Z',
              lengthMinutes: 480,
              activities: [
                {
                  startDate: '2026-12-07T08:00:00.000Z',
                  lengthMinutes: 480,
                  activityCodeId: 'work',
                  description: '',
                  paid: true,
                },
              ],
              manuallyEdited: true,
            },
          ],
        },
        {
          userId: 'u-2',
          shifts: [expect.objectContaining({ activities: [expect.objectContaining({ description: 'cover' })] })],
        },
      ],
    });
  });

  it('finds a shift already there by content (same instant in another offset too) and sends nothing', () => {
    const state: ScheduleState = {
      version: 8,
      agents: new Map([agent('u-1', 4, [shift('2026-12-07T08:00:00.000Z', 480)])]),
    };
    const plan = planRound([row(0, { start: '2026-12-07T09:00:00+01:00', end: '2026-12-07T17:00:00+01:00' })], state);
    expect(plan).toEqual({ present: [0], refused: [], sending: [] });
  });

  it('does not take a shift of another activity code or length for ours, and refuses to overlap it', () => {
    const state: ScheduleState = {
      version: 8,
      agents: new Map([agent('u-1', 4, [shift('2026-12-07T08:00:00.000Z', 480, 'training')])]),
    };
    const plan = planRound([row(0)], state);
    expect(plan.present).toEqual([]);
    expect(plan.upload).toBeUndefined();
    expect(plan.refused.map((refused) => [refused.offset, refused.reason.code])).toEqual([
      [0, 'overlaps-existing-shift'],
    ]);
    expect(plan.refused[0]!.reason.message).toContain('s-2026-12-07T08:00:00.000Z');
  });

  it('refuses the second of two overlapping rows of one agent, and lets other agents through', () => {
    const state: ScheduleState = { version: 1, agents: new Map() };
    const plan = planRound(
      [
        row(0),
        row(1, { start: '2026-12-07T15:00:00Z', end: '2026-12-07T20:00:00Z' }),
        row(2, { userId: 'u-2', start: '2026-12-07T15:00:00Z', end: '2026-12-07T20:00:00Z' }),
        row(3, { start: '2026-12-07T16:00:00Z', end: '2026-12-07T20:00:00Z' }),
      ],
      state,
    );
    expect(plan.sending).toEqual([0, 2, 3]);
    expect(plan.refused.map((refused) => [refused.offset, refused.reason.code])).toEqual([
      [1, 'overlaps-existing-shift'],
    ]);
    expect(plan.upload?.agentSchedules.map((schedule) => [schedule.userId, schedule.shifts.length])).toEqual([
      ['u-1', 2],
      ['u-2', 1],
    ]);
  });

  it('refuses a shift that is not whole minutes', () => {
    const plan = planRound([row(0, { end: '2026-12-07T16:00:30Z' })], { version: 1, agents: new Map() });
    expect(plan.refused.map((refused) => refused.reason.code)).toEqual(['not-whole-minutes']);
    expect(plan.upload).toBeUndefined();
  });
});

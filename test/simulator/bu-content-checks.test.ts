/**
 * What a described business unit refuses in an update, each cause ending it `Error` with nothing applied and no
 * reason given (the simulator records and counts it): an unknown or inactive activity code, a shift outside the
 * schedule's span in the unit's time zone, an agent in none of its management units; the `refuseDescriptionMarker`
 * fault in any unit; and `versionCheck`, strict (checked first) or lenient (last write wins).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  OrgStats,
  RunningSimulator,
  ScheduleSnapshot,
  SimulatorConfigInput,
  UpdateOperation,
} from '../../tools/simulator';
import { gzipSync } from 'node:zlib';
import { BU, WEEK, apiJson, newShift, putUpload, schedulePath } from './bu-schedule-helpers';
import { admin, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const S = 'sched-1';
const OPEN_SCHEDULE = 'sched-open';

/** `bu-1` in Berlin time: codes `work` and (inactive) `old`; agents u1, u2 in mu-a. WEEK (Monday 30 Nov) + 7 days. */
const DESCRIBED = {
  id: BU,
  timeZone: 'Europe/Berlin',
  activityCodes: [{ id: 'work' }, { id: 'old', active: false }],
  managementUnits: [{ id: 'mu-a', users: ['u1', 'u2'] }],
};

describe('content checks of updates', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(buSchedules: Record<string, unknown> = {}): Promise<RunningSimulator> {
    const config: SimulatorConfigInput = {
      seed: 11,
      orgs: [
        {
          id: 'a',
          throttle: null,
          buSchedules: {
            processingDelayMs: 0,
            answerCompleteWhenImmediate: true,
            businessUnits: [DESCRIBED],
            ...buSchedules,
          },
        },
      ],
    };
    const sim = await start(config);
    running.push(sim);
    return sim;
  }

  /** Uploads and starts an update of a schedule of `bu` (in WEEK); returns how it ended (processed at once). */
  async function update(sim: RunningSimulator, token: string, body: unknown, scheduleId = S, bu = BU) {
    const path = schedulePath(scheduleId, WEEK, bu);
    const gzipped = gzipSync(JSON.stringify(body));
    const ticket = await apiJson<{ uploadKey: string; url: string; headers: Record<string, string> }>(
      sim,
      token,
      'POST',
      `${path}/update/uploadurl`,
      { contentLengthBytes: gzipped.length },
    );
    expect((await putUpload(ticket.body.url, ticket.body.headers, gzipped)).status).toBe(200);
    const started = await apiJson<{ status: string }>(sim, token, 'POST', `${path}/update`, {
      uploadKey: ticket.body.uploadKey,
    });
    expect(started.status).toBe(200);
    return started.body.status;
  }

  const readBack = async (sim: RunningSimulator) =>
    (await admin<ScheduleSnapshot[]>(sim, 'GET', '/orgs/a/bu-schedules')).body;
  const lastOperation = async (sim: RunningSimulator) =>
    (await admin<UpdateOperation[]>(sim, 'GET', '/orgs/a/bu-schedules/operations')).body.at(-1);
  const scheduleStats = async (sim: RunningSimulator) =>
    (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a!.scheduleApi;

  const agent = (userId: string, ...shifts: Record<string, unknown>[]) => ({ userId, shifts });

  it('applies an update that keeps every rule, at the very edges of the schedule', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    // Monday 00:00 in Berlin is 23:00 UTC the day before; the week ends Monday 7 Dec 00:00 Berlin.
    const status = await update(sim, token, {
      metadata: { version: 1 },
      agentSchedules: [
        agent('u1', newShift('2026-11-29T23:00:00Z', 60, 'work')),
        agent('u2', newShift('2026-12-06T22:00:00Z', 60, 'work')),
      ],
    });
    expect(status).toBe('Complete');
    expect((await readBack(sim))[0]).toMatchObject({ version: 2 });
  });

  it.each([
    [
      'an activity code the unit does not have',
      [agent('u1', newShift('2026-12-01T08:00:00Z', 60, 'nope'))],
      'unknown-activity-code',
      'unknownActivityCode',
    ],
    [
      'an inactive activity code',
      [agent('u1', newShift('2026-12-01T08:00:00Z', 60, 'old'))],
      'unknown-activity-code',
      'unknownActivityCode',
    ],
    [
      'a shift starting before the week (in the unit’s time zone)',
      [agent('u1', newShift('2026-11-29T22:59:00Z', 60, 'work'))],
      'outside-schedule',
      'outsideSchedule',
    ],
    [
      'a shift ending after the week',
      [agent('u1', newShift('2026-12-06T22:30:00Z', 31, 'work'))],
      'outside-schedule',
      'outsideSchedule',
    ],
    [
      'an agent in none of its management units (the other agent valid)',
      [agent('u2', newShift('2026-12-01T08:00:00Z', 60, 'work')), agent('u9', newShift('2026-12-01T08:00:00Z'))],
      'agent-not-in-business-unit',
      'agentNotInBusinessUnit',
    ],
  ])('refuses %s: Error, nothing applied, counted', async (_label, agentSchedules, reason, counter) => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    expect(await update(sim, token, { metadata: { version: 1 } })).toBe('Complete'); // creates it, version 2
    const before = await readBack(sim);
    expect(await update(sim, token, { metadata: { version: 2 }, agentSchedules })).toBe('Error');
    expect(await readBack(sim)).toEqual(before);
    expect(await lastOperation(sim)).toMatchObject({ status: 'Error', reason });
    expect(await scheduleStats(sim)).toMatchObject({
      updatesErrored: 1,
      updatesConflicted: 0,
      updateErrorReasons: { [reason]: 1 },
      contentRefusals: {
        unknownActivityCode: 0,
        outsideSchedule: 0,
        agentNotInBusinessUnit: 0,
        marker: 0,
        [counter]: 1,
      },
    });
  });

  it('checks nothing of an open unit but the marker fault, which refuses in any unit', async () => {
    const sim = await startWith({ faults: { refuseDescriptionMarker: '#refuse' } });
    const token = await tokenFor(sim, 'a');
    // An open unit takes any code, agent and time.
    const anything = {
      metadata: { version: 1 },
      agentSchedules: [agent('anyone', newShift('2030-01-01T00:00:00Z', 60, 'whatever'))],
    };
    expect(await update(sim, token, anything, OPEN_SCHEDULE, 'bu-open')).toBe('Complete');

    const marked = newShift('2026-12-01T08:00:00Z', 60, 'work');
    (marked.activities as Array<{ description: string }>)[0]!.description = 'planned #refuse by hand';
    const body = { metadata: { version: 2 }, agentSchedules: [agent('u1', marked)] };
    expect(await update(sim, token, body, OPEN_SCHEDULE, 'bu-open')).toBe('Error');
    expect(await lastOperation(sim)).toMatchObject({ reason: 'marker' });
    expect((await scheduleStats(sim)).contentRefusals).toEqual({
      unknownActivityCode: 0,
      outsideSchedule: 0,
      agentNotInBusinessUnit: 0,
      marker: 1,
    });
  });

  it('checks stale versions first in strict mode: a stale update with a bad code is a conflict', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    expect(await update(sim, token, { metadata: { version: 1 } })).toBe('Complete');
    const bad = [agent('u1', newShift('2026-12-01T08:00:00Z', 60, 'nope'))];
    expect(await update(sim, token, { metadata: { version: 1 }, agentSchedules: bad })).toBe('Error');
    expect(await lastOperation(sim)).toMatchObject({ reason: 'schedule-version' });
    expect(await scheduleStats(sim)).toMatchObject({
      updatesConflicted: 1,
      contentRefusals: { unknownActivityCode: 0 },
    });
  });

  it('applies whatever versions an update names when lenient; versions still go up one per update', async () => {
    const sim = await startWith({ versionCheck: 'lenient' });
    const token = await tokenFor(sim, 'a');
    const monday = newShift('2026-11-30T08:00:00Z', 60, 'work');
    expect(await update(sim, token, { metadata: { version: 1 }, agentSchedules: [agent('u1', monday)] })).toBe(
      'Complete',
    );
    // Stale schedule version, agent u1 without its version, new agent u2 with one: all applied.
    const tuesday = newShift('2026-12-01T08:00:00Z', 60, 'work');
    const status = await update(sim, token, {
      metadata: { version: 1 },
      agentSchedules: [agent('u1', tuesday), { userId: 'u2', metadata: { version: 9 }, shifts: [tuesday] }],
    });
    expect(status).toBe('Complete');
    const [schedule] = await readBack(sim);
    expect(schedule?.version).toBe(3);
    expect(schedule?.agents.map((a) => [a.userId, a.version, a.shifts.length])).toEqual([
      ['u1', 2, 2],
      ['u2', 1, 1],
    ]);
    // Content is still checked, and what cannot be done is still refused.
    expect(await update(sim, token, { metadata: { version: 1 }, agentSchedules: [agent('u9', tuesday)] })).toBe(
      'Error',
    );
    expect(
      await update(sim, token, { metadata: { version: 1 }, agentSchedules: [{ userId: 'u3', delete: true }] }),
    ).toBe('Error');
    expect(
      (await admin<UpdateOperation[]>(sim, 'GET', '/orgs/a/bu-schedules/operations')).body.map(
        (op) => op.reason ?? null,
      ),
    ).toEqual([null, null, 'agent-not-in-business-unit', 'agent-not-in-schedule']);
  });

  it('lets conflictRate’s other editor change the schedule when lenient, and the update still lands', async () => {
    const sim = await startWith({ versionCheck: 'lenient', faults: { conflictRate: 1 } });
    const token = await tokenFor(sim, 'a');
    const status = await update(sim, token, {
      metadata: { version: 1 },
      agentSchedules: [agent('u1', newShift('2026-12-01T08:00:00Z', 60, 'work'))],
    });
    expect(status).toBe('Complete');
    const [schedule] = await readBack(sim);
    expect(schedule?.version).toBe(3); // the other editor's change, then this one
    expect(schedule?.agents.map((a) => a.userId)).toEqual(['conflict-1', 'u1']);
  });
});

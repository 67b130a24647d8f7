/**
 * The Genesys writer on rows the platform would refuse: those it can see (an unknown activity code, a shift outside
 * the schedule, an agent outside the business unit) fail before upload with their own reason; one the platform
 * refuses for a reason no check sees is found by splitting the update; every other row lands, once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredItem } from '../../../../contracts/assignment';
import { describedUnit, heldShifts, shiftRows, writerWorld, type WriterWorld } from './harness';

const MARKER = 'REFUSE-ME';

/** Row 1's assignment of `shiftRows` (agent `user-1`), whatever row it is given. */
const rows1 = (row: StoredItem) => ({ ...row.assignment, userId: 'user-1' });

describe('the Genesys writer with bad rows in a batch', () => {
  let world: WriterWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('fails each bad row with its own reason and lands every other row exactly once', async () => {
    world = await writerWorld({
      buSchedules: {
        processingDelayMs: 0,
        answerCompleteWhenImmediate: true,
        businessUnits: [describedUnit(40)],
        faults: { refuseDescriptionMarker: MARKER },
      },
    });
    const bad: Record<number, (row: StoredItem) => StoredItem> = {
      3: (row) => ({ ...row, assignment: { ...row.assignment, activityCodeId: 'ac-typo' } }),
      11: (row) => ({
        ...row,
        assignment: { ...row.assignment, start: '2027-01-12T08:00:00Z', end: '2027-01-12T16:00:00Z' },
      }),
      19: (row) => ({ ...row, assignment: { ...row.assignment, userId: 'stranger' } }),
      27: (row) => ({ ...row, assignment: { ...row.assignment, notes: `${MARKER} please` } }),
    };
    const rows = shiftRows(32, (row, index) => bad[index]?.(row) ?? row);
    const outcome = await world.write(rows);

    expect(outcome.outcome).toBe('done');
    if (outcome.outcome !== 'done') return;
    expect(outcome.applied).toBe(28);
    const codes = Object.fromEntries(outcome.failures.map((failure) => [failure.offset, failure.reason.code]));
    expect(codes).toEqual({
      3: 'unknown-activity-code',
      11: 'outside-schedule',
      19: 'agent-not-in-business-unit',
      27: 'refused-by-platform',
    });
    expect(outcome.failures.find((failure) => failure.offset === 27)?.reason.message).toMatch(/operations \S+/);
    const held = heldShifts(world);
    expect(held).toHaveLength(28);
    expect(new Set(held).size).toBe(28);
    // One row refused among 28 sent: a path of halvings down to it, then its tries alone.
    const stats = world.sim.state.stats().orgs.acme!.scheduleApi;
    expect(stats.updatesStarted).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(28)) + 3);
  });

  it('isolates a refused row though nothing shows the Error (no event, no answer): an unchanged schedule says so', async () => {
    world = await writerWorld(
      {
        buSchedules: {
          processingDelayMs: 100,
          businessUnits: [describedUnit(2)],
          faults: { refuseDescriptionMarker: MARKER },
        },
      },
      { pollSeconds: 0.1, completionTimeoutSeconds: 1 },
    );
    const rows = shiftRows(2, (row, index) =>
      index === 1 ? { ...row, assignment: { ...row.assignment, notes: MARKER } } : row,
    );
    const outcome = await world.write(rows);
    expect(outcome).toMatchObject({ outcome: 'done', applied: 1 });
    expect(outcome.outcome === 'done' && outcome.failures.map((failure) => failure.reason.code)).toEqual([
      'refused-by-platform',
    ]);
    expect(heldShifts(world)).toEqual(['user-0 2027-01-05T08:00:00.000Z']);
  }, 60_000);

  it('counts a row already in the schedule applied though its code was retired since, and a repeated row once', async () => {
    const unit = describedUnit(3);
    world = await writerWorld({
      buSchedules: {
        processingDelayMs: 0,
        answerCompleteWhenImmediate: true,
        businessUnits: [{ ...unit, activityCodes: [...unit.activityCodes, { id: 'ac-old', active: false }] }],
        initialSchedules: [
          {
            businessUnitId: 'bu-1',
            scheduleId: 's1',
            weekDate: '2027-01-04',
            agents: [
              {
                userId: 'user-0',
                shifts: [
                  {
                    startDate: '2027-01-05T08:00:00Z',
                    lengthMinutes: 480,
                    activities: [
                      {
                        startDate: '2027-01-05T08:00:00Z',
                        lengthMinutes: 480,
                        activityCodeId: 'ac-old',
                        description: '',
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const rows = shiftRows(3, (row, index) => {
      if (index === 0) return { ...row, assignment: { ...row.assignment, activityCodeId: 'ac-old' } };
      // The same shift as row 1, under another id.
      if (index === 2) return { ...row, assignment: { ...rows1(row), id: 'r-2' } };
      return row;
    });
    const outcome = await world.write(rows);
    expect(outcome).toMatchObject({ outcome: 'done', applied: 2 });
    expect(outcome.outcome === 'done' && outcome.failures.map((f) => [f.offset, f.reason.code])).toEqual([
      [2, 'overlaps-existing-shift'],
    ]);
    expect(heldShifts(world).sort()).toEqual(['user-0 2027-01-05T08:00:00.000Z', 'user-1 2027-01-05T08:00:00.000Z']);
  });

  it('takes the week from the shift’s date when none is given, in the business unit’s calendar', async () => {
    world = await writerWorld({
      buSchedules: {
        processingDelayMs: 0,
        answerCompleteWhenImmediate: true,
        autoCreate: false,
        businessUnits: [{ ...describedUnit(4, 'America/New_York'), startDayOfWeek: 'Sunday' }],
        initialSchedules: [{ businessUnitId: 'bu-1', scheduleId: 's1', weekDate: '2027-01-03', weekCount: 2 }],
      },
    });
    const dates = [
      ['2027-01-05T14:00:00Z', '2027-01-05T22:00:00Z'], // week 1
      ['2027-01-12T14:00:00Z', '2027-01-12T22:00:00Z'], // week 2 of the same schedule
      ['2027-01-17T06:00:00Z', '2027-01-17T10:00:00Z'], // Sunday 01:00 New York: the week after the schedule
      ['2027-01-03T04:00:00Z', '2027-01-03T06:00:00Z'], // Saturday 23:00 New York: the week before
    ];
    const rows = shiftRows(4, (row, index) => {
      const { weekId: _, ...unplaced } = row;
      return { ...unplaced, assignment: { ...row.assignment, start: dates[index]![0]!, end: dates[index]![1]! } };
    });
    const outcome = await world.write(rows);
    expect(outcome).toMatchObject({ outcome: 'done', applied: 2 });
    if (outcome.outcome !== 'done') return;
    expect(outcome.failures.map((failure) => [failure.offset, failure.reason.code])).toEqual([
      [2, 'outside-schedule'],
      [3, 'outside-schedule'],
    ]);
    expect(heldShifts(world).sort()).toEqual(['user-0 2027-01-05T14:00:00.000Z', 'user-1 2027-01-12T14:00:00.000Z']);
  });

  it('previews a batch without writing: each row classed as the writer would treat it', async () => {
    world = await writerWorld({
      buSchedules: {
        processingDelayMs: 0,
        answerCompleteWhenImmediate: true,
        businessUnits: [describedUnit(10)],
      },
    });
    const rows = shiftRows(5);
    await world.write(rows.slice(0, 1)); // user-0's shift is there already
    const before = world.sim.state.stats().orgs.acme!.scheduleApi;
    const overlapping: StoredItem = {
      ...rows[1]!,
      line: 5,
      assignment: { ...rows[1]!.assignment, id: 'r-5', start: '2027-01-05T12:00:00Z', end: '2027-01-05T20:00:00Z' },
    };
    const planned = [
      rows[0]!,
      rows[1]!,
      overlapping,
      { ...rows[2]!, assignment: { ...rows[2]!.assignment, activityCodeId: 'nope' } },
      { ...rows[3]!, assignment: { ...rows[3]!.assignment, userId: 'stranger' } },
    ];
    const outcome = await world.write(planned, { dryRun: true });
    expect(outcome.outcome === 'done' && outcome.failures.map((failure) => failure.reason.code)).toEqual([
      'already-present',
      'would-add',
      'overlaps-existing-shift',
      'unknown-activity-code',
      'agent-not-in-business-unit',
    ]);
    const after = world.sim.state.stats().orgs.acme!.scheduleApi;
    expect(after.uploadUrlsIssued).toBe(before.uploadUrlsIssued);
    expect(after.updatesStarted).toBe(before.updatesStarted);
  });
});

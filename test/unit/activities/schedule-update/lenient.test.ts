/**
 * No double write, whatever the platform does with versions: against a platform that applies updates built on any
 * version (last write wins) and answers reads from a lagging copy, an update whose answer was lost is waited for
 * by the next attempt (or the batch's next activity, after a hand-over), judged by content on fresh reads, and never
 * sent again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startingProgress, type HeartbeatProgress } from '../../../../activities/writers/writer';
import { describedUnit, heldShifts, shiftRows, writerWorld, type WriterWorld } from './harness';

describe('the Genesys writer on a lenient platform', () => {
  let world: WriterWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each([
    ['the next attempt', 'heartbeat'],
    ['a new activity of the batch after its process lost the lease', 'resumeFrom'],
  ] as const)(
    'after a lost answer, %s waits for the update and writes nothing twice, though reads lag and versions are not checked',
    async (_who, carrier) => {
      world = await writerWorld(
        {
          buSchedules: {
            versionCheck: 'lenient',
            processingDelayMs: 300,
            businessUnits: [describedUnit(8)],
            faults: { loseUpdateAnswerRate: 1, staleReadRate: 1, staleReadMs: 1_500 },
          },
        },
        { pollSeconds: 0.1, completionTimeoutSeconds: 3 },
      );
      const rows = shiftRows(8);
      const progress: HeartbeatProgress = {};
      // The first attempt's update starts, but its answer is lost: the attempt fails with its record in the heartbeat.
      await expect(world.write(rows, { progress })).rejects.toThrow();
      expect(progress.details).toMatchObject({ scheduleId: 's1', pending: { offsets: [0, 1, 2, 3, 4, 5, 6, 7] } });

      // The next attempt sees the record (or the batch's next activity, given it by the workflow): it waits for that
      // update's end and finds its rows, though every read lags.
      const outcome = await world.write(
        rows,
        carrier === 'heartbeat'
          ? { heartbeatDetails: progress.details }
          : { progress: startingProgress(undefined, progress.details) },
      );
      expect(outcome).toEqual({ outcome: 'done', applied: 8, failures: [] });
      const held = heldShifts(world);
      expect(held).toHaveLength(8);
      expect(new Set(held).size).toBe(8);
      expect(world.sim.state.stats().orgs.acme!.scheduleApi.updatesStarted).toBe(1);
    },
  );

  it('after an update it saw complete, reads again until the read shows it, rather than sending it twice', async () => {
    world = await writerWorld(
      {
        buSchedules: {
          versionCheck: 'lenient',
          processingDelayMs: 0,
          answerCompleteWhenImmediate: true,
          businessUnits: [describedUnit(8)],
          faults: { staleReadRate: 1, staleReadMs: 800 },
        },
      },
      { pollSeconds: 0.1 },
    );
    const outcome = await world.write(shiftRows(8));
    expect(outcome).toEqual({ outcome: 'done', applied: 8, failures: [] });
    expect(heldShifts(world)).toHaveLength(8);
    expect(world.sim.state.stats().orgs.acme!.scheduleApi.updatesStarted).toBe(1);
  });
});

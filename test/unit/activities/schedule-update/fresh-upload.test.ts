/**
 * The Genesys writer against the simulator's `uploadKeyExpiredRate` fault: a 400 on `POST …/update` (an expired or
 * spent upload key) starts a fresh round with a new upload URL, and after a bounded number of rounds the batch's
 * rows fail with the platform's message and the rounds tried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describedUnit, shiftRows, writerWorld, type WriterWorld } from './harness';

/** With seed 14, org `acme`'s first `uploadKeyExpiredRate` draw is 0.046, the next two 0.781 and 0.646. */
const FIRST_KEY_ONLY = { seed: 14, rate: 0.5 };

/** Four shifts of four agents in schedule `s1` of business unit `bu-1`. */
const ROWS = shiftRows(4);

describe('the Genesys writer after a 400 on the update', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** Writes {@link ROWS} as one batch to a simulated org with the fault at `rate`; returns the outcome and stats. */
  async function writeOnce(seed: number, rate: number) {
    const world: WriterWorld = await writerWorld(
      {
        buSchedules: {
          processingDelayMs: 0,
          answerCompleteWhenImmediate: true,
          businessUnits: [describedUnit(ROWS.length)],
          faults: { uploadKeyExpiredRate: rate },
        },
      },
      {},
      seed,
    );
    cleanups.push(() => world.close());
    const outcome = await world.write(ROWS);
    const stats = world.sim.state.stats().orgs.acme!.scheduleApi;
    const held = world.sim.state
      .requireOrg('acme')
      .buSchedules.snapshot()
      .flatMap((schedule) => schedule.agents);
    return { outcome, stats, held };
  }

  it('lands the batch after a fresh upload round when the first update is refused 400', async () => {
    const { outcome, stats, held } = await writeOnce(FIRST_KEY_ONLY.seed, FIRST_KEY_ONLY.rate);
    expect(stats).toMatchObject({ updatesRefused: 1, uploadUrlsIssued: 2, updatesStarted: 1, updatesCompleted: 1 });
    expect(outcome).toEqual({ outcome: 'done', applied: ROWS.length, failures: [] });
    expect(held.map((agent) => agent.userId).sort()).toEqual(ROWS.map((row) => row.assignment.userId));
  });

  it('fails the rows with the platform’s message and the rounds tried when every update is refused 400', async () => {
    const { outcome, stats, held } = await writeOnce(FIRST_KEY_ONLY.seed, 1);
    // The first round and two fresh ones, none started.
    expect(stats).toMatchObject({ updatesRefused: 3, uploadUrlsIssued: 3, updatesStarted: 0 });
    expect(outcome).toMatchObject({ outcome: 'rejected', count: ROWS.length, failures: [] });
    expect(outcome.outcome === 'rejected' && outcome.reason).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringMatching(
        /answered 400: uploadKey \S+ has expired \(after 3 upload rounds, each with its own upload key\)$/,
      ) as unknown,
    });
    expect(held).toEqual([]);
  });
});

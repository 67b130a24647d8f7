/**
 * The stale-read fault: a read drawn stale answers from the schedule as it was `staleReadMs` ago, version and shifts
 * together (a schedule younger than that as it first was): the metadata GET, the agent-schedules query and its
 * download, and the week's listing. Its draws have a stream of their own, and past states are kept only as long as
 * a stale read can want them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { OrgStats, RunningSimulator, ScheduleSnapshot, UpdateOperation } from '../../tools/simulator';
import { ScheduleHistory } from '../../tools/simulator/schedules/history';
import type { BuSchedule } from '../../tools/simulator/schedules/model';
import { BU, WEEK, apiJson, newShift, putUpload, schedulePath } from './bu-schedule-helpers';
import { FakeClock, admin, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const S = 'sched-1';

interface Metadata {
  metadata: { version: number };
  managementUnits: Array<{ agents: Array<{ id: string }> }>;
}

interface Query {
  result?: { agentSchedules: Array<{ user: { id: string }; metadata: { version: number }; shifts: unknown[] }> };
  downloadUrl?: string;
}

describe('stale reads', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(faults: Record<string, unknown>, clock?: FakeClock, seed = 9): Promise<RunningSimulator> {
    const sim = await start(
      {
        seed,
        orgs: [
          {
            id: 'a',
            throttle: null,
            buSchedules: { processingDelayMs: 0, answerCompleteWhenImmediate: true, faults },
          },
        ],
      },
      clock ? { clock: clock.now } : {},
    );
    running.push(sim);
    return sim;
  }

  /** Uploads and starts an update; returns how it ended (processed at once). */
  async function update(sim: RunningSimulator, token: string, body: unknown): Promise<string> {
    const gzipped = gzipSync(JSON.stringify(body));
    const ticket = await apiJson<{ uploadKey: string; url: string; headers: Record<string, string> }>(
      sim,
      token,
      'POST',
      `${schedulePath(S)}/update/uploadurl`,
      { contentLengthBytes: gzipped.length },
    );
    expect((await putUpload(ticket.body.url, ticket.body.headers, gzipped)).status).toBe(200);
    const started = await apiJson<{ status: string }>(sim, token, 'POST', `${schedulePath(S)}/update`, {
      uploadKey: ticket.body.uploadKey,
    });
    return started.body.status;
  }

  const metadata = async (sim: RunningSimulator, token: string) =>
    (await apiJson<Metadata>(sim, token, 'GET', `${schedulePath(S)}?expand=managementUnits.agents`)).body;
  const query = async (sim: RunningSimulator, token: string, download = false) =>
    (
      await apiJson<Query>(
        sim,
        token,
        'POST',
        `${schedulePath(S)}/agentschedules/query${download ? '?forceDownloadService=true' : ''}`,
        { managementUnitId: 'mu-1' },
      )
    ).body;
  const listedVersions = async (sim: RunningSimulator, token: string) =>
    (
      await apiJson<{ entities: Array<{ metadata: { version: number } }> }>(
        sim,
        token,
        'GET',
        `/api/v2/workforcemanagement/businessunits/${BU}/weeks/${WEEK}/schedules`,
      )
    ).body.entities.map((s) => s.metadata.version);

  it('answers every read from the state of staleReadMs ago, version and shifts together', async () => {
    const clock = new FakeClock();
    const sim = await startWith({ staleReadRate: 1, staleReadMs: 10_000 }, clock);
    const token = await tokenFor(sim, 'a');
    const shiftOn = (day: number) => newShift(`2026-12-0${day}T08:00:00Z`, 60);
    expect(
      await update(sim, token, { metadata: { version: 1 }, agentSchedules: [{ userId: 'u1', shifts: [shiftOn(1)] }] }),
    ).toBe('Complete');
    clock.advance(4_000);
    const second = {
      metadata: { version: 2 },
      agentSchedules: [{ userId: 'u1', metadata: { version: 1 }, shifts: [shiftOn(2)] }],
    };
    expect(await update(sim, token, second)).toBe('Complete');
    clock.advance(3_000);

    // 10 s ago the schedule did not exist yet: as it first was, version 1 and nobody in it.
    expect(await metadata(sim, token)).toMatchObject({ metadata: { version: 1 }, managementUnits: [] });
    expect((await query(sim, token)).result?.agentSchedules).toEqual([]);
    expect(await listedVersions(sim, token)).toEqual([1]);

    // 10 s ago it held the first update: version 2, u1 at version 1 with one shift.
    clock.advance(5_000);
    expect(await metadata(sim, token)).toMatchObject({
      metadata: { version: 2 },
      managementUnits: [{ agents: [{ id: 'u1' }] }],
    });
    const stale = (await query(sim, token)).result?.agentSchedules;
    expect(stale?.map((a) => [a.user.id, a.metadata.version, a.shifts.length])).toEqual([['u1', 1, 1]]);
    const viaDownload = await query(sim, token, true);
    expect(await (await fetch(viaDownload.downloadUrl!)).json()).toMatchObject({ agentSchedules: stale });
    expect(await listedVersions(sim, token)).toEqual([2]);

    // Nothing changed in the last 10 s: the present.
    clock.advance(10_000);
    expect(await metadata(sim, token)).toMatchObject({ metadata: { version: 3 } });
    expect((await query(sim, token)).result?.agentSchedules.map((a) => [a.metadata.version, a.shifts.length])).toEqual([
      [2, 2],
    ]);

    // The present is untouched by any of it, and every read was counted stale.
    const [schedule] = (await admin<ScheduleSnapshot[]>(sim, 'GET', '/orgs/a/bu-schedules')).body;
    expect(schedule?.version).toBe(3);
    expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a?.scheduleApi).toMatchObject({ staleReadsServed: 9 });
  });

  it('reads the present with staleReadRate 0, or staleReadMs 0', async () => {
    for (const faults of [
      { staleReadRate: 0, staleReadMs: 10_000 },
      { staleReadRate: 1, staleReadMs: 0 },
    ]) {
      const sim = await startWith(faults);
      const token = await tokenFor(sim, 'a');
      expect(await update(sim, token, { metadata: { version: 1 } })).toBe('Complete');
      expect(await metadata(sim, token)).toMatchObject({ metadata: { version: 2 } });
      expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a?.scheduleApi.staleReadsServed).toBe(0);
    }
  });

  it('draws from a stream of its own: the other faults of a seed stay as they were', async () => {
    const outcomes = async (faults: Record<string, unknown>) => {
      const sim = await startWith({ errorRate: 0.5, ...faults }, undefined, 21);
      const token = await tokenFor(sim, 'a');
      const statuses: string[] = [];
      for (let i = 0; i < 12; i++) {
        await metadata(sim, token); // a read between updates: a stale draw when the fault is on
        const [current] = (await admin<ScheduleSnapshot[]>(sim, 'GET', '/orgs/a/bu-schedules')).body;
        statuses.push(await update(sim, token, { metadata: { version: current?.version ?? 1 } }));
      }
      const reasons = (await admin<UpdateOperation[]>(sim, 'GET', '/orgs/a/bu-schedules/operations')).body;
      return { statuses, reasons: reasons.map((op) => op.reason ?? null) };
    };
    const plain = await outcomes({});
    expect(plain.statuses).toContain('Error');
    expect(plain.statuses).toContain('Complete');
    expect(await outcomes({ staleReadRate: 0.5, staleReadMs: 50 })).toEqual(plain);
  });

  it('keeps past states only as long as a stale read can want them', () => {
    const history = new ScheduleHistory();
    const live = { version: 99 } as BuSchedule;
    const state = (version: number) => ({ version }) as BuSchedule;
    for (let version = 1; version <= 5; version++) history.record(live, state(version), version * 1_000, 2_500);
    // Kept: states current after 5000 − 2500 = 2500, i.e. those replaced at 3000, 4000 and 5000.
    expect(history.at(live, 0).version).toBe(3);
    expect(history.at(live, 3_500).version).toBe(4);
    expect(history.at(live, 4_999).version).toBe(5);
    expect(history.at(live, 5_000).version).toBe(99);
    // However fast the updates come, at most 500 states a schedule.
    for (let version = 6; version < 2_000; version++) history.record(live, state(version), 6_000, 1_000_000);
    expect(history.at(live, 0).version).toBe(1_500);
  });
});

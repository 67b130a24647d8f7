/**
 * A business unit's platform data over plain HTTP: the unit with its settings, its activity codes, its agents by
 * management unit and the schedules spanning a week; from the config for a described unit, from its schedules for
 * an open one; 404 for a unit the org does not know, 400 for a bad week, permissions and counters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OrgStats, RequestRecord, RunningSimulator, SimulatorConfigInput } from '../../tools/simulator';
import { BU, WEEK, apiJson, newShift, schedulePath, startUpdate, upload } from './bu-schedule-helpers';
import { admin, requestToken, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const UNIT = `/api/v2/workforcemanagement/businessunits/${BU}`;

/** Business unit `bu-1` described: Berlin time, weeks from Sunday, three codes (one inactive), two units. */
const DESCRIBED = {
  id: BU,
  name: 'Berlin',
  timeZone: 'Europe/Berlin',
  startDayOfWeek: 'Sunday' as const,
  activityCodes: [
    { id: 'work' },
    { id: 'meeting', name: 'Team meeting', category: 'Meeting' as const, countsAsPaidTime: false, lengthInMinutes: 60 },
    { id: 'old', active: false, defaultCode: true },
  ],
  managementUnits: [
    { id: 'mu-a', users: ['u1', 'u2'] },
    { id: 'mu-b', users: ['u3'] },
  ],
};

describe('business-unit platform data', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(buSchedules: Record<string, unknown>): Promise<RunningSimulator> {
    const config: SimulatorConfigInput = {
      seed: 5,
      orgs: [
        {
          id: 'a',
          throttle: null,
          buSchedules: { processingDelayMs: 0, answerCompleteWhenImmediate: true, ...buSchedules },
        },
      ],
    };
    const sim = await start(config);
    running.push(sim);
    return sim;
  }

  it('answers a described unit from the config: settings only with expand, codes, users filtered by unit', async () => {
    const sim = await startWith({ businessUnits: [DESCRIBED] });
    const token = await tokenFor(sim, 'a');

    expect((await apiJson(sim, token, 'GET', UNIT)).body).toEqual({
      id: BU,
      name: 'Berlin',
      selfUri: UNIT,
    });
    const settings = { startDayOfWeek: 'Sunday', timeZone: 'Europe/Berlin', metadata: { version: 1 } };
    for (const query of [
      'expand=settings',
      'expand=settings.timeZone,settings.startDayOfWeek',
      'expand=settings.timeZone&expand=settings.startDayOfWeek',
    ]) {
      expect((await apiJson(sim, token, 'GET', `${UNIT}?${query}`)).body).toEqual({
        id: BU,
        name: 'Berlin',
        settings,
        selfUri: UNIT,
      });
    }

    expect((await apiJson(sim, token, 'GET', `${UNIT}/activitycodes`)).body).toEqual({
      entities: [
        {
          id: 'work',
          name: 'work',
          active: true,
          defaultCode: false,
          category: 'OnQueueWork',
          countsAsPaidTime: true,
          countsAsWorkTime: true,
          metadata: { version: 1 },
          selfUri: `${UNIT}/activitycodes/work`,
        },
        {
          id: 'meeting',
          name: 'Team meeting',
          active: true,
          defaultCode: false,
          category: 'Meeting',
          lengthInMinutes: 60,
          countsAsPaidTime: false,
          countsAsWorkTime: true,
          metadata: { version: 1 },
          selfUri: `${UNIT}/activitycodes/meeting`,
        },
        expect.objectContaining({ id: 'old', active: false, defaultCode: true }) as unknown,
      ],
    });
    const viaDownload = await apiJson<{ downloadUrl: string }>(
      sim,
      token,
      'GET',
      `${UNIT}/activitycodes?forceDownloadService=true`,
    );
    expect(Object.keys(viaDownload.body)).toEqual(['downloadUrl']);
    expect(await (await fetch(viaDownload.body.downloadUrl)).json()).toEqual(
      (await apiJson(sim, token, 'GET', `${UNIT}/activitycodes`)).body,
    );

    expect((await apiJson(sim, token, 'GET', `${UNIT}/users`)).body).toEqual({
      managementUnits: [
        { managementUnit: { id: 'mu-a' }, users: [{ id: 'u1' }, { id: 'u2' }] },
        { managementUnit: { id: 'mu-b' }, users: [{ id: 'u3' }] },
      ],
    });
    expect((await apiJson(sim, token, 'GET', `${UNIT}/users?managementUnitIds=mu-b`)).body).toEqual({
      managementUnits: [{ managementUnit: { id: 'mu-b' }, users: [{ id: 'u3' }] }],
    });
    const both = await apiJson<{ managementUnits: unknown[] }>(
      sim,
      token,
      'GET',
      `${UNIT}/users?managementUnitIds=mu-b&managementUnitIds=mu-a`,
    );
    expect(both.body.managementUnits).toHaveLength(2);
    expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a?.scheduleApi.businessUnitReads).toBe(10);
  });

  it('answers an open unit from its schedules: codes they use, agents by unit, the org’s time zone', async () => {
    const sim = await startWith({ businessUnitTimeZone: 'America/New_York', autoCreate: false, initialSchedules: [] });
    const token = await tokenFor(sim, 'a');
    expect((await apiJson(sim, token, 'GET', `${UNIT}?expand=settings`)).body).toMatchObject({
      status: 404,
      code: 'not.found',
      message: `Business unit ${BU} was not found`,
    });
    expect((await apiJson(sim, token, 'GET', `${UNIT}/users`)).status).toBe(404);
    expect((await apiJson(sim, token, 'GET', `${UNIT}/weeks/${WEEK}/schedules`)).status).toBe(404);

    const seeded = await startWith({
      businessUnitTimeZone: 'America/New_York',
      autoCreate: false,
      initialSchedules: [
        {
          businessUnitId: BU,
          scheduleId: 's1',
          weekDate: WEEK,
          agents: [
            { userId: 'u2', shifts: [newShift('2026-12-01T08:00:00Z', 480, 'work')] },
            { userId: 'u1', managementUnitId: 'mu-9', shifts: [newShift('2026-12-02T08:00:00Z', 60, 'call')] },
          ],
        },
      ],
    });
    const seededToken = await tokenFor(seeded, 'a');
    expect((await apiJson(seeded, seededToken, 'GET', `${UNIT}?expand=settings`)).body).toEqual({
      id: BU,
      name: BU,
      settings: { startDayOfWeek: 'Monday', timeZone: 'America/New_York', metadata: { version: 1 } },
      selfUri: UNIT,
    });
    const codes = await apiJson<{ entities: Array<Record<string, unknown>> }>(
      seeded,
      seededToken,
      'GET',
      `${UNIT}/activitycodes`,
    );
    expect(codes.body.entities.map((code) => [code.id, code.active, code.countsAsPaidTime])).toEqual([
      ['call', true, true],
      ['work', true, true],
    ]);
    expect((await apiJson(seeded, seededToken, 'GET', `${UNIT}/users`)).body).toEqual({
      managementUnits: [
        { managementUnit: { id: 'mu-1' }, users: [{ id: 'u2' }] },
        { managementUnit: { id: 'mu-9' }, users: [{ id: 'u1' }] },
      ],
    });
  });

  it('answers an unknown unit with autoCreate on, as an open one with nothing in it', async () => {
    const sim = await startWith({});
    const token = await tokenFor(sim, 'a');
    expect((await apiJson(sim, token, 'GET', `${UNIT}/activitycodes`)).body).toEqual({ entities: [] });
    expect((await apiJson(sim, token, 'GET', `${UNIT}/users`)).body).toEqual({ managementUnits: [] });
    expect((await apiJson(sim, token, 'GET', `${UNIT}/weeks/${WEEK}/schedules`)).body).toEqual({ entities: [] });
    expect((await admin<unknown[]>(sim, 'GET', '/orgs/a/bu-schedules')).body).toEqual([]); // nothing created
  });

  it('lists every schedule spanning the week, multi-week ones included, and creates none', async () => {
    const sim = await startWith({
      autoCreate: false,
      initialSchedules: [
        { businessUnitId: BU, scheduleId: 'two-weeks', weekDate: '2026-11-23', weekCount: 2, description: 'long' },
        { businessUnitId: BU, scheduleId: 'this-week', weekDate: WEEK, published: true },
        { businessUnitId: BU, scheduleId: 'next-week', weekDate: '2026-12-07' },
        { businessUnitId: 'bu-other', scheduleId: 'elsewhere', weekDate: WEEK },
      ],
    });
    const token = await tokenFor(sim, 'a');
    const listing = await apiJson<{ entities: Array<Record<string, unknown>> }>(
      sim,
      token,
      'GET',
      `${UNIT}/weeks/${WEEK}/schedules`,
    );
    expect(listing.status).toBe(200);
    expect(listing.body.entities).toEqual([
      {
        id: 'two-weeks',
        weekDate: '2026-11-23',
        weekCount: 2,
        description: 'long',
        published: false,
        metadata: expect.objectContaining({ version: 1, modifiedBy: { id: 'System' } }) as unknown,
        selfUri: `${UNIT}/weeks/2026-11-23/schedules/two-weeks`,
      },
      expect.objectContaining({ id: 'this-week', weekDate: WEEK, weekCount: 1, published: true }) as unknown,
    ]);
    const published = await apiJson<{ entities: Array<{ id: string }> }>(
      sim,
      token,
      'GET',
      `${UNIT}/weeks/${WEEK}/schedules?includeOnlyPublished=true`,
    );
    expect(published.body.entities.map((s) => s.id)).toEqual(['this-week']);
    const later = await apiJson<{ entities: Array<{ id: string }> }>(
      sim,
      token,
      'GET',
      `${UNIT}/weeks/2026-12-14/schedules`,
    );
    expect(later.body.entities).toEqual([]);
    expect((await apiJson(sim, token, 'GET', `${UNIT}/weeks/30-11-2026/schedules`)).status).toBe(400);
    expect((await admin<unknown[]>(sim, 'GET', '/orgs/a/bu-schedules')).body).toHaveLength(4);
    expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a?.scheduleApi.weekScheduleListings).toBe(3);

    // The schedule's own metadata carries weekDate and weekCount too.
    const meta = await apiJson(sim, token, 'GET', schedulePath('two-weeks', '2026-11-23'));
    expect(meta.body).toMatchObject({ id: 'two-weeks', weekDate: '2026-11-23', weekCount: 2 });
  });

  it('puts agents new to a described unit’s schedule in the unit listing them, and answers in its time zone', async () => {
    const sim = await startWith({ businessUnits: [DESCRIBED] });
    const token = await tokenFor(sim, 'a');
    const body = {
      metadata: { version: 1 },
      agentSchedules: [
        { userId: 'u1', shifts: [newShift('2026-12-01T08:00:00Z', 480, 'work')] },
        { userId: 'u3', shifts: [newShift('2026-12-01T08:00:00Z', 480, 'work')] },
      ],
    };
    const started = await startUpdate(sim, token, 'sched', await upload(sim, token, 'sched', body));
    expect(started.body).toMatchObject({ status: 'Complete' });
    const meta = await apiJson(sim, token, 'GET', `${schedulePath('sched')}?expand=managementUnits.agents`);
    expect(meta.body).toMatchObject({
      managementUnits: [
        { managementUnit: { id: 'mu-a' }, agents: [{ id: 'u1' }] },
        { managementUnit: { id: 'mu-b' }, agents: [{ id: 'u3' }] },
      ],
    });
    const query = await apiJson(sim, token, 'POST', `${schedulePath('sched')}/agentschedules/query`, {
      managementUnitId: 'mu-b',
    });
    expect(query.body).toMatchObject({
      result: { businessUnitTimeZone: 'Europe/Berlin', agentSchedules: [{ user: { id: 'u3' } }] },
    });
  });

  it('needs a read permission (403 naming wfm:schedule:view), logs each call with its route', async () => {
    const sim = await start({
      seed: 1,
      orgs: [
        {
          id: 'a',
          throttle: null,
          clients: [
            { clientId: 'published', clientSecret: 'p', scopes: ['wfm:publishedSchedule:view'] },
            { clientId: 'legacy', clientSecret: 'l', scopes: ['wfm:schedule:write'] },
          ],
          buSchedules: { businessUnits: [DESCRIBED] },
        },
      ],
    });
    running.push(sim);
    const tokenOf = async (clientId: string, secret: string) =>
      ((await (await requestToken(sim, clientId, secret)).json()) as { access_token: string }).access_token;
    const published = await tokenOf('published', 'p');
    const legacy = await tokenOf('legacy', 'l');
    expect((await apiJson(sim, published, 'GET', UNIT)).status).toBe(200);
    for (const path of [UNIT, `${UNIT}/activitycodes`, `${UNIT}/users`, `${UNIT}/weeks/${WEEK}/schedules`]) {
      expect((await apiJson(sim, legacy, 'GET', path)).body).toMatchObject({
        status: 403,
        code: 'missing.any.permissions',
        message: expect.stringContaining('[wfm:schedule:view]') as unknown,
      });
    }
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
    expect(log.map((r) => [r.route, r.status])).toEqual([
      ['GET businessunits/{id}', 200],
      ['GET businessunits/{id}', 403],
      ['GET businessunits/{id}/activitycodes', 403],
      ['GET businessunits/{id}/users', 403],
      ['GET businessunits/{id}/weeks/{weekId}/schedules', 403],
    ]);
  });

  it('validates businessUnits, naming each bad field', async () => {
    await expect(
      start({
        orgs: [
          {
            id: 'a',
            buSchedules: {
              businessUnits: [
                {
                  id: BU,
                  timeZone: 'Mars/Olympus',
                  startDayOfWeek: 'Someday',
                  activityCodes: [{ id: 'w' }, { id: 'w', category: 'Nap' }],
                  managementUnits: [
                    { id: 'm1', users: ['u1'] },
                    { id: 'm2', users: ['u1'] },
                  ],
                },
                { id: BU },
              ],
            },
          },
        ] as SimulatorConfigInput['orgs'],
      }),
    ).rejects.toThrow(
      new RegExp(
        [
          'businessUnits\\[0\\]\\.timeZone: is not an IANA time zone',
          'businessUnits\\[0\\]\\.startDayOfWeek',
          'businessUnits\\[0\\]\\.activityCodes\\[1\\]\\.category',
        ].join('[\\s\\S]*'),
      ),
    );
    await expect(
      start({
        orgs: [
          {
            id: 'a',
            buSchedules: {
              businessUnits: [
                {
                  id: BU,
                  activityCodes: [{ id: 'w' }, { id: 'w' }],
                  managementUnits: [
                    { id: 'm1', users: ['u1'] },
                    { id: 'm2', users: ['u1'] },
                  ],
                },
                { id: BU },
              ],
            },
          },
        ],
      }),
    ).rejects.toThrow(
      new RegExp(
        [
          'businessUnits\\[0\\]\\.activityCodes\\[1\\]\\.id: duplicate code "w"',
          'businessUnits\\[0\\]\\.managementUnits\\[1\\]\\.users\\[0\\]: user "u1" is also in management unit "m1"',
          'businessUnits\\[1\\]\\.id: duplicate business unit "bu-1"',
        ].join('[\\s\\S]*'),
      ),
    );
  });
});

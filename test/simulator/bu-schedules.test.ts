/**
 * The simulated schedule-update API over plain HTTP: version enforcement and atomicity, merge semantics,
 * single-use upload keys, the upload URL's checks, permissions, the shared throttle, and its fault switches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type {
  OrgStats,
  RequestRecord,
  RunningSimulator,
  ScheduleSnapshot,
  SimulatorConfigInput,
  UpdateOperation,
} from '../../tools/simulator';
import {
  BU,
  SocketProbe,
  WEEK,
  api,
  apiJson,
  newShift,
  putUpload,
  schedulePath,
  startUpdate,
  subscribedChannel,
  untilUpdatesFinished,
  upload,
  uploadUrl,
} from './bu-schedule-helpers';
import { parseSimulatorConfig } from '../../tools/simulator';
import { FakeClock, admin, rateLimitedBody, requestToken, sleep, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const S = 'sched-1';

describe('simulated schedule-update API', () => {
  const running: RunningSimulator[] = [];
  const sockets: SocketProbe[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(config: SimulatorConfigInput, clock?: FakeClock): Promise<RunningSimulator> {
    const sim = await start(config, clock ? { clock: clock.now } : {});
    running.push(sim);
    return sim;
  }

  /** One unthrottled org `a` whose updates finish after 20 ms. */
  function oneOrg(buSchedules: Record<string, unknown> = {}): SimulatorConfigInput {
    return { seed: 3, orgs: [{ id: 'a', throttle: null, buSchedules: { processingDelayMs: 20, ...buSchedules } }] };
  }

  async function listen(sim: RunningSimulator, token: string): Promise<SocketProbe> {
    const channel = await subscribedChannel(sim, token);
    const socket = await SocketProbe.connect(channel.connectUri);
    sockets.push(socket);
    return socket;
  }

  const readBack = async (sim: RunningSimulator, orgId = 'a') =>
    (await admin<ScheduleSnapshot[]>(sim, 'GET', `/orgs/${orgId}/bu-schedules`)).body;
  const operations = async (sim: RunningSimulator) =>
    (await admin<UpdateOperation[]>(sim, 'GET', '/orgs/a/bu-schedules/operations')).body;
  const scheduleStats = async (sim: RunningSimulator) =>
    (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a!.scheduleApi;

  /** Uploads a body, starts the update, waits for its event. */
  async function update(sim: RunningSimulator, token: string, socket: SocketProbe, body: unknown) {
    const started = await startUpdate(sim, token, S, await upload(sim, token, S, body));
    expect(started.status).toBe(200);
    return (await socket.eventOf(started.body.operationId)).eventBody;
  }

  /** The query answer's agent schedules of mu-1. */
  async function agentSchedules(sim: RunningSimulator, token: string) {
    const answer = await apiJson<{ result: { agentSchedules: Array<Record<string, unknown>> } }>(
      sim,
      token,
      'POST',
      `${schedulePath(S)}/agentschedules/query`,
      { managementUnitId: 'mu-1' },
    );
    expect(answer.status).toBe(200);
    return answer.body.result.agentSchedules;
  }

  it('enforces the schedule version: a stale upload ends Error without a reason and changes nothing', async () => {
    const sim = await startWith(oneOrg());
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    const first = await update(sim, token, socket, {
      metadata: { version: 1 },
      agentSchedules: [{ userId: 'u1', shifts: [newShift('2026-12-01T08:00:00Z')] }],
    });
    expect(first).toMatchObject({ status: 'Complete', result: { metadata: { version: 2 } } });
    const before = await readBack(sim);

    // Built from the same (now old) read: version 1 again.
    const stale = await update(sim, token, socket, {
      metadata: { version: 1 },
      agentSchedules: [{ userId: 'u2', shifts: [newShift('2026-12-02T08:00:00Z')] }],
    });
    expect(stale).toEqual({ status: 'Error', operationId: expect.any(String) as unknown, eventType: 'Update' });
    expect(await readBack(sim)).toEqual(before);
    const ops = await operations(sim);
    expect(ops.map((op) => [op.status, op.reason ?? null])).toEqual([
      ['Complete', null],
      ['Error', 'schedule-version'],
    ]);
    expect(ops[1]?.message).toBe('schedule metadata.version 1 is stale, current 2');
    expect(await scheduleStats(sim)).toMatchObject({
      updatesStarted: 2,
      updatesCompleted: 1,
      updatesErrored: 1,
      updatesConflicted: 1,
      updateErrorReasons: { 'schedule-version': 1 },
    });
  });

  it('enforces agent versions, all or nothing: missing or stale for an agent in the schedule, given for a new one', async () => {
    const sim = await startWith(oneOrg());
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    await update(sim, token, socket, {
      metadata: { version: 1 },
      agentSchedules: [{ userId: 'u1', shifts: [newShift('2026-12-01T08:00:00Z')] }],
    });
    const before = await readBack(sim);
    expect(before[0]?.agents.map((a) => [a.userId, a.version])).toEqual([['u1', 1]]);

    const attempts = [
      // u1 is in the schedule but comes without its version; u2 would be new (and valid): nothing may land.
      [
        { userId: 'u1', shifts: [newShift('2026-12-03T08:00:00Z')] },
        { userId: 'u2', shifts: [newShift('2026-12-03T08:00:00Z')] },
      ],
      [{ userId: 'u1', metadata: { version: 7 }, shifts: [newShift('2026-12-03T08:00:00Z')] }],
      [{ userId: 'u3', metadata: { version: 1 }, shifts: [newShift('2026-12-03T08:00:00Z')] }],
      [{ userId: 'u1', metadata: { version: 1 }, shifts: [{ id: 'no-such-shift', delete: true }] }],
    ];
    for (const agentSchedules of attempts) {
      const event = await update(sim, token, socket, { metadata: { version: 2 }, agentSchedules });
      expect(event.status).toBe('Error');
      expect(event).not.toHaveProperty('result');
    }
    expect(await readBack(sim)).toEqual(before);
    expect((await operations(sim)).slice(1).map((op) => op.reason)).toEqual([
      'agent-version',
      'agent-version',
      'agent-not-in-schedule',
      'unknown-shift',
    ]);
    expect(await scheduleStats(sim)).toMatchObject({ updatesErrored: 4, updatesConflicted: 2 });
  });

  it('merges: adds shifts without id, replaces and deletes by id, keeps the rest; deletes agents; versions go up by one', async () => {
    const sim = await startWith(oneOrg());
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    await update(sim, token, socket, {
      metadata: { version: 1 },
      agentSchedules: [
        { userId: 'u1', shifts: [newShift('2026-12-01T08:00:00Z'), newShift('2026-12-02T08:00:00Z')] },
        { userId: 'u2', shifts: [newShift('2026-12-01T09:00:00Z')] },
      ],
    });
    const [u1, u2] = await agentSchedules(sim, token);
    const [monday, tuesday] = u1!.shifts as Array<{ id: string }>;
    expect(monday!.id).not.toBe(tuesday!.id);

    const event = await update(sim, token, socket, {
      metadata: { version: 2 },
      description: 'merged',
      agentSchedules: [
        {
          userId: 'u1',
          metadata: { version: 1 },
          shifts: [
            { id: monday!.id, ...newShift('2026-12-01T10:00:00Z', 240, 'meeting') },
            { id: tuesday!.id, delete: true },
            newShift('2026-12-04T08:00:00Z'),
          ],
        },
        { userId: 'u2', metadata: { version: 1 }, delete: true },
        { userId: 'u3', shifts: [newShift('2026-12-05T08:00:00Z')] },
      ],
    });
    expect(event).toMatchObject({
      status: 'Complete',
      result: {
        description: 'merged',
        metadata: { version: 3 },
        managementUnits: [
          { managementUnit: { id: 'mu-1' }, agentCount: 3, agents: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }] },
        ],
      },
    });
    expect(u2).toBeDefined();
    const [schedule] = await readBack(sim);
    expect(schedule).toMatchObject({ version: 3, description: 'merged', modifiedBy: 'a-client' });
    const shiftsOf = (userId: string) =>
      schedule!.agents.find((a) => a.userId === userId)?.shifts.map((s) => [s.startDate, s.lengthMinutes]);
    expect(schedule!.agents.map((a) => [a.userId, a.version])).toEqual([
      ['u1', 2],
      ['u3', 1],
    ]);
    expect(shiftsOf('u1')).toEqual([
      ['2026-12-01T10:00:00Z', 240],
      ['2026-12-04T08:00:00Z', 480],
    ]);
    expect(schedule!.agents[0]!.shifts[0]).toMatchObject({
      id: monday!.id,
      activities: [{ activityCodeId: 'meeting' }],
    });
    expect(shiftsOf('u3')).toEqual([['2026-12-05T08:00:00Z', 480]]);
  });

  it('keeps upload keys single-use and refuses unknown, foreign and not-uploaded ones with 400', async () => {
    const sim = await startWith(oneOrg());
    const token = await tokenFor(sim, 'a');
    const key = await upload(sim, token, S, { metadata: { version: 1 } });
    expect((await startUpdate(sim, token, S, key)).status).toBe(200);
    const again = await startUpdate(sim, token, S, key);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'bad.request', message: `uploadKey ${key} was already used` });

    expect((await startUpdate(sim, token, S, 'made-up')).body).toMatchObject({
      message: 'uploadKey made-up is unknown',
    });
    const gzipped = gzipSync('{"metadata":{"version":2}}');
    const notUploaded = (await uploadUrl(sim, token, S, gzipped)).uploadKey;
    expect((await startUpdate(sim, token, S, notUploaded)).body).toMatchObject({
      message: `nothing was uploaded for uploadKey ${notUploaded}`,
    });
    const foreign = await upload(sim, token, 'sched-2', { metadata: { version: 1 } });
    expect((await startUpdate(sim, token, S, foreign)).body).toMatchObject({
      message: `uploadKey ${foreign} was issued for another schedule`,
    });
    // A body without an uploadKey.
    const missingBody = await api(sim, token, 'POST', `${schedulePath(S)}/update`, {});
    expect(missingBody.status).toBe(400);
    expect(await scheduleStats(sim)).toMatchObject({ updatesStarted: 1, updatesRefused: 5 });
  });

  it('checks the upload PUT: signature, expiry, signed headers, declared length, gzip, JSON and the schema', async () => {
    const clock = new FakeClock();
    const sim = await startWith(oneOrg({ uploadTtlMs: 60_000 }), clock);
    const token = await tokenFor(sim, 'a');
    const good = gzipSync(JSON.stringify({ metadata: { version: 1 } }));
    const ticket = await uploadUrl(sim, token, S, good);
    const headers = ticket.headers;

    const refusals: Array<[string, () => Promise<Response>, number, RegExp]> = [
      [
        'signature',
        () => putUpload(ticket.url.replace(/signature=[^&]+/, 'signature=forged'), headers, good),
        403,
        /SignatureDoesNotMatch/,
      ],
      [
        'expiry moved',
        () => putUpload(ticket.url.replace(/expires=\d+/, `expires=${clock.nowMs + 10 ** 9}`), headers, good),
        403,
        /SignatureDoesNotMatch/,
      ],
      [
        'encoding',
        () => putUpload(ticket.url, { 'Content-Type': 'application/json' }, good),
        403,
        /Content-Encoding must be "gzip", got none/,
      ],
      [
        'type',
        () => putUpload(ticket.url, { ...headers, 'Content-Type': 'text/plain' }, good),
        403,
        /Content-Type must be "application\/json", got "text\/plain"/,
      ],
      [
        'length',
        () => putUpload(ticket.url, headers, Buffer.concat([good, Buffer.from([0])])),
        400,
        new RegExp(`has ${good.length + 1} bytes but contentLengthBytes was declared as ${good.length}`),
      ],
    ];
    for (const [what, send, status, text] of refusals) {
      const answer = await send();
      expect(answer.status, what).toBe(status);
      expect(await answer.text(), what).toMatch(text);
    }

    const bodyRefusals: Array<[Buffer, RegExp]> = [
      [Buffer.from('not gzip at all'), /not valid gzip/],
      [gzipSync('{"metadata":'), /not JSON/],
      [gzipSync(JSON.stringify({ agentSchedules: [] })), /metadata: /],
      [
        gzipSync(
          JSON.stringify({
            metadata: { version: 1 },
            agentSchedules: [
              {
                userId: 'u1',
                shifts: [
                  {
                    startDate: '2026-12-01T08:00:00Z',
                    lengthMinutes: 60,
                    activities: [{ startDate: '2026-12-01T08:00:00Z', lengthMinutes: 60, activityCodeId: 'x' }],
                  },
                  { delete: true },
                ],
              },
            ],
          }),
        ),
        /agentSchedules\[0\]\.shifts\[0\]\.activities\[0\]\.description: is required.*agentSchedules\[0\]\.shifts\[1\]\.id: is required with delete/,
      ],
    ];
    for (const [bytes, text] of bodyRefusals) {
      const own = await uploadUrl(sim, token, S, bytes);
      const answer = await putUpload(own.url, own.headers, bytes);
      expect(answer.status).toBe(400);
      expect(await answer.text()).toMatch(text);
    }

    expect((await putUpload(ticket.url, headers, good)).status).toBe(200);
    expect((await putUpload(ticket.url, headers, good)).status).toBe(200); // a second PUT replaces the body
    clock.advance(60_000);
    const expired = await putUpload(ticket.url, headers, good);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Message>Request has expired</Message>');
    expect((await startUpdate(sim, token, S, ticket.uploadKey)).status).toBe(200); // the body PUT in time still counts

    const tooBig = await apiJson(sim, token, 'POST', `${schedulePath(S)}/update/uploadurl`, {
      contentLengthBytes: 10 * 1024 * 1024 + 1,
    });
    expect(tooBig).toMatchObject({ status: 400, body: { message: /exceeds the maximum of 10485760 bytes/ } });
    for (const contentLengthBytes of [0, 1.5, '12']) {
      const bad = await api(sim, token, 'POST', `${schedulePath(S)}/update/uploadurl`, { contentLengthBytes });
      expect(bad.status).toBe(400);
    }
    expect(await scheduleStats(sim)).toMatchObject({
      uploadsAccepted: 2,
      uploadsRefused: 10,
      uploadRefusalReasons: {
        'bad-signature': 2,
        'missing-header': 2,
        'wrong-length': 1,
        'not-gzip': 1,
        'not-json': 1,
        'invalid-body': 2,
        expired: 1,
      },
    });
  });

  it('answers 401 without a token, 403 missing.any.permissions without the permission, 404 for another week', async () => {
    const sim = await startWith({
      seed: 1,
      orgs: [
        {
          id: 'a',
          throttle: null,
          clients: [
            { clientId: 'viewer', clientSecret: 'v', scopes: ['wfm:schedule:view'] },
            { clientId: 'legacy', clientSecret: 'l', scopes: ['wfm:schedule:write'] },
          ],
        },
      ],
    });
    const viewer = ((await (await requestToken(sim, 'viewer', 'v')).json()) as { access_token: string }).access_token;
    const legacy = ((await (await requestToken(sim, 'legacy', 'l')).json()) as { access_token: string }).access_token;

    expect((await api(sim, 'no-such-token', 'GET', schedulePath(S))).status).toBe(401);
    expect((await apiJson(sim, viewer, 'GET', schedulePath(S))).status).toBe(200);
    const write = await apiJson(sim, viewer, 'POST', `${schedulePath(S)}/update/uploadurl`, { contentLengthBytes: 5 });
    expect(write).toMatchObject({
      status: 403,
      body: {
        code: 'missing.any.permissions',
        message:
          'Unable to perform the requested action. You are missing the following permission(s): [wfm:schedule:edit]',
      },
    });
    expect((await apiJson(sim, legacy, 'GET', schedulePath(S))).body).toMatchObject({
      status: 403,
      message: expect.stringContaining('[wfm:schedule:view]') as unknown,
    });
    expect((await api(sim, legacy, 'POST', `${schedulePath(S)}/update`, { uploadKey: 'x' })).status).toBe(403);

    expect((await apiJson(sim, viewer, 'GET', schedulePath(S, '2026-12-07'))).body).toMatchObject({
      status: 404,
      code: 'not.found',
    });
    expect((await apiJson(sim, viewer, 'GET', schedulePath(S, '30-11-2026'))).status).toBe(400);
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
    expect(log.map((r) => [r.route, r.status])).toEqual([
      ['GET schedules/{id}', 200],
      ['POST schedules/{id}/update/uploadurl', 403],
      ['GET schedules/{id}', 403],
      ['POST schedules/{id}/update', 403],
      ['GET schedules/{id}', 404],
      ['GET schedules/{id}', 400],
    ]);
  });

  it('creates nothing on first touch with autoCreate off, but serves the configured initial schedules', async () => {
    const sim = await startWith(
      oneOrg({
        autoCreate: false,
        businessUnitTimeZone: 'Europe/Berlin',
        initialSchedules: [
          {
            businessUnitId: BU,
            scheduleId: S,
            weekDate: WEEK,
            weekCount: 2,
            agents: [
              { userId: 'u1', shifts: [{ id: 'shift-1', ...newShift('2026-12-01T08:00:00.000Z') }] },
              { userId: 'u9', managementUnitId: 'mu-9' },
            ],
          },
        ],
      }),
    );
    const token = await tokenFor(sim, 'a');
    expect((await api(sim, token, 'GET', schedulePath('unknown'))).status).toBe(404);
    const meta = await apiJson(sim, token, 'GET', `${schedulePath(S)}?expand=managementUnits.agents`);
    expect(meta.body).toMatchObject({
      weekCount: 2,
      metadata: { version: 1 },
      managementUnits: [
        { managementUnit: { id: 'mu-1' }, agentCount: 1, agents: [{ id: 'u1' }] },
        { managementUnit: { id: 'mu-9' }, agentCount: 1, agents: [{ id: 'u9' }] },
      ],
    });
    const plain = await apiJson<{ managementUnits: Array<{ agents: unknown[] }> }>(sim, token, 'GET', schedulePath(S));
    expect(plain.body.managementUnits.map((mu) => mu.agents)).toEqual([[], []]); // agents only with the expand
    const query = await apiJson(sim, token, 'POST', `${schedulePath(S)}/agentschedules/query`, {
      managementUnitId: 'mu-1',
    });
    expect(query.body).toMatchObject({
      result: {
        businessUnitTimeZone: 'Europe/Berlin',
        agentSchedules: [{ user: { id: 'u1' }, metadata: { version: 1 }, shifts: [{ id: 'shift-1' }] }],
      },
    });
    expect((await api(sim, token, 'POST', `${schedulePath(S)}/agentschedules/query`, {})).status).toBe(400);
    expect(await scheduleStats(sim)).toMatchObject({ schedules: 1, schedulesAutoCreated: 0 });
  });

  it('throttles every call with the org’s one bucket: 429 + Retry-After, violations in the log like PUTs', async () => {
    const clock = new FakeClock();
    const sim = await startWith(
      {
        seed: 1,
        violationGraceMs: 5,
        orgs: [{ id: 'a', schedules: ['a-s1'], throttle: { burst: 3, refillPerSecond: 0.5 } }],
      },
      clock,
    );
    const token = await tokenFor(sim, 'a');
    expect((await api(sim, token, 'GET', schedulePath(S))).status).toBe(200);
    expect((await api(sim, token, 'POST', '/api/v2/notifications/channels')).status).toBe(200);
    const assignment = { id: 'x', userId: 'u1', start: '2026-12-01T08:00:00Z', end: '2026-12-01T16:00:00Z' };
    const put = () =>
      fetch(`${sim.url}/api/v2/wfm/schedules/a-s1/assignments`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ assignments: [assignment] }),
      });
    expect((await put()).status).toBe(200); // the third token of the same bucket

    const refused = await apiJson(sim, token, 'POST', `${schedulePath(S)}/update/uploadurl`, { contentLengthBytes: 9 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body).toEqual(rateLimitedBody(2));
    clock.advance(5); // past the grace: the window is known
    expect((await api(sim, token, 'POST', `${schedulePath(S)}/update`, { uploadKey: 'k' })).status).toBe(429);
    expect((await put()).status).toBe(429);
    expect((await api(sim, token, 'GET', schedulePath(S))).status).toBe(429);
    clock.advance(2_000);
    expect(
      (await api(sim, token, 'POST', `${schedulePath(S)}/agentschedules/query`, { managementUnitId: 'mu-1' })).status,
    ).toBe(200);

    const stats = (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a;
    expect(stats).toMatchObject({ putRequests: 8, status2xx: 4, status429: 4, violations: 3 });
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
    expect(log.map((r) => [r.route ?? 'assignments PUT', r.status, r.violation])).toEqual([
      ['GET schedules/{id}', 200, false],
      ['POST notifications/channels', 200, false],
      ['assignments PUT', 200, false],
      ['POST schedules/{id}/update/uploadurl', 429, false],
      ['POST schedules/{id}/update', 429, true],
      ['assignments PUT', 429, true],
      ['GET schedules/{id}', 429, true],
      ['POST schedules/{id}/agentschedules/query', 200, false],
    ]);
  });

  it('answers Complete with the result at once when configured, and still publishes the event', async () => {
    const sim = await startWith(oneOrg({ processingDelayMs: 0, answerCompleteWhenImmediate: true }));
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    const started = await startUpdate(sim, token, S, await upload(sim, token, S, { metadata: { version: 1 } }));
    expect(started.body).toMatchObject({ status: 'Complete', result: { id: S, metadata: { version: 2 } } });
    expect((await socket.eventOf(started.body.operationId)).eventBody.status).toBe('Complete');
    const stale = await startUpdate(sim, token, S, await upload(sim, token, S, { metadata: { version: 1 } }));
    expect(stale.body).toEqual({ status: 'Error', operationId: expect.any(String) as unknown, eventType: 'Update' });
  });

  it('lets another editor change the schedule before a conflictRate share of updates is processed', async () => {
    const sim = await startWith(oneOrg({ faults: { conflictRate: 1 } }));
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    const body = {
      metadata: { version: 1 },
      agentSchedules: [{ userId: 'u1', shifts: [newShift('2026-12-01T08:00:00Z')] }],
    };
    expect(await update(sim, token, socket, body)).toMatchObject({ status: 'Error' });
    const [schedule] = await readBack(sim);
    expect(schedule).toMatchObject({ version: 2 }); // the other editor's change, not ours
    expect(schedule!.agents.map((agent) => agent.userId)).toEqual(['conflict-1']);
    expect(await scheduleStats(sim)).toMatchObject({
      updatesConflicted: 1,
      updateErrorReasons: { 'schedule-version': 1 },
    });
  });

  it('answers an uploadKeyExpiredRate share of usable updates 400 without starting them or spending the key', async () => {
    const sim = await startWith(oneOrg({ faults: { uploadKeyExpiredRate: 1 } }));
    const token = await tokenFor(sim, 'a');
    const key = await upload(sim, token, S, { metadata: { version: 1 } });
    const refused = await startUpdate(sim, token, S, key);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'bad.request', message: `uploadKey ${key} has expired` });
    // Unknown keys are refused for what they are, without a draw.
    expect((await startUpdate(sim, token, S, 'made-up')).body).toMatchObject({
      message: 'uploadKey made-up is unknown',
    });
    await admin(sim, 'PUT', '/orgs/a/bu-schedules/faults', {});
    expect((await startUpdate(sim, token, S, key)).status).toBe(200);
    expect(await scheduleStats(sim)).toMatchObject({ updatesStarted: 1, updatesRefused: 2 });
  });

  it('injects faults: Error without applying, applied without event, lost answer with the update still applied', async () => {
    const sim = await startWith(oneOrg({ faults: { errorRate: 1 } }));
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    const body = (version: number) => ({
      metadata: { version },
      agentSchedules: [{ userId: `u${version}`, shifts: [newShift('2026-12-01T08:00:00Z')] }],
    });
    expect(await update(sim, token, socket, body(1))).toMatchObject({ status: 'Error' });
    expect((await readBack(sim))[0]).toMatchObject({ version: 1, agents: [] });

    const set = await admin(sim, 'PUT', '/orgs/a/bu-schedules/faults', { dropEventRate: 1 });
    expect(set).toMatchObject({ status: 200, body: { orgId: 'a', faults: { dropEventRate: 1, errorRate: 0 } } });
    const silent = await startUpdate(sim, token, S, await upload(sim, token, S, body(1)));
    await untilUpdatesFinished(sim, 'a', 2);
    await sleep(30); // an event, were one sent, would be here by now
    expect(socket.events.find((e) => e.eventBody.operationId === silent.body.operationId)).toBeUndefined();
    expect((await readBack(sim))[0]).toMatchObject({ version: 2, agents: [{ userId: 'u1' }] });

    await admin(sim, 'PUT', '/orgs/a/bu-schedules/faults', { loseUpdateAnswerRate: 1 });
    const key = await upload(sim, token, S, body(2));
    await expect(startUpdate(sim, token, S, key)).rejects.toThrow(); // the connection is reset
    await socket.until(() => socket.events.length === 2, 5_000, 'the event of the lost answer');
    expect(socket.events[1]?.eventBody).toMatchObject({ status: 'Complete', result: { metadata: { version: 3 } } });
    expect((await readBack(sim))[0]?.agents.map((a) => a.userId)).toEqual(['u1', 'u2']);

    const ops = await operations(sim);
    expect(ops.map((op) => [op.status, op.reason ?? null, op.eventDropped, op.answerLost])).toEqual([
      ['Error', 'injected', false, false],
      ['Complete', null, true, false],
      ['Complete', null, false, true],
    ]);
    expect(await scheduleStats(sim)).toMatchObject({
      updatesErrored: 1,
      updatesConflicted: 0,
      updateErrorReasons: { injected: 1 },
      eventsPublished: 3,
      eventsDropped: 1,
      updateAnswersLost: 1,
    });
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
    expect(log.filter((r) => r.route === 'POST schedules/{id}/update').map((r) => r.status)).toEqual([
      200,
      200,
      'reset',
    ]);
    const config = (await admin<{ orgs: Array<{ buSchedules?: { faults: unknown } }> }>(sim, 'GET', '/config')).body;
    expect(config.orgs[0]?.buSchedules?.faults).toMatchObject({ loseUpdateAnswerRate: 1 });
  });

  it('draws faults from the seeded PRNG: the same seed gives the same outcomes', async () => {
    async function outcomes(seed: number): Promise<string[]> {
      const sim = await startWith({
        seed,
        orgs: [
          {
            id: 'a',
            throttle: null,
            buSchedules: { processingDelayMs: 0, answerCompleteWhenImmediate: true, faults: { errorRate: 0.5 } },
          },
        ],
      });
      const token = await tokenFor(sim, 'a');
      const statuses: string[] = [];
      let version = 1;
      for (let i = 0; i < 12; i++) {
        const started = await startUpdate(sim, token, S, await upload(sim, token, S, { metadata: { version } }));
        statuses.push(started.body.status);
        if (started.body.status === 'Complete') version++;
      }
      return statuses;
    }
    const first = await outcomes(99);
    expect(first).toContain('Error');
    expect(first).toContain('Complete');
    expect(await outcomes(99)).toEqual(first);
  });

  it('validates buSchedules in the org config, naming each bad field', () => {
    expect(() =>
      parseSimulatorConfig({
        orgs: [
          {
            id: 'a',
            buSchedules: {
              processingDelayMs: -1,
              businessUnitTimeZone: 'Mars/Olympus',
              faults: { errorRate: 2, typo: true },
              initialSchedules: [{ businessUnitId: 'b', scheduleId: 's', weekDate: '2026-02-30' }],
            },
          },
        ],
      }),
    ).toThrow(
      new RegExp(
        [
          'orgs\\[0\\]\\.buSchedules\\.businessUnitTimeZone: is not an IANA time zone',
          'orgs\\[0\\]\\.buSchedules\\.processingDelayMs',
          'orgs\\[0\\]\\.buSchedules\\.initialSchedules\\[0\\]\\.weekDate: is not a calendar date',
          'orgs\\[0\\]\\.buSchedules\\.faults\\.errorRate',
        ].join('[\\s\\S]*'),
      ),
    );
    expect(parseSimulatorConfig({ orgs: [{ id: 'a' }] }).orgs[0]?.buSchedules).toBeUndefined(); // defaults at runtime
  });

  it('drops schedules, channels, sockets and pending updates on reset', async () => {
    const sim = await startWith(oneOrg({ processingDelayMs: 60_000 }));
    const token = await tokenFor(sim, 'a');
    const socket = await listen(sim, token);
    await startUpdate(sim, token, S, await upload(sim, token, S, { metadata: { version: 1 } }));
    expect(await readBack(sim)).toHaveLength(1);
    expect((await admin(sim, 'POST', '/reset')).status).toBe(200);
    await socket.until(() => socket.closed !== undefined, 2_000, 'the socket to be dropped');
    expect(await readBack(sim)).toEqual([]);
    expect((await admin<unknown[]>(sim, 'GET', '/orgs/a/bu-schedules/channels')).body).toEqual([]);
    expect(await operations(sim)).toEqual([]);
  });
});

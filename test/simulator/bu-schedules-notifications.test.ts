/**
 * The simulated notifications API and channel WebSockets: heartbeats, ping/pong, delivery only to open sockets of
 * subscribed channels (events while nobody listens are lost), topic permissions, the per-client channel limit,
 * refused upgrades, server-side closes with and without the socket_closing notice, and a prompt shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import type { ChannelSnapshot, OrgStats, RunningSimulator, SimulatorConfigInput } from '../../tools/simulator';
import {
  SocketProbe,
  TOPIC,
  api,
  apiJson,
  newShift,
  startUpdate,
  subscribedChannel,
  untilUpdatesFinished,
  upload,
} from './bu-schedule-helpers';
import { admin, requestToken, sleep, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const S = 'sched-n';
const CHANNELS = '/api/v2/notifications/channels';

/** Status of a WebSocket upgrade request, read raw (a refused upgrade is a plain HTTP answer). */
function upgradeStatus(uri: string): Promise<number> {
  const url = new URL(uri.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('simulated notifications API and channel WebSockets', () => {
  const running: RunningSimulator[] = [];
  const sockets: SocketProbe[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(buSchedules: Record<string, unknown> = {}, extra: SimulatorConfigInput = {}) {
    const sim = await start({
      seed: 5,
      orgs: [
        { id: 'a', throttle: null, buSchedules: { processingDelayMs: 10, ...buSchedules } },
        { id: 'b', throttle: null },
      ],
      ...extra,
    });
    running.push(sim);
    return sim;
  }

  async function connect(uri: string): Promise<SocketProbe> {
    const socket = await SocketProbe.connect(uri);
    sockets.push(socket);
    return socket;
  }

  const scheduleStats = async (sim: RunningSimulator, orgId = 'a') =>
    (await admin<Stats>(sim, 'GET', '/stats')).body.orgs[orgId]!.scheduleApi;

  /** Uploads a one-shift body for a new agent at the current version and starts the update. */
  async function addAgent(sim: RunningSimulator, token: string, userId: string, version: number) {
    const body = { metadata: { version }, agentSchedules: [{ userId, shifts: [newShift('2026-12-01T08:00:00Z')] }] };
    const started = await startUpdate(sim, token, S, await upload(sim, token, S, body));
    expect(started.status).toBe(200);
    return started.body.operationId;
  }

  it('sends heartbeats every heartbeatIntervalMs and answers {"message":"ping"} with a pong', async () => {
    const sim = await startWith({ heartbeatIntervalMs: 40 });
    const token = await tokenFor(sim, 'a');
    const socket = await connect((await subscribedChannel(sim, token)).connectUri);
    socket.socket.send(JSON.stringify({ message: 'ping' }));
    socket.socket.send('not json'); // ignored
    await socket.until(
      () => socket.messages.filter((m) => m.eventBody.message === 'WebSocket Heartbeat').length >= 3,
      2_000,
      'three heartbeats',
    );
    expect(socket.messages).toContainEqual({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
    expect(socket.messages).toContainEqual({
      topicName: 'channel.metadata',
      eventBody: { message: 'WebSocket Heartbeat' },
    });
    expect(socket.messages.filter((m) => m.eventBody.message === 'pong')).toHaveLength(1);
    const stats = await scheduleStats(sim);
    expect(stats.pongsSent).toBe(1);
    expect(stats.heartbeatsSent).toBeGreaterThanOrEqual(3);
    expect(stats).toMatchObject({ socketsOpened: 1, socketsOpen: 1 });
  });

  it('loses events while no socket is connected (no replay), delivers to open subscribed sockets only', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    const channel = await subscribedChannel(sim, token);
    const other = await subscribedChannel(sim, token, ['v2.workforcemanagement.businessunits.other-bu.schedules']);
    const otherSocket = await connect(other.connectUri);

    const unheard = await addAgent(sim, token, 'u1', 1);
    await untilUpdatesFinished(sim, 'a', 1); // processed while nobody listens on the topic
    const socket = await connect(channel.connectUri);
    const heard = await addAgent(sim, token, 'u2', 2);
    const event = await socket.eventOf(heard);
    expect(event.eventBody).toMatchObject({ status: 'Complete', result: { metadata: { version: 3 } } });
    await sleep(50);
    expect(socket.events.map((e) => e.eventBody.operationId)).toEqual([heard]);
    expect(socket.events.find((e) => e.eventBody.operationId === unheard)).toBeUndefined();
    expect(otherSocket.events).toEqual([]);
    expect(await scheduleStats(sim)).toMatchObject({ eventsPublished: 2, eventsSent: 1, eventsUndelivered: 1 });
  });

  it('needs wfm:schedule:view (or edit) for a schedules topic: 403, or Rejected with ignoreErrors', async () => {
    const sim = await startWith(
      {},
      {
        orgs: [
          {
            id: 'a',
            throttle: null,
            clients: [
              { clientId: 'bare', clientSecret: 'b', scopes: [] },
              { clientId: 'editor', clientSecret: 'e', scopes: ['wfm:schedule:edit'] },
            ],
          },
        ],
      },
    );
    const bare = ((await (await requestToken(sim, 'bare', 'b')).json()) as { access_token: string }).access_token;
    const editor = ((await (await requestToken(sim, 'editor', 'e')).json()) as { access_token: string }).access_token;
    const channel = await apiJson<{ id: string }>(sim, bare, 'POST', CHANNELS); // no permission needed
    expect(channel.status).toBe(200);
    const path = `${CHANNELS}/${channel.body.id}/subscriptions`;

    const refused = await apiJson(sim, bare, 'POST', path, [{ id: TOPIC }]);
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'missing.any.permissions', message: expect.stringContaining('[wfm:schedule:view]') as unknown },
    });
    const lenient = await apiJson(sim, bare, 'POST', `${path}?ignoreErrors=true`, [
      { id: TOPIC },
      { id: 'v2.nonsense' },
    ]);
    expect(lenient).toMatchObject({
      status: 200,
      body: {
        entities: [
          { id: TOPIC, state: 'Rejected', missingPermissions: ['wfm:schedule:view'] },
          { id: 'v2.nonsense', state: 'Rejected' },
        ],
      },
    });
    expect((await apiJson(sim, bare, 'GET', path)).body).toEqual({ entities: [] });
    expect((await api(sim, editor, 'POST', path, [{ id: TOPIC }])).status).toBe(404); // another client's channel

    const own = await apiJson<{ id: string }>(sim, editor, 'POST', CHANNELS);
    const ownPath = `${CHANNELS}/${own.body.id}/subscriptions`;
    const second = 'v2.workforcemanagement.businessunits.bu-2.schedules';
    expect((await apiJson(sim, editor, 'POST', ownPath, [{ id: TOPIC }])).body).toEqual({
      entities: [{ id: TOPIC, state: 'Permitted' }],
    });
    expect((await apiJson(sim, editor, 'POST', ownPath, [{ id: second }])).body).toEqual({
      entities: [
        { id: TOPIC, state: 'Permitted' },
        { id: second, state: 'Permitted' },
      ],
    });
    expect((await apiJson(sim, editor, 'PUT', ownPath, [{ id: second }])).body).toEqual({
      entities: [{ id: second, state: 'Permitted' }],
    });
    expect((await api(sim, editor, 'POST', ownPath, [{ id: 'v2.nonsense' }])).status).toBe(400);
    expect((await api(sim, editor, 'POST', ownPath, { id: TOPIC })).status).toBe(400); // not a list
    expect((await api(sim, editor, 'DELETE', ownPath)).status).toBe(204);
    expect((await apiJson(sim, editor, 'GET', ownPath)).body).toEqual({ entities: [] });
    expect(await scheduleStats(sim)).toMatchObject({ topicsPermitted: 3, topicsRejected: 4 });
  });

  it('keeps at most 20 channels per client: the 21st evicts the oldest idle one and closes nothing in use', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    const first = (await apiJson<{ id: string; connectUri: string }>(sim, token, 'POST', CHANNELS)).body;
    const busy = await connect(first.connectUri); // the oldest, but connected
    const ids: string[] = [first.id];
    for (let i = 1; i < 20; i++) ids.push((await apiJson<{ id: string }>(sim, token, 'POST', CHANNELS)).body.id);
    await sleep(5); // so that the use below is later than every creation
    expect((await api(sim, token, 'HEAD', `${CHANNELS}/${ids[1]}`)).status).toBe(200); // used: no longer the oldest
    const newest = (await apiJson<{ id: string }>(sim, token, 'POST', CHANNELS)).body.id;

    const live = (await admin<ChannelSnapshot[]>(sim, 'GET', '/orgs/a/bu-schedules/channels')).body.map((c) => c.id);
    expect(live).toHaveLength(20);
    expect(live).toContain(first.id);
    expect(live).toContain(ids[1]);
    expect(live).not.toContain(ids[2]);
    expect(live).toContain(newest);
    expect((await api(sim, token, 'HEAD', `${CHANNELS}/${ids[2]}`)).status).toBe(404);
    expect(busy.closed).toBeUndefined();
    // Another client of another org has its own 20.
    expect((await apiJson(sim, await tokenFor(sim, 'b'), 'POST', CHANNELS)).status).toBe(200);
    expect(await scheduleStats(sim)).toMatchObject({ channelsCreated: 21, channelsEvicted: 1 });
  });

  it('refuses the upgrade of an unknown channel with 404, and HEAD of an unknown one too', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    const channel = await subscribedChannel(sim, token);
    expect(await upgradeStatus(`${sim.url.replace('http', 'ws')}/__channels/streaming-unknown`)).toBe(404);
    expect(await upgradeStatus(`${sim.url.replace('http', 'ws')}/elsewhere`)).toBe(404);
    expect(await upgradeStatus(channel.connectUri)).toBe(101);
    await expect(
      SocketProbe.connect(`${sim.url.replace('http', 'ws')}/__channels/streaming-unknown`),
    ).rejects.toThrow();
    expect((await api(sim, token, 'HEAD', `${CHANNELS}/streaming-unknown`)).status).toBe(404);
    expect((await api(sim, 'bad-token', 'HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(401);
  });

  it('closes sockets from the server: admin close with the socket_closing notice, closeSocketRate after an event', async () => {
    const sim = await startWith();
    const token = await tokenFor(sim, 'a');
    const channel = await subscribedChannel(sim, token);
    const noticed = await connect(channel.connectUri);
    const plain = await connect(channel.connectUri);
    const closed = await admin(sim, 'POST', '/orgs/a/bu-schedules/close-sockets', { notice: true });
    expect(closed).toEqual({ status: 200, body: { orgId: 'a', closed: 2 } });
    await noticed.until(() => noticed.closed !== undefined && plain.closed !== undefined, 2_000, 'both closed');
    expect(noticed.closed).toEqual({ code: 1001 });
    expect(noticed.events).toEqual([
      {
        topicName: 'v2.system.socket_closing',
        version: '2',
        eventBody: expect.objectContaining({ channelId: channel.id, systemTopicType: 'socket_closing' }) as unknown,
        metadata: { CorrelationId: expect.any(String) as unknown },
      },
    ]);

    // The channel outlives its sockets: reconnect, then an event closes the socket (rate 1).
    await admin(sim, 'PUT', '/orgs/a/bu-schedules/faults', { closeSocketRate: 1 });
    const again = await connect(channel.connectUri);
    const operationId = await addAgent(sim, token, 'u1', 1);
    expect((await again.eventOf(operationId)).eventBody.status).toBe('Complete');
    await again.until(() => again.closed !== undefined, 2_000, 'the close after the event');
    expect(again.events).toHaveLength(1); // no notice: socketClosingNotice is off

    const terminated = await connect(channel.connectUri);
    expect((await admin(sim, 'POST', '/orgs/a/bu-schedules/close-sockets', { terminate: true })).body).toEqual({
      orgId: 'a',
      closed: 1,
    });
    await terminated.until(() => terminated.closed !== undefined, 2_000, 'the terminated socket');
    expect(terminated.closed?.code).toBe(1006); // no close frame
    for (let i = 0; i < 100 && (await scheduleStats(sim)).socketsClosed < 4; i++) await sleep(10);
    expect(await scheduleStats(sim)).toMatchObject({
      socketsOpened: 4,
      socketsClosed: 4,
      socketsClosedByServer: 4,
      socketClosingNotices: 2,
      socketsOpen: 0,
    });
  });

  it('closes promptly with sockets open and updates pending', async () => {
    const sim = await startWith({ processingDelayMs: 60_000, heartbeatIntervalMs: 10 });
    const token = await tokenFor(sim, 'a');
    const socket = await connect((await subscribedChannel(sim, token)).connectUri);
    await addAgent(sim, token, 'u1', 1);
    const began = Date.now();
    await sim.close();
    expect(Date.now() - began).toBeLessThan(2_000);
    await socket.until(() => socket.closed !== undefined, 2_000, 'the socket to close');
  });
});

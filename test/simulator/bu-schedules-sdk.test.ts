/**
 * Contract test: the official Genesys Cloud JavaScript SDK drives the simulated schedule-update API end to end —
 * login, schedule metadata, agent-schedules query, upload URL, (plain HTTP PUT of the gzip), update, channel and
 * subscription — and an undici WebSocket receives the completion event; then it reads business units (settings,
 * activity codes, users, a week's schedules). If the simulator's paths, methods, parameters or bodies drift from the
 * platform's (as the SDK encodes them), this fails.
 */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { RunningSimulator, ScheduleSnapshot } from '../../tools/simulator';
import { BU, SocketProbe, TOPIC, WEEK, newShift, putUpload } from './bu-schedule-helpers';
import { admin, start } from './helpers';

const SCHEDULE = 'sdk-schedule';

/** A described business unit next to the open {@link BU}. */
const DESCRIBED = {
  id: 'bu-described',
  name: 'Described',
  timeZone: 'Europe/Berlin',
  startDayOfWeek: 'Sunday' as const,
  activityCodes: [{ id: 'ac-work' }, { id: 'ac-break', category: 'Break' as const, countsAsPaidTime: false }],
  managementUnits: [
    { id: 'mu-a', users: ['agent-1', 'agent-2'] },
    { id: 'mu-b', users: ['agent-3'] },
  ],
};

/** An SDK client pointed at the simulator only, whatever `~/.genesyscloudjavascript/config` says. */
function sdkClient(port: number): InstanceType<typeof platformClient.ApiClientClass> {
  const client = new platformClient.ApiClientClass();
  client.config.live_reload_config = false; // stop watching the config file
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port }); // login and API both go here
  return client;
}

describe('schedule-update API driven by the official SDK (purecloud-platform-client-v2)', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await start({
      seed: 7,
      orgs: [
        {
          id: 'acme',
          throttle: { burst: 50, refillPerSecond: 8 },
          buSchedules: { processingDelayMs: 100, businessUnits: [DESCRIBED] },
        },
      ],
    });
  });
  afterAll(() => sim.close());

  it('logs in, reads, uploads, updates, and hears the Complete event; the query then shows the shift', async () => {
    const client = sdkClient(sim.port);
    const auth = await client.loginClientCredentialsGrant('acme-client', 'acme-secret');
    expect(auth.accessToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const wfm = new platformClient.WorkforceManagementApi(client);
    const notifications = new platformClient.NotificationsApi(client);

    // First touch creates the schedule (autoCreate): version 1, nobody in it.
    const before = await wfm.getWorkforcemanagementBusinessunitWeekSchedule(BU, WEEK, SCHEDULE, {
      expand: 'managementUnits.agents',
    });
    expect(before).toMatchObject({ id: SCHEDULE, weekDate: WEEK, weekCount: 1, metadata: { version: 1 } });
    expect(before.managementUnits).toEqual([]);

    // Listen before updating: the event can beat the update's answer.
    const channel = await notifications.postNotificationsChannels();
    expect(channel.connectUri).toBe(`ws://127.0.0.1:${sim.port}/__channels/${channel.id}`);
    expect(Date.parse(channel.expires!)).toBeGreaterThan(Date.now());
    const subscribed = await notifications.postNotificationsChannelSubscriptions(channel.id!, [{ id: TOPIC }], {
      ignoreErrors: true,
    });
    expect(subscribed.entities).toEqual([{ id: TOPIC, state: 'Permitted' }]);
    const listed = await notifications.getNotificationsChannelSubscriptions(channel.id!);
    expect(listed.entities?.map((t) => t.id)).toEqual([TOPIC]);
    const socket = await SocketProbe.connect(channel.connectUri!);

    try {
      const body = {
        metadata: { version: before.metadata!.version },
        agentSchedules: [{ userId: 'agent-1', shifts: [newShift('2026-12-01T08:00:00.000Z', 480, 'code-work')] }],
      };
      const gzipped = gzipSync(JSON.stringify(body));
      const ticket = await wfm.postWorkforcemanagementBusinessunitWeekScheduleUpdateUploadurl(BU, WEEK, SCHEDULE, {
        contentLengthBytes: gzipped.length,
      });
      expect(ticket).toMatchObject({
        uploadKey: expect.any(String) as unknown,
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        uploadBodySchema: null,
      });
      expect(ticket.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${sim.port}/__uploads/${ticket.uploadKey}\\?`));
      const put = await putUpload(ticket.url!, ticket.headers!, gzipped);
      expect(put.status).toBe(200);

      const started = await wfm.postWorkforcemanagementBusinessunitWeekScheduleUpdate(BU, WEEK, SCHEDULE, {
        uploadKey: ticket.uploadKey!,
      });
      expect(started).toEqual({ status: 'Processing', operationId: expect.any(String) as unknown });

      const event = await socket.eventOf(started.operationId!);
      expect(event).toEqual({
        topicName: TOPIC,
        version: '2',
        eventBody: {
          status: 'Complete',
          operationId: started.operationId,
          eventType: 'Update',
          result: expect.objectContaining({
            id: SCHEDULE,
            weekDate: WEEK,
            weekCount: 1,
            managementUnits: [{ managementUnit: { id: 'mu-1' }, agentCount: 1, agents: [{ id: 'agent-1' }] }],
            metadata: expect.objectContaining({ version: 2, modifiedBy: { id: 'acme-client' } }) as unknown,
          }) as unknown,
        },
        metadata: { CorrelationId: expect.any(String) as unknown },
      });

      const after = await wfm.getWorkforcemanagementBusinessunitWeekSchedule(BU, WEEK, SCHEDULE, {
        expand: 'managementUnits.agents',
      });
      expect(after.metadata?.version).toBe(2);
      expect(after.managementUnits).toEqual([
        { managementUnit: { id: 'mu-1' }, agentCount: 1, agents: [{ id: 'agent-1' }] },
      ]);

      const query = await wfm.postWorkforcemanagementBusinessunitWeekScheduleAgentschedulesQuery(BU, WEEK, SCHEDULE, {
        managementUnitId: 'mu-1',
        userIds: ['agent-1', 'agent-not-there'],
      });
      expect(query.status).toBe('Complete');
      expect(query.result?.businessUnitTimeZone).toBe('UTC');
      expect(query.result?.agentSchedules).toEqual([
        {
          user: { id: 'agent-1' },
          metadata: expect.objectContaining({ version: 1 }) as unknown,
          shifts: [
            {
              id: expect.any(String) as unknown,
              startDate: '2026-12-01T08:00:00Z',
              lengthMinutes: 480,
              activities: [
                {
                  startDate: '2026-12-01T08:00:00Z',
                  lengthMinutes: 480,
                  description: '',
                  activityCodeId: 'code-work',
                  paid: true,
                },
              ],
              manuallyEdited: true,
              schedule: { id: SCHEDULE, weekDate: WEEK },
            },
          ],
          fullDayTimeOffMarkers: [],
        },
      ]);

      // The same through the download service.
      const viaDownload = await wfm.postWorkforcemanagementBusinessunitWeekScheduleAgentschedulesQuery(
        BU,
        WEEK,
        SCHEDULE,
        { managementUnitId: 'mu-1' },
        { forceDownloadService: true },
      );
      expect(viaDownload.result).toBeUndefined();
      const downloaded: unknown = await (await fetch(viaDownload.downloadUrl!)).json();
      expect(downloaded).toEqual(query.result);

      // The admin read-back agrees: one shift, no duplicate.
      const schedules = (await admin<ScheduleSnapshot[]>(sim, 'GET', '/orgs/acme/bu-schedules')).body;
      expect(schedules).toHaveLength(1);
      expect(schedules[0]).toMatchObject({ scheduleId: SCHEDULE, version: 2 });
      expect(schedules[0]?.agents.map((a) => [a.userId, a.version, a.shifts.length])).toEqual([['agent-1', 1, 1]]);

      // HEAD has no body to reject with: extended responses carry the status.
      client.setReturnExtendedResponses(true);
      await expect(notifications.headNotificationsChannel(channel.id!)).resolves.toMatchObject({ status: 200 });
      await expect(notifications.headNotificationsChannel('streaming-nope')).rejects.toMatchObject({ status: 404 });
    } finally {
      socket.close();
    }
  });

  it('reads business units through the SDK: the unit’s settings, activity codes, users and the week’s schedules', async () => {
    const client = sdkClient(sim.port);
    await client.loginClientCredentialsGrant('acme-client', 'acme-secret');
    const wfm = new platformClient.WorkforceManagementApi(client);

    const unit = await wfm.getWorkforcemanagementBusinessunit(DESCRIBED.id, {
      expand: ['settings.timeZone', 'settings.startDayOfWeek'],
    });
    expect(unit).toEqual({
      id: DESCRIBED.id,
      name: 'Described',
      settings: { startDayOfWeek: 'Sunday', timeZone: 'Europe/Berlin', metadata: { version: 1 } },
      selfUri: `/api/v2/workforcemanagement/businessunits/${DESCRIBED.id}`,
    });
    expect((await wfm.getWorkforcemanagementBusinessunit(DESCRIBED.id)).settings).toBeUndefined();

    const codes = await wfm.getWorkforcemanagementBusinessunitActivitycodes(DESCRIBED.id);
    expect(codes.entities?.map((code) => [code.id, code.active, code.category, code.countsAsPaidTime])).toEqual([
      ['ac-work', true, 'OnQueueWork', true],
      ['ac-break', true, 'Break', false],
    ]);
    expect(codes.entities?.[0]?.metadata).toEqual({ version: 1 });

    const users = await wfm.getWorkforcemanagementBusinessunitUsers(DESCRIBED.id, { managementUnitIds: ['mu-b'] });
    expect(users).toEqual({ managementUnits: [{ managementUnit: { id: 'mu-b' }, users: [{ id: 'agent-3' }] }] });
    const everyone = await wfm.getWorkforcemanagementBusinessunitUsers(DESCRIBED.id);
    expect(everyone.managementUnits.map((mu) => [mu.managementUnit.id, mu.users.length])).toEqual([
      ['mu-a', 2],
      ['mu-b', 1],
    ]);

    // The open unit of the first test: what its schedule holds, in the org's time zone.
    const open = await wfm.getWorkforcemanagementBusinessunit(BU, { expand: ['settings'] });
    expect(open.settings).toMatchObject({ timeZone: 'UTC', startDayOfWeek: 'Monday' });
    const openCodes = await wfm.getWorkforcemanagementBusinessunitActivitycodes(BU);
    expect(openCodes.entities?.map((code) => code.id)).toEqual(['code-work']);
    const openUsers = await wfm.getWorkforcemanagementBusinessunitUsers(BU);
    expect(openUsers.managementUnits).toEqual([{ managementUnit: { id: 'mu-1' }, users: [{ id: 'agent-1' }] }]);
    const week = await wfm.getWorkforcemanagementBusinessunitWeekSchedules(BU, WEEK);
    expect(week.entities).toEqual([
      expect.objectContaining({
        id: SCHEDULE,
        weekDate: WEEK,
        weekCount: 1,
        published: false,
        metadata: expect.objectContaining({ version: 2 }) as unknown,
      }),
    ]);
    expect((await wfm.getWorkforcemanagementBusinessunitWeekSchedules(DESCRIBED.id, WEEK)).entities).toEqual([]);
    await expect(wfm.getWorkforcemanagementBusinessunitWeekSchedules(BU, '30-11-2026')).rejects.toMatchObject({
      status: 400,
      code: 'bad.request',
    });
  });

  it('refuses through the SDK as the platform does: 403 with missing.any.permissions, 404 for another week', async () => {
    await admin(sim, 'PUT', '/orgs/acme/clients/acme-client/scopes', { scopes: ['wfm:schedule:view'] });
    try {
      const client = sdkClient(sim.port);
      await client.loginClientCredentialsGrant('acme-client', 'acme-secret');
      const wfm = new platformClient.WorkforceManagementApi(client);
      await expect(
        wfm.postWorkforcemanagementBusinessunitWeekScheduleUpdateUploadurl(BU, WEEK, SCHEDULE, {
          contentLengthBytes: 10,
        }),
      ).rejects.toMatchObject({ status: 403, code: 'missing.any.permissions' });
      await expect(
        wfm.getWorkforcemanagementBusinessunitWeekSchedule(BU, '2026-12-07', SCHEDULE),
      ).rejects.toMatchObject({
        status: 404,
        code: 'not.found',
      });
    } finally {
      await admin(sim, 'PUT', '/orgs/acme/clients/acme-client/scopes', {
        scopes: ['wfm:schedule:write', 'wfm:schedule:edit', 'wfm:schedule:view'],
      });
    }
  });
});

/**
 * Contract test: the official Genesys Cloud JavaScript SDK drives the simulated schedule-update API end to end —
 * login, schedule metadata, agent-schedules query, upload URL, (plain HTTP PUT of the gzip), update, channel and
 * subscription — and an undici WebSocket receives the completion event. If the simulator's paths, methods or
 * bodies drift from the platform's (as the SDK encodes them), this fails.
 */
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import type { RunningSimulator, ScheduleSnapshot } from '../../tools/simulator';
import { BU, SocketProbe, TOPIC, WEEK, newShift, putUpload } from './bu-schedule-helpers';
import { admin, start } from './helpers';

const SCHEDULE = 'sdk-schedule';

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
      orgs: [{ id: 'acme', throttle: { burst: 50, refillPerSecond: 8 }, buSchedules: { processingDelayMs: 100 } }],
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

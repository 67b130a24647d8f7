import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrgStats, PlatformErrorBody, RunningSimulator } from '../../tools/simulator';
import { admin, assignment, putAssignments, putItems, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

describe('PUT and GET /api/v2/wfm/schedules/:scheduleId/assignments', () => {
  let sim: RunningSimulator;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    sim = await start({
      maxAssignmentsPerRequest: 3,
      orgs: [
        { id: 'a', schedules: ['a-s1', 'a-s2'], throttle: null },
        { id: 'b', schedules: ['b-s1'], throttle: null, users: ['u1', 'u2'] },
      ],
    });
  });
  beforeEach(async () => {
    await admin(sim, 'POST', '/reset');
    tokenA = await tokenFor(sim, 'a');
    tokenB = await tokenFor(sim, 'b');
  });
  afterAll(() => sim.close());

  const stats = async () => (await admin<Stats>(sim, 'GET', '/stats')).body.orgs;

  it('applies idempotently by id: created, unchanged, updated; repeats counted; read-back exact', async () => {
    const first = await putItems(sim, tokenA, 'a-s1', [assignment('x1'), assignment('x2', { notes: 'hi' })]);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      assignments: [
        { id: 'x1', result: 'created' },
        { id: 'x2', result: 'created' },
      ],
    });
    const second = await putItems(sim, tokenA, 'a-s1', [assignment('x1'), assignment('x2', { notes: 'changed' })]);
    expect(await second.json()).toEqual({
      assignments: [
        { id: 'x1', result: 'unchanged' },
        { id: 'x2', result: 'updated' },
      ],
    });
    // Same id in another schedule is another assignment.
    await putItems(sim, tokenA, 'a-s2', [assignment('x1', { extra: 'dropped' })]);

    const readBack = await fetch(`${sim.url}/api/v2/wfm/schedules/a-s1/assignments`, {
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(readBack.status).toBe(200);
    expect(await readBack.json()).toEqual({
      entities: [assignment('x1'), assignment('x2', { notes: 'changed' })],
      total: 2,
    });
    const all = await admin(sim, 'GET', '/orgs/a/assignments');
    expect(all.body).toEqual([
      { scheduleId: 'a-s1', ...assignment('x1') },
      { scheduleId: 'a-s1', ...assignment('x2', { notes: 'changed' }) },
      { scheduleId: 'a-s2', ...assignment('x1') },
    ]);
    const org = (await stats()).a;
    expect(org).toMatchObject({ assignmentsApplied: 3, repeatedAssignmentPuts: 2, putRequests: 3, status2xx: 3 });
  });

  it('answers 404 not.found for an unknown schedule', async () => {
    const response = await putItems(sim, tokenA, 'nowhere', [assignment('x1')]);
    expect(response.status).toBe(404);
    const body = (await response.json()) as PlatformErrorBody;
    expect(body).toMatchObject({ code: 'not.found', status: 404, details: [], errors: [] });
    expect(body.contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('inin-correlation-id')).toBe(body.contextId);
    expect((await stats()).a).toMatchObject({ status404: 1, crossOrgTokenUses: 0 });
  });

  it("answers 404 for another org's schedule (PUT and GET), stores nothing and counts cross-org use", async () => {
    const put = await putItems(sim, tokenA, 'b-s1', [assignment('x1')]);
    expect(put.status).toBe(404);
    expect(await put.json()).toMatchObject({ code: 'not.found' });
    const get = await fetch(`${sim.url}/api/v2/wfm/schedules/b-s1/assignments`, {
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(get.status).toBe(404);
    const orgs = await stats();
    expect(orgs.a).toMatchObject({ crossOrgTokenUses: 2, status404: 1, putRequests: 1 });
    expect(orgs.b).toMatchObject({ crossOrgTokenUses: 0, putRequests: 0, assignmentsApplied: 0 });
  });

  it('refuses the whole request with per-item details when any item is invalid', async () => {
    const items = [
      assignment('ok-1'),
      assignment('bad-end', { end: '2025-03-01T07:00:00Z' }),
      assignment('no-offset', { start: '2025-03-01T08:00:00' }),
    ];
    const response = await putItems(sim, tokenA, 'a-s1', items);
    expect(response.status).toBe(400);
    const body = (await response.json()) as PlatformErrorBody;
    expect(body.code).toBe('bad.request');
    expect(body.details).toEqual([
      { index: 1, id: 'bad-end', fieldName: 'end', message: 'end must be after start' },
      {
        index: 2,
        id: 'no-offset',
        fieldName: 'start',
        message: 'start must be an ISO-8601 date-time with an offset or Z',
      },
    ]);
    expect((await admin(sim, 'GET', '/orgs/a/assignments')).body).toEqual([]);
    expect((await stats()).a).toMatchObject({ status400: 1, assignmentsApplied: 0 });
    const log = await admin<Array<{ status: number; items: number }>>(sim, 'GET', '/orgs/a/requests');
    expect(log.body).toMatchObject([{ status: 400, items: 3 }]);
  });

  it.each([
    ['id too long', { id: 'x'.repeat(129) }, 'id'],
    ['empty userId', { userId: '' }, 'userId'],
    ['shift over 24 h', { end: '2025-03-02T08:00:01Z' }, 'end'],
    ['impossible date', { start: '2025-02-30T08:00:00Z' }, 'start'],
    ['numeric activityCodeId', { activityCodeId: 7 }, 'activityCodeId'],
    ['notes too long', { notes: 'n'.repeat(1001) }, 'notes'],
  ])('rejects %s', async (_label, override, fieldName) => {
    const response = await putItems(sim, tokenA, 'a-s1', [assignment('v1', override)]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as PlatformErrorBody;
    expect(body.details.map((d) => d.fieldName)).toEqual([fieldName]);
  });

  it('accepts offsets, fractions and exactly 24 h', async () => {
    const response = await putItems(sim, tokenA, 'a-s1', [
      assignment('o1', { start: '2025-03-01T08:00:00+02:00', end: '2025-03-02T08:00:00+02:00' }),
      assignment('o2', { start: '2025-03-01T23:30:00.123-05:30', end: '2025-03-02T06:00Z', managementUnitId: 'mu' }),
    ]);
    expect(response.status).toBe(200);
  });

  it('rejects a duplicate id within one request and an unknown user when the org lists users', async () => {
    const dup = await putItems(sim, tokenA, 'a-s1', [assignment('d1'), assignment('d1')]);
    expect(((await dup.json()) as PlatformErrorBody).details).toEqual([
      { index: 1, id: 'd1', fieldName: 'id', message: 'duplicate assignment id in this request' },
    ]);
    const unknownUser = await putItems(sim, tokenB, 'b-s1', [
      assignment('u-ok'),
      assignment('u-bad', { userId: 'u9' }),
    ]);
    expect(unknownUser.status).toBe(400);
    expect(((await unknownUser.json()) as PlatformErrorBody).details).toEqual([
      { index: 1, id: 'u-bad', fieldName: 'userId', message: 'user u9 not found' },
    ]);
  });

  it.each([
    ['not JSON', '{"assignments": ['],
    ['no assignments array', '{"items": []}'],
    ['empty assignments', '{"assignments": []}'],
    ['an array', '[]'],
    ['empty body', ''],
  ])('answers 400 for a body that is %s', async (_label, raw) => {
    const response = await putAssignments(sim, tokenA, 'a-s1', raw);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'bad.request', status: 400 });
  });

  it('answers 413 above maxAssignmentsPerRequest', async () => {
    const items = ['a', 'b', 'c', 'd'].map((id) => assignment(id));
    const response = await putItems(sim, tokenA, 'a-s1', items);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'request.entity.too.large', status: 413 });
    expect((await stats()).a).toMatchObject({ status413: 1, assignmentsApplied: 0 });
  });

  it('answers unknown /api paths with the platform 404 body and admin paths for unknown orgs with a clear 404', async () => {
    const api = await fetch(`${sim.url}/api/v2/wfm/nothing`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'not.found', status: 404 });
    for (const [method, path] of [
      ['GET', '/orgs/zzz/requests'],
      ['GET', '/orgs/zzz/assignments'],
      ['PUT', '/orgs/zzz/faults'],
      ['PUT', '/orgs/zzz/throttle'],
      ['POST', '/orgs/zzz/revoke-tokens'],
    ] as const) {
      const response = await admin<{ message: string }>(sim, method, path, method === 'PUT' ? {} : undefined);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe('unknown org "zzz"');
    }
  });

  it('does not count the read-back in PUT stats', async () => {
    await fetch(`${sim.url}/api/v2/wfm/schedules/a-s1/assignments`, { headers: { authorization: `Bearer ${tokenA}` } });
    const noToken = await fetch(`${sim.url}/api/v2/wfm/schedules/a-s1/assignments`);
    expect(noToken.status).toBe(401);
    expect((await stats()).a).toMatchObject({ putRequests: 0, status2xx: 0, firstPutAt: null });
  });
});

/**
 * The `genesys` org profile and the fixed-window throttle it brings: 300 requests a minute shared by every API call
 * of the org, 429 with Retry-After = seconds until the window resets, `inin-ratelimit-*` on every answer, token
 * answers without `scope`, reads that need a view permission, strict versions; each overridable by the org's own
 * fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  FixedWindowThrottle,
  parseSimulatorConfig,
  type OrgStats,
  type RequestRecord,
  type RunningSimulator,
  type SimulatorConfig,
  type SimulatorConfigInput,
} from '../../tools/simulator';
import { BU, WEEK, api, apiJson, schedulePath } from './bu-schedule-helpers';
import { FakeClock, admin, putItems, rateLimitedBody, requestToken, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

const UNIT = `/api/v2/workforcemanagement/businessunits/${BU}`;

function rateLimitHeaders(headers: Headers) {
  return {
    allowed: headers.get('inin-ratelimit-allowed'),
    count: headers.get('inin-ratelimit-count'),
    reset: headers.get('inin-ratelimit-reset'),
  };
}

describe('FixedWindowThrottle (fake clock)', () => {
  it('admits `requests` a window, then 429 with the seconds until it resets; the window opens with its first request', () => {
    const clock = new FakeClock();
    const throttle = new FixedWindowThrottle({ requests: 300, windowSeconds: 60 }, { now: clock.now });
    expect(throttle.rateLimitHeaderValues()).toEqual({ allowed: 300, count: 0, resetSeconds: 60 });
    for (let i = 0; i < 300; i++) expect(throttle.tryTake().allowed).toBe(true);
    expect(throttle.rateLimitHeaderValues()).toEqual({ allowed: 300, count: 300, resetSeconds: 60 });
    expect(throttle.tryTake()).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
      violation: false,
      windowOpenUntil: clock.nowMs + 60_000,
    });
    clock.advance(20_500);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, retryAfterSeconds: 40, violation: true });
    expect(throttle.snapshot()).toEqual({
      fixedWindow: { requests: 300, windowSeconds: 60 },
      count: 300,
      windowEndsAt: clock.nowMs + 39_500,
      windowOpenUntil: clock.nowMs + 39_500,
    });
    clock.advance(39_500); // the window has reset: a new one opens with this request
    expect(throttle.tryTake().allowed).toBe(true);
    expect(throttle.rateLimitHeaderValues()).toEqual({ allowed: 300, count: 1, resetSeconds: 60 });
    expect(throttle.windowOpenUntil()).toBeNull();
  });

  it('counts no violation within the grace after the first 429 was written, and one after it', () => {
    const clock = new FakeClock();
    const throttle = new FixedWindowThrottle(
      { requests: 1, windowSeconds: 10 },
      { now: clock.now, violationGraceMs: 5 },
    );
    expect(throttle.tryTake().allowed).toBe(true);
    clock.advance(1_000);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, retryAfterSeconds: 9, violation: false });
    clock.advance(3);
    throttle.windowAnnounced();
    throttle.roundAfterAnnouncementOver();
    clock.advance(4); // 7 ms after the 429, 4 ms after it was written
    expect(throttle.tryTake()).toMatchObject({ allowed: false, violation: false });
    clock.advance(1);
    expect(throttle.tryTake()).toMatchObject({ allowed: false, retryAfterSeconds: 9, violation: true });
  });
});

describe('the genesys profile', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  async function startWith(config: SimulatorConfigInput, clock?: FakeClock): Promise<RunningSimulator> {
    const sim = await start(config, clock ? { clock: clock.now } : {});
    running.push(sim);
    return sim;
  }

  it('fills in what the org leaves open, and keeps what it sets', () => {
    const config = parseSimulatorConfig({
      orgs: [
        { id: 'real', profile: 'genesys' },
        {
          id: 'mixed',
          profile: 'genesys',
          throttle: { burst: 5, refillPerSecond: 1 },
          rateLimitHeaders: false,
          tokenResponseScope: true,
          buSchedules: { editGrantsRead: true, versionCheck: 'lenient' },
        },
        { id: 'plain' },
      ],
    });
    const [real, mixed, plain] = config.orgs;
    expect(real).toMatchObject({
      profile: 'genesys',
      throttle: { fixedWindow: { requests: 300, windowSeconds: 60 } },
      rateLimitHeaders: true,
      tokenResponseScope: false,
      buSchedules: { editGrantsRead: false, versionCheck: 'strict', autoCreate: true },
    });
    expect(mixed).toMatchObject({
      throttle: { burst: 5, refillPerSecond: 1 },
      rateLimitHeaders: false,
      tokenResponseScope: true,
      buSchedules: { editGrantsRead: true, versionCheck: 'lenient' },
    });
    expect(plain?.throttle).toEqual({ burst: 50, refillPerSecond: 8 });
    expect(plain).not.toHaveProperty('tokenResponseScope');
    expect(plain?.buSchedules).toBeUndefined();
    // The parsed config parses again to itself (a reset without a body, the admin config read back).
    expect(parseSimulatorConfig(config)).toEqual(config);
  });

  it('refuses a throttle mixing a bucket with fixed windows, or a bucket missing a field', () => {
    expect(() =>
      parseSimulatorConfig({
        orgs: [{ id: 'a', throttle: { burst: 5, fixedWindow: { requests: 1, windowSeconds: 1 } } }],
      }),
    ).toThrow(/orgs\[0\]\.throttle\.burst: is a bucket field: not with fixedWindow/);
    expect(() => parseSimulatorConfig({ orgs: [{ id: 'a', throttle: { burst: 5 } }] })).toThrow(
      /orgs\[0\]\.throttle\.refillPerSecond: is required \(or give fixedWindow\)/,
    );
    expect(() =>
      parseSimulatorConfig({ orgs: [{ id: 'a', throttle: { fixedWindow: { requests: 0, windowSeconds: 60 } } }] }),
    ).toThrow(/orgs\[0\]\.throttle\.fixedWindow\.requests/);
  });

  it('answers tokens without scope', async () => {
    const sim = await startWith({ seed: 1, orgs: [{ id: 'real', profile: 'genesys' }, { id: 'plain' }] });
    const real = (await (await requestToken(sim, 'real-client', 'real-secret')).json()) as Record<string, unknown>;
    expect(real).toEqual({ access_token: expect.any(String) as unknown, token_type: 'bearer', expires_in: 3600 });
    const plain = (await (await requestToken(sim, 'plain-client', 'plain-secret')).json()) as Record<string, unknown>;
    expect(plain.scope).toBe('wfm:schedule:write wfm:schedule:edit wfm:schedule:view');
  });

  it('counts every call of the org in one-minute windows of 300, with inin-ratelimit-* on every answer', async () => {
    const clock = new FakeClock();
    const sim = await startWith({ seed: 1, violationGraceMs: 5, orgs: [{ id: 'g', profile: 'genesys' }] }, clock);
    const token = await tokenFor(sim, 'g');
    for (let i = 1; i <= 300; i++) {
      clock.advance(i === 1 ? 0 : 100); // 29.9 s for the 300
      const answer =
        i % 3 === 0
          ? await putItems(sim, token, 'g-s1', [
              { id: `x${i}`, userId: 'u1', start: '2026-12-01T08:00:00Z', end: '2026-12-01T16:00:00Z' },
            ])
          : i % 3 === 1
            ? await api(sim, token, 'GET', schedulePath('s'))
            : await api(sim, token, 'GET', `${UNIT}/users`);
      expect(answer.status).toBe(200);
      const reset = String(Math.ceil((60_000 - (i - 1) * 100) / 1000));
      expect(rateLimitHeaders(answer.headers)).toEqual({ allowed: '300', count: String(i), reset });
    }
    clock.advance(100); // 30 s into the window
    const refused = await apiJson(sim, token, 'POST', '/api/v2/notifications/channels');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body).toEqual(rateLimitedBody(30));
    expect(rateLimitHeaders(refused.headers)).toEqual({ allowed: '300', count: '300', reset: '30' });
    clock.advance(10_000); // long past the grace: a violation
    const violating = await putItems(sim, token, 'g-s1', []);
    expect(violating.status).toBe(429);
    expect(violating.headers.get('retry-after')).toBe('20');
    clock.advance(20_000); // the window has reset
    const next = await api(sim, token, 'GET', schedulePath('s'));
    expect(next.status).toBe(200);
    expect(rateLimitHeaders(next.headers)).toEqual({ allowed: '300', count: '1', reset: '60' });

    const stats = (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.g;
    expect(stats).toMatchObject({ putRequests: 303, status2xx: 301, status429: 2, violations: 1 });
    expect(stats?.throttle).toMatchObject({ fixedWindow: { requests: 300, windowSeconds: 60 }, count: 1 });
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/g/requests')).body.slice(-3);
    expect(log.map((r) => [r.route ?? 'assignments PUT', r.status, r.retryAfterSeconds ?? null, r.violation])).toEqual([
      ['POST notifications/channels', 429, 30, false],
      ['assignments PUT', 429, 20, true],
      ['GET schedules/{id}', 200, null, false],
    ]);
  });

  it('needs a view permission for reads and the schedules topic; edit alone does for a plain org', async () => {
    const editor = { clientId: 'editor', clientSecret: 'e', scopes: ['wfm:schedule:edit'] };
    const sim = await startWith({
      seed: 1,
      orgs: [
        {
          id: 'real',
          profile: 'genesys',
          clients: [editor, { clientId: 'viewer', clientSecret: 'v', scopes: ['wfm:publishedSchedule:view'] }],
        },
        { id: 'plain', throttle: null, clients: [{ ...editor, clientId: 'plain-editor' }] },
      ],
    });
    const tokenOf = async (clientId: string, secret: string) =>
      ((await (await requestToken(sim, clientId, secret)).json()) as { access_token: string }).access_token;
    const realEditor = await tokenOf('editor', 'e');
    const viewer = await tokenOf('viewer', 'v');
    const plainEditor = await tokenOf('plain-editor', 'e');
    const reads: Array<[string, string, unknown?]> = [
      ['GET', schedulePath('s')],
      ['POST', `${schedulePath('s')}/agentschedules/query`, { managementUnitId: 'mu-1' }],
      ['GET', `${UNIT}?expand=settings`],
      ['GET', `${UNIT}/activitycodes`],
      ['GET', `${UNIT}/users`],
      ['GET', `${UNIT}/weeks/${WEEK}/schedules`],
    ];
    for (const [method, path, body] of reads) {
      expect((await apiJson(sim, realEditor, method, path, body)).body).toMatchObject({
        status: 403,
        code: 'missing.any.permissions',
      });
      expect((await api(sim, viewer, method, path, body)).status).toBe(200);
      expect((await api(sim, plainEditor, method, path, body)).status).toBe(200);
    }
    // Writes still need edit, which the editor has.
    expect(
      (await api(sim, realEditor, 'POST', `${schedulePath('s')}/update/uploadurl`, { contentLengthBytes: 5 })).status,
    ).toBe(200);

    const topic = `v2.workforcemanagement.businessunits.${BU}.schedules`;
    const channel = await apiJson<{ id: string }>(sim, realEditor, 'POST', '/api/v2/notifications/channels');
    const subscribed = await apiJson(
      sim,
      realEditor,
      'POST',
      `/api/v2/notifications/channels/${channel.body.id}/subscriptions?ignoreErrors=true`,
      [{ id: topic }],
    );
    expect(subscribed.body).toEqual({
      entities: [
        {
          id: topic,
          state: 'Rejected',
          rejectionReason: 'Missing permissions',
          missingPermissions: ['wfm:schedule:view'],
        },
      ],
    });
  });

  it('switches an org between a bucket and fixed windows at runtime', async () => {
    const sim = await startWith({ seed: 1, orgs: [{ id: 'a', throttle: { burst: 2, refillPerSecond: 1 } }] });
    const switched = await admin<{ throttle: unknown }>(sim, 'PUT', '/orgs/a/throttle', {
      fixedWindow: { requests: 1, windowSeconds: 30 },
    });
    expect(switched.body.throttle).toEqual({
      fixedWindow: { requests: 1, windowSeconds: 30 },
      count: 0,
      windowEndsAt: null,
      windowOpenUntil: null,
    });
    const token = await tokenFor(sim, 'a');
    expect((await api(sim, token, 'GET', schedulePath('s'))).status).toBe(200);
    const refused = await api(sim, token, 'GET', schedulePath('s'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(28);
    const back = await admin<{ throttle: unknown }>(sim, 'PUT', '/orgs/a/throttle', { burst: 3, refillPerSecond: 1 });
    expect(back.body.throttle).toMatchObject({ burst: 3, tokens: 3, windowOpenUntil: null });
    expect((await api(sim, token, 'GET', schedulePath('s'))).status).toBe(200);
    const config = (await admin<SimulatorConfig>(sim, 'GET', '/config')).body;
    expect(config.orgs[0]?.throttle).toEqual({ burst: 3, refillPerSecond: 1 });
  });
});

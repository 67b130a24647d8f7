import { afterEach, describe, expect, it } from 'vitest';
import {
  SimulatorConfigError,
  parseSimulatorConfig,
  type OrgConfigInput,
  type OrgStats,
  type RunningSimulator,
  type SimulatorConfig,
  type ThrottleLimits,
} from '../../tools/simulator';
import { FakeClock, admin, rateLimitedBody, requestToken, start } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

describe('login throttle of POST /oauth/token', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  /** Org `a` with two clients and the given login throttle; org `b` with defaults (no login throttle). */
  async function startWith(loginThrottle: ThrottleLimits | null, clock = new FakeClock(), extra: object = {}) {
    const a: OrgConfigInput = {
      id: 'a',
      schedules: ['a-s1'],
      throttle: null,
      loginThrottle,
      clients: [
        { clientId: 'a-client', clientSecret: 'a-secret' },
        { clientId: 'a-other', clientSecret: 'other-secret' },
      ],
    };
    const sim = await start({ ...extra, orgs: [a, { id: 'b', schedules: ['b-s1'] }] }, { clock: clock.now });
    running.push(sim);
    return sim;
  }

  const statsOf = async (sim: RunningSimulator, orgId: string) =>
    (await admin<Stats>(sim, 'GET', '/stats')).body.orgs[orgId];
  const login = async (sim: RunningSimulator, clientId = 'a-client', secret = 'a-secret') =>
    (await requestToken(sim, clientId, secret)).status;

  it('is off by default', async () => {
    const sim = await startWith(null);
    for (let i = 0; i < 30; i++) expect(await login(sim, 'b-client', 'b-secret')).toBe(200);
    expect(await statsOf(sim, 'b')).toMatchObject({ tokenRequests: 30, tokensIssued: 30, login429: 0 });
    expect(parseSimulatorConfig({}).orgs[0]?.loginThrottle).toBeNull();
  });

  it("admits burst logins per client, then 429 with whole-second Retry-After and the API's 429 body", async () => {
    const clock = new FakeClock();
    const sim = await startWith({ burst: 2, refillPerSecond: 0.5 }, clock);
    expect(await login(sim)).toBe(200);
    expect(await login(sim)).toBe(200);

    const refused = await requestToken(sim, 'a-client', 'a-secret');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const body = (await refused.json()) as { contextId: string };
    expect(body).toEqual(rateLimitedBody(2));
    expect(refused.headers.get('inin-correlation-id')).toBe(body.contextId);

    expect(await login(sim, 'a-other', 'other-secret')).toBe(200); // a bucket per client, not per org
    expect(await login(sim, 'a-client', 'wrong')).toBe(401); // credentials first: no token spent, no 429
    clock.advance(1000);
    const inWindow = await requestToken(sim, 'a-client', 'a-secret');
    expect(inWindow.status).toBe(429);
    expect(inWindow.headers.get('retry-after')).toBe('1');
    clock.advance(1000); // 2 s of refill at 0.5/s: one token, as Retry-After promised
    expect(await login(sim)).toBe(200);
    expect(await login(sim)).toBe(429);

    expect(await statsOf(sim, 'a')).toMatchObject({
      tokenRequests: 8,
      tokensIssued: 4,
      login429: 3,
      status429: 0,
      violations: 0,
    });
  });

  it('keeps Retry-After in seconds with a fixed retryAfterSeconds or http-date; the grant type comes after', async () => {
    const sim = await startWith({ burst: 1, refillPerSecond: 1, retryAfterSeconds: 30 }, new FakeClock(), {
      retryAfterFormat: 'http-date',
    });
    expect(await login(sim, 'a-client', 'a-secret')).toBe(200);
    const refused = await requestToken(sim, 'a-client', 'a-secret', 'password');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { message: string }).message).toContain('[30] seconds');

    expect((await requestToken(sim, 'a-other', 'other-secret', 'password')).status).toBe(400); // took the token
    expect(await login(sim, 'a-other', 'other-secret')).toBe(429);
  });

  it('changes at runtime through PUT /__admin/orgs/:orgId/login-throttle and in process; reset undoes it', async () => {
    const clock = new FakeClock();
    const sim = await startWith(null, clock);
    const set = await admin(sim, 'PUT', '/orgs/a/login-throttle', { burst: 1, refillPerSecond: 0.1 });
    expect(set).toEqual({ status: 200, body: { orgId: 'a', loginThrottle: { burst: 1, refillPerSecond: 0.1 } } });
    expect(await login(sim)).toBe(200);
    const refused = await requestToken(sim, 'a-client', 'a-secret');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');

    // Raising the limits keeps the bucket's tokens (none) and its window.
    expect((await admin(sim, 'PUT', '/orgs/a/login-throttle', { burst: 5, refillPerSecond: 0.1 })).status).toBe(200);
    expect(await login(sim)).toBe(429);
    clock.advance(10_000);
    expect(await login(sim)).toBe(200);

    expect(await admin(sim, 'PUT', '/orgs/a/login-throttle', null)).toEqual({
      status: 200,
      body: { orgId: 'a', loginThrottle: null },
    });
    for (let i = 0; i < 10; i++) expect(await login(sim)).toBe(200);

    sim.state.setLoginThrottle('a', { burst: 1, refillPerSecond: 1 }); // added again: starts full
    expect(await login(sim)).toBe(200);
    expect(await login(sim)).toBe(429);
    const config = (await admin<SimulatorConfig>(sim, 'GET', '/config')).body;
    expect(config.orgs.find((o) => o.id === 'a')?.loginThrottle).toEqual({ burst: 1, refillPerSecond: 1 });
    expect((await statsOf(sim, 'a'))?.login429).toBe(3);

    await admin(sim, 'POST', '/reset');
    expect((await statsOf(sim, 'a'))?.login429).toBe(0);
    for (let i = 0; i < 3; i++) expect(await login(sim)).toBe(200);
  });

  it('refuses invalid limits naming the field, and unknown orgs with 404', async () => {
    const sim = await startWith(null);
    const invalid = await admin<{ problems: string[] }>(sim, 'PUT', '/orgs/a/login-throttle', {
      burst: 0,
      refillPerSecond: 1,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems.join()).toContain('burst');
    const unknown = await admin(sim, 'PUT', '/orgs/ghost/login-throttle', null);
    expect(unknown).toEqual({ status: 404, body: { error: 'not_found', message: 'unknown org "ghost"' } });
    expect(await login(sim)).toBe(200);

    expect(() => parseSimulatorConfig({ orgs: [{ id: 'x', loginThrottle: { burst: 1 } }] })).toThrow(
      SimulatorConfigError,
    );
    try {
      parseSimulatorConfig({ orgs: [{ id: 'x', loginThrottle: { burst: 1 } }] });
    } catch (error) {
      expect((error as SimulatorConfigError).problems.join('\n')).toContain('orgs[0].loginThrottle.refillPerSecond');
    }
  });
});

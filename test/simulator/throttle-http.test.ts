import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OrgStats, RequestRecord, RunningSimulator } from '../../tools/simulator';
import { FakeClock, admin, assignment, putItems, rateLimitedBody, sleep, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

describe('per-org throttle over HTTP', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  afterAll(async () => {
    await Promise.all(running.map((sim) => sim.close()));
  });

  async function startWith(clock: FakeClock | undefined, config: Parameters<typeof start>[0]) {
    const sim = await start(config, clock ? { clock: clock.now } : {});
    running.push(sim);
    return sim;
  }

  const slowOrgs = {
    orgs: [
      { id: 'a', schedules: ['a-s1'], throttle: { burst: 3, refillPerSecond: 0.5 } },
      { id: 'b', schedules: ['b-s1'], throttle: { burst: 1, refillPerSecond: 0.5 } },
    ],
  };

  it('admits exactly burst PUTs, then 429 with Retry-After and the real body; a window; violations after the grace', async () => {
    const clock = new FakeClock();
    const sim = await startWith(clock, { ...slowOrgs, violationGraceMs: 5 });
    const token = await tokenFor(sim, 'a');
    for (let i = 0; i < 3; i++) expect((await putItems(sim, token, 'a-s1', [assignment(`t${i}`)])).status).toBe(200);

    const refused = await putItems(sim, token, 'a-s1', [assignment('t3')]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toEqual(rateLimitedBody(2));
    expect(refused.headers.get('inin-ratelimit-allowed')).toBeNull(); // off by default, as on the real platform

    expect((await putItems(sim, token, 'a-s1', [assignment('t3')])).status).toBe(429); // within grace: no violation
    clock.advance(5);
    const violating = await putItems(sim, token, 'a-s1', [assignment('t3')]);
    expect(violating.status).toBe(429);
    expect(violating.headers.get('retry-after')).toBe('2'); // 1.995 s left
    clock.advance(1000);
    expect((await putItems(sim, token, 'a-s1', [assignment('t3')])).headers.get('retry-after')).toBe('1');

    clock.advance(995); // window over: 2 s of refill = 1 token, as promised
    expect((await putItems(sim, token, 'a-s1', [assignment('t3')])).status).toBe(200);
    expect((await putItems(sim, token, 'a-s1', [assignment('t4')])).status).toBe(429);

    const stats = (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a;
    expect(stats).toMatchObject({ putRequests: 9, status2xx: 4, status429: 5, violations: 2, assignmentsApplied: 4 });
    expect(stats?.throttle).toMatchObject({ burst: 3, refillPerSecond: 0.5, windowOpenUntil: clock.nowMs + 2000 });
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
    expect(log.map((r) => [r.status, r.violation, r.retryAfterSeconds ?? null])).toEqual([
      [200, false, null],
      [200, false, null],
      [200, false, null],
      [429, false, 2],
      [429, false, 2],
      [429, true, 2],
      [429, true, 1],
      [200, false, null],
      [429, false, 2],
    ]);
    // Orgs have separate buckets.
    expect((await putItems(sim, await tokenFor(sim, 'b'), 'b-s1', [assignment('b1')])).status).toBe(200);
  });

  it('checks token and scope before the throttle, and the throttle before schedule and body', async () => {
    const clock = new FakeClock();
    const sim = await startWith(clock, slowOrgs);
    const token = await tokenFor(sim, 'b');
    expect((await putItems(sim, 'bogus', 'b-s1', [assignment('x')])).status).toBe(401);
    expect((await putItems(sim, token, 'nowhere', [assignment('x')])).status).toBe(404); // took the only token
    expect((await putItems(sim, token, 'nowhere', [assignment('x')])).status).toBe(429);
    expect((await putItems(sim, token, 'b-s1', [])).status).toBe(429);
  });

  it('sends Retry-After as an HTTP-date rounded up to a whole second when configured', async () => {
    const clock = new FakeClock(1_700_000_000_300);
    const sim = await startWith(clock, { ...slowOrgs, retryAfterFormat: 'http-date' });
    const token = await tokenFor(sim, 'b');
    await putItems(sim, token, 'b-s1', [assignment('x')]);
    const refused = await putItems(sim, token, 'b-s1', [assignment('y')]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(new Date(1_700_000_003_000).toUTCString());
    expect(((await refused.json()) as { message: string }).message).toContain('[2] seconds');
  });

  it('adds inin-ratelimit headers on every PUT answer when rateLimitHeaders is on', async () => {
    const clock = new FakeClock();
    const sim = await startWith(clock, { ...slowOrgs, rateLimitHeaders: true });
    const token = await tokenFor(sim, 'a');
    const ok = await putItems(sim, token, 'a-s1', [assignment('x')]);
    expect(Object.fromEntries([...ok.headers].filter(([k]) => k.startsWith('inin-ratelimit')))).toEqual({
      'inin-ratelimit-allowed': '3',
      'inin-ratelimit-count': '1',
      'inin-ratelimit-reset': '2',
    });
    const bad = await putItems(sim, token, 'a-s1', []);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('inin-ratelimit-count')).toBe('2');
  });

  it('changes limits at runtime through the admin endpoint', async () => {
    const clock = new FakeClock();
    const sim = await startWith(clock, slowOrgs);
    const token = await tokenFor(sim, 'a');
    const lowered = await admin<{ throttle: { burst: number; tokens: number } }>(sim, 'PUT', '/orgs/a/throttle', {
      burst: 1,
      refillPerSecond: 0.5,
    });
    expect(lowered.status).toBe(200);
    expect(lowered.body.throttle).toMatchObject({ burst: 1, tokens: 1 });
    expect((await putItems(sim, token, 'a-s1', [assignment('x')])).status).toBe(200);
    expect((await putItems(sim, token, 'a-s1', [assignment('y')])).status).toBe(429);

    expect((await admin(sim, 'PUT', '/orgs/a/throttle', null)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await putItems(sim, token, 'a-s1', [assignment(`u${i}`)])).status).toBe(200);
    expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a?.throttle).toBeNull();

    const invalid = await admin<{ problems: string[] }>(sim, 'PUT', '/orgs/a/throttle', {
      burst: 0,
      refillPerSecond: 1,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems.join()).toContain('burst');
  });

  it('refills in real time too (1 s wait)', async () => {
    const sim = await startWith(undefined, {
      orgs: [{ id: 'a', schedules: ['a-s1'], throttle: { burst: 1, refillPerSecond: 2 } }],
    });
    const token = await tokenFor(sim, 'a');
    expect((await putItems(sim, token, 'a-s1', [assignment('x')])).status).toBe(200);
    const refused = await putItems(sim, token, 'a-s1', [assignment('y')]);
    expect(refused.headers.get('retry-after')).toBe('1');
    await sleep(1000);
    expect((await putItems(sim, token, 'a-s1', [assignment('y')])).status).toBe(200);
  });
});

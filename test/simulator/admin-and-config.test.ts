import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatorConfigError,
  defaultSimulatorConfig,
  generateOrgs,
  parseSimulatorConfig,
  startSimulator,
  type IssuedToken,
  type OrgStats,
  type RequestRecord,
  type RunningSimulator,
  type SimulatorConfig,
  type SimulatorConfigInput,
} from '../../tools/simulator';
import { admin, assignment, putItems, requestToken, start, tokenFor } from './helpers';

type Stats = { startedAt: number; seed: number; orgs: Record<string, OrgStats> };

describe('config', () => {
  it('defaults to acme, globex and initech with one client, three schedules and burst 50 at 8/s', () => {
    const config = defaultSimulatorConfig();
    expect(config).toMatchObject({
      tokenTtlSeconds: 3600,
      retryAfterFormat: 'seconds',
      rateLimitHeaders: false,
      maxAssignmentsPerRequest: 50,
      violationGraceMs: 5,
      requestLogSize: 10_000,
    });
    expect(config.orgs.map((o) => o.id)).toEqual(['acme', 'globex', 'initech']);
    expect(config.orgs[0]).toEqual({
      id: 'acme',
      clients: [
        {
          clientId: 'acme-client',
          clientSecret: 'acme-secret',
          // the assignment PUT's scope, and the schedule-update API's permissions
          scopes: ['wfm:schedule:write', 'wfm:schedule:edit', 'wfm:schedule:view'],
        },
      ],
      schedules: ['acme-s1', 'acme-s2', 'acme-s3'],
      throttle: { burst: 50, refillPerSecond: 8 },
      loginThrottle: null,
      faults: expect.objectContaining({ serverErrorRate: 0, hangMs: 120_000, faultsAfterApply: false }) as unknown,
    });
  });

  it('generates many orgs from code', () => {
    const config = parseSimulatorConfig({ orgs: generateOrgs(100, { throttle: { burst: 10, refillPerSecond: 2 } }) });
    expect(config.orgs).toHaveLength(100);
    expect(config.orgs[99]).toMatchObject({
      id: 'tenant-100',
      schedules: ['tenant-100-s1', 'tenant-100-s2', 'tenant-100-s3'],
    });
    expect(config.orgs[99]?.throttle).toEqual({ burst: 10, refillPerSecond: 2 });
  });

  it.each([
    [
      'a schedule id used by two orgs',
      {
        orgs: [
          { id: 'a', schedules: ['s1'] },
          { id: 'b', schedules: ['s2', 's1'] },
        ],
      },
      'orgs[1].schedules[1]: duplicate schedule id "s1" (also in org "a")',
    ],
    [
      'a client id used by two orgs',
      {
        orgs: [
          { id: 'a', clients: [{ clientId: 'c', clientSecret: 'x' }] },
          { id: 'b', clients: [{ clientId: 'c', clientSecret: 'y' }] },
        ],
      },
      'orgs[1].clients[0].clientId: duplicate client id "c" (also in org "a")',
    ],
    ['a duplicate org id', { orgs: [{ id: 'a' }, { id: 'a', schedules: ['z'] }] }, 'orgs[1].id: duplicate org id "a"'],
    [
      'a negative burst',
      { orgs: [{ id: 'a', throttle: { burst: -1, refillPerSecond: 1 } }] },
      'orgs[0].throttle.burst',
    ],
    ['an unknown field', { orgs: [{ id: 'a', color: 'red' }] }, 'orgs[0]'],
    ['a bad retryAfterFormat', { retryAfterFormat: 'minutes' }, 'retryAfterFormat'],
  ])('refuses %s, naming the field', async (_label, input, expected) => {
    expect(() => parseSimulatorConfig(input, 'my.json')).toThrow(SimulatorConfigError);
    try {
      parseSimulatorConfig(input, 'my.json');
    } catch (error) {
      expect((error as Error).message).toContain('my.json');
      expect((error as SimulatorConfigError).problems.join('\n')).toContain(expected);
    }
    await expect(startSimulator(input as SimulatorConfigInput)).rejects.toThrow(SimulatorConfigError); // invalid on purpose
  });
});

describe('admin endpoints', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await start({
      seed: 1,
      requestLogSize: 3,
      orgs: [
        { id: 'a', schedules: ['a-s1'], throttle: { burst: 2, refillPerSecond: 0.1 } },
        { id: 'b', schedules: ['b-s1'], throttle: null },
      ],
    });
  });
  afterAll(() => sim.close());

  it('keeps only the newest requestLogSize records', async () => {
    const token = await tokenFor(sim, 'b');
    for (let i = 0; i < 5; i++) await putItems(sim, token, 'b-s1', [assignment(`l${i}`, {})]);
    const log = (await admin<RequestRecord[]>(sim, 'GET', '/orgs/b/requests')).body;
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({ status: 200, items: 1, violation: false, inFlightAtArrival: 0 });
    expect(log.every((r) => typeof r.at === 'number' && (r.endedAt ?? 0) >= r.at)).toBe(true);
    expect((await admin<Stats>(sim, 'GET', '/stats')).body.orgs.b).toMatchObject({ putRequests: 5 });
  });

  it('lists issued tokens and the effective config', async () => {
    const token = await tokenFor(sim, 'a');
    const tokens = (await admin<IssuedToken[]>(sim, 'GET', '/tokens')).body;
    const entry = tokens.find((t) => t.token === token);
    expect(entry).toMatchObject({ orgId: 'a', clientId: 'a-client', revoked: false });
    expect((entry?.expiresAt ?? 0) - (entry?.issuedAt ?? 0)).toBe(3_600_000);
    const config = (await admin<SimulatorConfig>(sim, 'GET', '/config')).body;
    expect(config.seed).toBe(1);
    expect(config.orgs.map((o) => o.id)).toEqual(['a', 'b']);
  });

  it('resets stats, logs, assignments, tokens, windows and runtime changes, keeping the config', async () => {
    const token = await tokenFor(sim, 'a');
    await putItems(sim, token, 'a-s1', [assignment('r1')]);
    await putItems(sim, token, 'a-s1', [assignment('r2')]);
    expect((await putItems(sim, token, 'a-s1', [assignment('r3')])).status).toBe(429);
    await admin(sim, 'PUT', '/orgs/a/faults', { serverErrorRate: 1 });
    await admin(sim, 'PUT', '/orgs/a/clients/a-client/scopes', { scopes: [] });

    const before = (await admin<Stats>(sim, 'GET', '/stats')).body;
    const reset = await admin<{ reset: boolean }>(sim, 'POST', '/reset');
    expect(reset.status).toBe(200);
    const after = (await admin<Stats>(sim, 'GET', '/stats')).body;
    expect(after.startedAt).toBeGreaterThanOrEqual(before.startedAt);
    expect(after.orgs.a).toMatchObject({ putRequests: 0, status429: 0, assignmentsApplied: 0, tokenRequests: 0 });
    expect(after.orgs.a?.throttle).toMatchObject({ tokens: 2, windowOpenUntil: null });
    expect((await admin(sim, 'GET', '/orgs/a/requests')).body).toEqual([]);
    expect((await admin(sim, 'GET', '/tokens')).body).toEqual([]);
    expect((await putItems(sim, token, 'a-s1', [assignment('r1')])).status).toBe(401); // tokens forgotten

    const fresh = await tokenFor(sim, 'a'); // scopes and faults back to the config
    expect((await putItems(sim, fresh, 'a-s1', [assignment('r1')])).status).toBe(200);
  });

  it('replaces the config on reset with a body, and refuses an invalid one without changing anything', async () => {
    const invalid = await admin<{ problems: string[] }>(sim, 'POST', '/reset', {
      orgs: [
        { id: 'x', schedules: ['dup'] },
        { id: 'y', schedules: ['dup'] },
      ],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(['orgs[1].schedules[0]: duplicate schedule id "dup" (also in org "x")']);
    expect(Object.keys((await admin<Stats>(sim, 'GET', '/stats')).body.orgs)).toEqual(['a', 'b']);

    const replaced = await admin(sim, 'POST', '/reset', { orgs: [{ id: 'solo', throttle: null }] });
    expect(replaced.status).toBe(200);
    expect(Object.keys((await admin<Stats>(sim, 'GET', '/stats')).body.orgs)).toEqual(['solo']);
    expect((await requestToken(sim, 'a-client', 'a-secret')).status).toBe(401);
    const token = await tokenFor(sim, 'solo');
    expect((await putItems(sim, token, 'solo-s2', [assignment('z')])).status).toBe(200);
  });

  it('answers unknown admin paths with 404 and bad JSON with 400', async () => {
    expect((await fetch(`${sim.url}/__admin/nothing`)).status).toBe(404);
    const bad = await fetch(`${sim.url}/__admin/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(bad.status).toBe(400);
  });
});

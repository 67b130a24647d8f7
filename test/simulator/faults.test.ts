import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrgStats, RequestRecord, RunningSimulator } from '../../tools/simulator';
import { admin, assignment, putItems, start, tokenFor } from './helpers';

type Stats = { orgs: Record<string, OrgStats> };

describe('fault injection', () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    sim = await start({ seed: 7, orgs: [{ id: 'a', schedules: ['a-s1'], throttle: null }] });
  });
  beforeEach(async () => {
    await admin(sim, 'POST', '/reset');
    token = await tokenFor(sim, 'a');
  });
  afterAll(() => sim.close());

  const setFaults = (faults: Record<string, unknown>) => admin(sim, 'PUT', '/orgs/a/faults', faults);
  const stats = async () => (await admin<Stats>(sim, 'GET', '/stats')).body.orgs.a;
  const log = async () => (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
  const stored = async () => (await admin<unknown[]>(sim, 'GET', '/orgs/a/assignments')).body.length;

  async function statuses(count: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await putItems(sim, token, 'a-s1', [assignment(`s${i}`)])).status);
    return out;
  }

  it('answers about serverErrorRate of PUTs with 503, reproducibly for a seed', async () => {
    expect((await setFaults({ serverErrorRate: 0.3 })).status).toBe(200);
    const first = await statuses(200);
    const errors = first.filter((s) => s === 503).length;
    expect(errors / 200).toBeGreaterThan(0.2);
    expect(errors / 200).toBeLessThan(0.4);
    expect(first.filter((s) => s !== 503 && s !== 200)).toEqual([]);
    expect(await stats()).toMatchObject({
      status5xx: errors,
      status2xx: 200 - errors,
      assignmentsApplied: 200 - errors,
    });

    await admin(sim, 'POST', '/reset'); // back to configured faults (none) and the same seed
    token = await tokenFor(sim, 'a');
    await setFaults({ serverErrorRate: 0.3 });
    expect(await statuses(200)).toEqual(first);
  });

  it('sends the real-platform 503 body', async () => {
    await setFaults({ serverErrorRate: 1 });
    const response = await putItems(sim, token, 'a-s1', [assignment('x')]);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'service.unavailable', status: 503, details: [], errors: [] });
    expect(await stored()).toBe(0);
  });

  it('applies before failing when faultsAfterApply is on', async () => {
    await setFaults({ serverErrorRate: 1, faultsAfterApply: true });
    expect((await putItems(sim, token, 'a-s1', [assignment('x')])).status).toBe(503);
    expect(await stored()).toBe(1);
  });

  it('resets connections: fetch sees a network error; applied only with faultsAfterApply', async () => {
    await setFaults({ connectionResetRate: 1 });
    await expect(putItems(sim, token, 'a-s1', [assignment('x')])).rejects.toThrow(TypeError);
    expect(await stored()).toBe(0);
    await setFaults({ connectionResetRate: 1, faultsAfterApply: true });
    await expect(putItems(sim, token, 'a-s1', [assignment('x')])).rejects.toThrow(TypeError);
    expect(await stored()).toBe(1);
    expect(await stats()).toMatchObject({ connectionResets: 2, inFlight: 0, putRequests: 2 });
    expect((await log()).map((r) => r.status)).toEqual(['reset', 'reset']);
  });

  it('hangs until hangMs, then destroys the socket', async () => {
    await setFaults({ hangRate: 1, hangMs: 300 });
    const startedAt = Date.now();
    await expect(putItems(sim, token, 'a-s1', [assignment('x')])).rejects.toThrow(TypeError);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(await stats()).toMatchObject({ hungResponses: 1, inFlight: 0 });
  });

  it('releases a hung request as soon as the client gives up', async () => {
    await setFaults({ hangRate: 1, hangMs: 60_000 });
    const request = putItems(sim, token, 'a-s1', [assignment('x')], AbortSignal.timeout(150));
    await expect(request).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [record] = await log();
    expect(record?.status).toBe('hung');
    expect((record?.endedAt ?? 0) - (record?.at ?? 0)).toBeLessThan(1000);
    expect(await stats()).toMatchObject({ hungResponses: 1, inFlight: 0 });
  });

  it('adds fixed latency and spikes', async () => {
    await setFaults({ latencyMs: 150 });
    let startedAt = Date.now();
    expect((await putItems(sim, token, 'a-s1', [assignment('x')])).status).toBe(200);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(145);

    await setFaults({ latencySpikeRate: 1, latencySpikeMs: 200 });
    startedAt = Date.now();
    expect((await putItems(sim, token, 'a-s1', [assignment('y')])).status).toBe(200);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(195);

    await setFaults({});
    startedAt = Date.now();
    await putItems(sim, token, 'a-s1', [assignment('z')]);
    expect(Date.now() - startedAt).toBeLessThan(100);
  });

  it('measures peak concurrency from arrival to response end', async () => {
    await setFaults({ latencyMs: 300 });
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => putItems(sim, token, 'a-s1', [assignment(`c${i}`)])),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await stats()).toMatchObject({ peakConcurrency: 8, inFlight: 0, status2xx: 8 });
    expect((await log()).map((r) => r.inFlightAtArrival).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await putItems(sim, token, 'a-s1', [assignment('after')]);
    expect(await stats()).toMatchObject({ peakConcurrency: 8 });
  });

  it('refuses invalid fault settings', async () => {
    const response = await setFaults({ serverErrorRate: 1.5 });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('serverErrorRate');
    expect((await setFaults({ serverErrorRate: 0.6, hangRate: 0.6 })).status).toBe(400);
    expect((await setFaults({ nonsense: true })).status).toBe(400);
  });

  it('counts a client that gives up during latency as aborted, and still applies the write like a real server', async () => {
    await setFaults({ latencyMs: 300 });
    await expect(putItems(sim, token, 'a-s1', [assignment('slow')], AbortSignal.timeout(100))).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await stats()).toMatchObject({ clientAborts: 1, status2xx: 0, inFlight: 0 });
    expect(await stored()).toBe(1);
  });
});

describe('seedLabel', () => {
  it('gives orgs of different ids the same faults from the same seed', async () => {
    const org = (id: string) => ({
      id,
      seedLabel: 'same',
      schedules: [`${id}-s1`],
      throttle: null,
      faults: { serverErrorRate: 0.5 },
    });
    const sim = await start({ seed: 11, orgs: [org('a'), org('b'), { ...org('c'), seedLabel: undefined }] });
    try {
      const statuses = async (orgId: string) => {
        const token = await tokenFor(sim, orgId);
        const out: number[] = [];
        for (let i = 0; i < 40; i++)
          out.push((await putItems(sim, token, `${orgId}-s1`, [assignment(`s${i}`)])).status);
        return out;
      };
      const a = await statuses('a');
      expect(a).toContain(503);
      expect(await statuses('b')).toEqual(a);
      expect(await statuses('c')).not.toEqual(a); // derived from its id: 2^-40 odds of matching by chance
    } finally {
      await sim.close();
    }
  });
});

describe('close()', () => {
  it('ends promptly with hung and slow requests in flight', async () => {
    const sim = await start({
      orgs: [{ id: 'a', schedules: ['a-s1'], throttle: null, faults: { hangRate: 1, hangMs: 60_000 } }],
    });
    const token = await tokenFor(sim, 'a');
    const hung = putItems(sim, token, 'a-s1', [assignment('x')]).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = Date.now();
    await sim.close();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(TypeError);
  });
});

describe('login faults', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await start({ seed: 7, orgs: [{ id: 'a', schedules: ['a-s1'], throttle: null }] });
  });
  afterAll(() => sim.close());
  const setFaults = (faults: Record<string, unknown>) => admin(sim, 'PUT', '/orgs/a/faults', faults);
  const tokenRequests = async () =>
    (await admin<{ orgs: Record<string, OrgStats> }>(sim, 'GET', '/stats')).body.orgs.a!.tokenRequests;

  it('slows the login service down, or puts it out of reach, for one org', async () => {
    await setFaults({ loginDelayMs: 300 });
    const started = Date.now();
    await tokenFor(sim, 'a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await setFaults({ loginUnreachable: true });
    await expect(tokenFor(sim, 'a')).rejects.toThrow(TypeError);
    await setFaults({});
    expect(await tokenFor(sim, 'a')).toEqual(expect.any(String));
    expect(await tokenRequests()).toBe(3);
  });
});

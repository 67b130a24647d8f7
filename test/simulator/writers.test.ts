/**
 * Which client process wrote, under which lease: the simulator reads it from the User-Agent, counts requests
 * naming a lease older than one already seen, and requests arriving while another process had one in flight.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrgStats, RequestRecord, RunningSimulator } from '../../tools/simulator';
import { admin, assignment, start, tokenFor } from './helpers';

describe('writers of an org', () => {
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

  const stats = async () => (await admin<{ orgs: Record<string, OrgStats> }>(sim, 'GET', '/stats')).body.orgs.a!;
  const log = async () => (await admin<RequestRecord[]>(sim, 'GET', '/orgs/a/requests')).body;
  const put = (userAgent: string, id: string) =>
    fetch(`${sim.url}/api/v2/wfm/schedules/a-s1/assignments`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': userAgent },
      body: JSON.stringify({ assignments: [assignment(id)] }),
    });

  it('counts a request naming a lease older than one already seen, and attributes each to its process', async () => {
    await put('wfm-bulk/0.6.0 (worker p1; lease 5)', 'x1');
    await put('wfm-bulk/0.6.0 (worker p2; lease 7)', 'x2');
    await put('wfm-bulk/0.6.0 (worker p1; lease 5)', 'x3');
    await put('wfm-bulk/0.6.0 (worker p2; lease 7)', 'x4');
    await put('curl/8.0', 'x5');
    expect(await stats()).toMatchObject({ staleLeaseRequests: 1, overlappingWriters: 0, status2xx: 5 });
    expect((await log()).map(({ worker, leaseEpoch }) => [worker, leaseEpoch])).toEqual([
      ['p1', 5],
      ['p2', 7],
      ['p1', 5],
      ['p2', 7],
      [undefined, undefined],
    ]);
  });

  it('counts a request that arrives while another process has one in flight', async () => {
    await admin(sim, 'PUT', '/orgs/a/faults', { latencyMs: 300 });
    await Promise.all([put('w/1 (worker p1; lease 1)', 'y1'), put('w/1 (worker p1; lease 1)', 'y2')]);
    expect((await stats()).overlappingWriters).toBe(0);
    const first = put('w/1 (worker p1; lease 1)', 'y3');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([first, put('w/1 (worker p2; lease 2)', 'y4')]);
    expect(await stats()).toMatchObject({ overlappingWriters: 1, staleLeaseRequests: 0 });
  });
});

/**
 * Multi-org OAuth under load: one token request per tenant per token lifetime, refresh before expiry, and
 * recovery from tokens revoked mid-job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { bulkJob } from '../../workflows';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('tokens', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: null, faults: { latencyMs: 30 } },
        { id: 'globex', throttle: null, tokenTtlSeconds: 3, faults: { latencyMs: 30 } },
      ],
      limits: { acme: { concurrency: 10 }, globex: { concurrency: 10 } },
    });
  });
  afterAll(() => world?.close());

  it('shares one token among concurrent activities and refreshes it ahead of expiry', async () => {
    const acme = world.tenant('acme');
    const globex = world.tenant('globex');
    const rows = [...assignmentRows(acme, [`${acme}-s1`], 400), ...assignmentRows(globex, [`${globex}-s1`], 400)];
    const started = Date.now();
    const input = await world.startJobFromRows(rows, { batchSize: 1 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    const seconds = (Date.now() - started) / 1000;

    expect(result).toMatchObject({ status: 'completed', applied: 800, failed: 0 });
    const stats = world.sim.state.stats().orgs;
    expect(stats[acme]!.peakConcurrency).toBeGreaterThan(1);
    expect(stats[acme]!.tokenRequests).toBe(1);
    // Tokens of 3 s over a job of `seconds`: about one per lifetime, never one per activity.
    expect(stats[globex]!.tokenRequests).toBeGreaterThan(1);
    expect(stats[globex]!.tokenRequests).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 2);
    expect(stats[globex]!.status401).toBe(0);
  });

  it('refreshes once after tokens are revoked mid-job and loses nothing', async () => {
    const acme = world.tenant('acme');
    const rows = assignmentRows(acme, [`${acme}-s2`], 300, 'rev');
    const before = world.sim.state.stats().orgs[acme]!;
    const input = await world.startJobFromRows(rows, { batchSize: 1 });
    const handle = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    // Revoke once the job is well under way.
    await waitFor(
      '60 assignments applied',
      () => world.sim.state.stats().orgs[acme]!.status2xx - before.status2xx > 60,
    );
    world.sim.state.revokeTokens(acme);
    const result = await handle.result();

    expect(result).toMatchObject({ status: 'completed', applied: 300, failed: 0 });
    const after = world.sim.state.stats().orgs[acme]!;
    expect(after.status401 - before.status401).toBeGreaterThan(0);
    // Every activity that met the 401 dropped the same token: one refresh, not one per activity.
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
  });
});

/**
 * Determinism: histories recorded from a real job (throttling signals, steering, a refused schedule,
 * continue-as-new) replay against the current workflow code without a single divergence.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { pauseSignal, resumeSignal, setLimitsSignal } from '../../contracts/messages';
import type { bulkJob } from '../../workflows';
import { jobHistories } from '../../harness/histories';
import { waitFor } from '../../harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

describe('replay', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: { burst: 5, refillPerSecond: 10 } },
        { id: 'globex', throttle: null, faults: { latencyMs: 10 } },
      ],
    });
  });
  afterAll(() => world?.close());

  it('replays every history of a job that met throttling, steering, refusals and continue-as-new', async () => {
    const acme = world.tenant('acme');
    const globex = world.tenant('globex');
    const rows = [
      ...assignmentRows(acme, [`${acme}-s1`], 80, 'r'),
      ...assignmentRows(globex, ['unknown-schedule'], 10, 'x'),
      ...assignmentRows(globex, [`${globex}-s1`], 100, 'r'),
    ];
    const input = await world.startJobFromRows(rows, { batchSize: 1, tuning: { historyEventLimit: 200 } });
    const job = world.client.workflow.getHandle<typeof bulkJob>(input.jobId);
    await waitFor('some progress', () => world.sim.state.stats().orgs[globex]!.status2xx > 10);
    await job.signal(pauseSignal);
    await job.signal(setLimitsSignal, { tenantId: acme, concurrency: 2, ratePerSecond: 50 });
    await job.signal(resumeSignal);
    const result = await job.result();
    expect(result).toMatchObject({ applied: 180, failed: 10 });
    expect(world.sim.state.stats().orgs[acme]!.status429).toBeGreaterThan(0);

    const histories = await jobHistories(world.client, input);
    expect(histories.length).toBeGreaterThan(4); // job, two tenants, and continued runs
    const outcomes = [];
    for await (const outcome of Worker.runReplayHistories(
      { workflowBundle: { code: inject('workflowBundleCode') } },
      histories.map(({ workflowId, history }) => ({ workflowId, history })),
    )) {
      outcomes.push({ workflowId: outcome.workflowId, error: outcome.error?.message });
    }
    expect(outcomes).toHaveLength(histories.length);
    expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
  });
});

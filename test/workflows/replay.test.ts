/**
 * Determinism: histories recorded from a real job (throttling signals, steering, a refused schedule,
 * continue-as-new) replay against the current workflow code without a single divergence; and so do the
 * histories recorded from each release (`test/replay/histories/<release>/`, written by `npm run replay:record`),
 * so a change that would break jobs still running on a released version fails here, not in production.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { bulkJob } from '../../workflows';
import { PROJECT_ROOT } from '../../tools/paths';
import { jobHistories } from '../../tools/harness/histories';
import { RECORDED_ORGS, throttledAndSteered } from '../replay/jobs';
import { createWorld, type World } from '../helpers/world';

const RELEASED_HISTORIES = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');

/** Replays histories with the current workflow code; the failures, by workflow id. */
async function replayFailures(histories: { workflowId: string; history: unknown }[]) {
  const outcomes = [];
  for await (const outcome of Worker.runReplayHistories(
    { workflowBundle: { code: inject('workflowBundleCode') } },
    histories,
  )) {
    outcomes.push({ workflowId: outcome.workflowId, error: outcome.error?.message });
  }
  expect(outcomes).toHaveLength(histories.length);
  return outcomes.filter((outcome) => outcome.error);
}

describe('replay of released histories', () => {
  it('replays every history recorded from every release', async () => {
    const releases = await readdir(RELEASED_HISTORIES);
    expect(releases.length).toBeGreaterThan(0);
    const histories = [];
    for (const release of releases) {
      for (const file of (await readdir(path.join(RELEASED_HISTORIES, release))).filter((f) => f.endsWith('.json'))) {
        const json = JSON.parse(await readFile(path.join(RELEASED_HISTORIES, release, file), 'utf8')) as object;
        const history = temporal.api.history.v1.History.fromObject(json);
        histories.push({ workflowId: `${release}/${file}`, history });
      }
    }
    expect(histories.length).toBeGreaterThan(10);
    expect(await replayFailures(histories)).toEqual([]);
  });
});

describe('replay', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({ orgs: RECORDED_ORGS });
  });
  afterAll(() => world?.close());

  it('replays every history of a job that met throttling, steering, refusals and continue-as-new', async () => {
    const input = await throttledAndSteered(world);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ applied: 180, failed: 10 });
    expect(world.sim.state.stats().orgs[world.tenant('acme')]!.status429).toBeGreaterThan(0);

    const histories = await jobHistories(world.client, input);
    expect(histories.length).toBeGreaterThan(4); // job, two tenants, and continued runs
    expect(await replayFailures(histories.map(({ workflowId, history }) => ({ workflowId, history })))).toEqual([]);
  });
});

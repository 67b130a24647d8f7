/**
 * The tenant lease on a real dev server: one lease (one hold, one process) for every job writing to a tenant, its
 * concurrency shared between them; a claim of a stale attempt refused; a view older than the one a job has
 * ignored; and a batch that no process picks up going back to the holder.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseState } from '../../contracts/lease';
import {
  claimLeaseUpdate,
  leaseStateQuery,
  leaseViewSignal,
  pauseSignal,
  resumeSignal,
} from '../../contracts/messages';
import { tenantLeaseWorkflowId, tenantWorkflowId } from '../../contracts/names';
import { waitFor } from '../../tools/harness/wait';
import type { bulkJob } from '../../workflows';
import { assignmentRows, createWorld, type World } from '../helpers/world';

const CONCURRENCY = 5;

describe('the tenant lease', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      // Slow enough answers that several requests are out at once, so the shared cap shows.
      orgs: [{ id: 'acme', throttle: { burst: 20, refillPerSecond: 20 }, faults: { latencyMs: 150 } }],
      limits: { acme: { concurrency: CONCURRENCY } },
    });
  });
  afterAll(() => world?.close());

  const lease = () => world.client.workflow.getHandle(tenantLeaseWorkflowId(world.tenant('acme')));
  const leaseState = () => lease().query(leaseStateQuery);
  const appliedNow = () => world.sim.state.stats().orgs[world.tenant('acme')]!.assignmentsApplied;

  it('serves every job writing to a tenant from one hold, sharing its concurrency between them', async () => {
    const tenantId = world.tenant('acme');
    const first = await world.startJobFromRows(assignmentRows(tenantId, [`${tenantId}-s1`], 80, 'one'), {
      batchSize: 1,
    });
    await waitFor('the first job to hold the whole tenant', async () => {
      const state = await leaseState().catch(() => undefined);
      return state?.holder !== undefined && state.members.length === 1 && state.members[0]!.share === CONCURRENCY;
    });
    const second = await world.startJobFromRows(assignmentRows(tenantId, [`${tenantId}-s2`], 40, 'two'), {
      batchSize: 1,
    });
    let shared: LeaseState | undefined;
    await waitFor('both jobs to share the tenant', async () => {
      shared = await leaseState();
      return shared.members.length === 2;
    });
    expect(shared!.members.map((member) => member.share)).toEqual([3, 2]);
    expect(shared!.members.map((member) => member.jobId)).toEqual([first.jobId, second.jobId]);

    const results = await Promise.all(
      [first, second].map((job) => world.client.workflow.getHandle<typeof bulkJob>(job.jobId).result()),
    );
    expect(results.map((result) => result.status)).toEqual(['completed', 'completed']);
    const after = await leaseState();
    expect(after.holds).toBe(1); // one hold for both jobs, never handed around
    expect(world.sim.state.stats().orgs[tenantId]!.peakConcurrency).toBeLessThanOrEqual(CONCURRENCY);
    expect(world.sim.state.stats().orgs[tenantId]!.staleLeaseRequests).toBe(0);
    await waitFor('the lease to let its members go', async () => (await leaseState()).members.length === 0);
  });

  it("refuses a claim of an attempt older than the holder's, or of another hold", async () => {
    const tenantId = world.tenant('acme');
    const job = await world.startJobFromRows(assignmentRows(tenantId, [`${tenantId}-s3`], 60, 'claim'), {
      batchSize: 1,
    });
    await waitFor('a holder', async () => (await leaseState().catch(() => undefined))?.holder !== undefined);
    const before = await leaseState();
    const claim = (hold: number, attempt: number) =>
      lease().executeUpdate(claimLeaseUpdate, {
        args: [{ hold, attempt, taskQueue: 'wfm-bulk-tenant-stale@nowhere', worker: 'stale' }],
      });
    await expect(claim(before.holds, 0)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(claim(before.holds + 1, 99)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await leaseState()).holder).toEqual(before.holder);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(job.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 60 });
  });

  it('sends a batch no process picks up back to the holder, and ignores a view older than its own', async () => {
    const tenantId = world.tenant('acme');
    const job = await world.startJobFromRows(
      assignmentRows(tenantId, ['acme-s1'.replace('acme', tenantId)], 60, 'sts'),
      {
        batchSize: 1,
        tuning: { scheduleToStartMs: 1_500 },
      },
    );
    const member = world.client.workflow.getHandle(tenantWorkflowId(job.jobId, tenantId));
    await waitFor('the job to write through the lease', async () => {
      const state = await leaseState().catch(() => undefined);
      return state?.holder !== undefined && state.members.some((m) => m.workflowId === member.workflowId);
    });
    const state = await leaseState();
    // A view newer than the lease's, naming a process that does not exist: batches go where nobody polls.
    const ghost = {
      seq: state.seq + 1,
      holder: { epoch: 1, taskQueue: 'wfm-bulk-tenant-ghost@nowhere', worker: 'ghost' },
      share: 2,
      directive: state.directive,
    };
    await member.signal(leaseViewSignal, ghost);
    const stalledAt = appliedNow();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(appliedNow() - stalledAt).toBeLessThanOrEqual(CONCURRENCY); // only what was out already landed
    // Pause and resume: two changes of the lease, so its next view is newer than the ghost's.
    const jobHandle = world.client.workflow.getHandle<typeof bulkJob>(job.jobId);
    await jobHandle.signal(pauseSignal);
    await jobHandle.signal(resumeSignal);
    await waitFor('the batches to go to the holder again', () => appliedNow() > stalledAt + CONCURRENCY, 30_000);
    await member.signal(leaseViewSignal, ghost); // older than what the member has now: ignored
    const result = await jobHandle.result();
    expect(result).toMatchObject({ status: 'completed', applied: 60, failed: 0 });

    const history = await member.fetchHistory();
    const notPickedUp = (history.events ?? []).filter(
      (event) =>
        event.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType ===
        temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
    );
    expect(notPickedUp.length).toBeGreaterThan(0);
  });
});

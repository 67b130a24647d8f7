/**
 * A tenant's lease changes hands when its holder dies: the process that takes over honours the Retry-After window
 * the dead one had met (its last renewal of the lease carried it), whatever the tenant workflow knows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tenantProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { leaseRenewEveryMs } from '../../contracts/lease';
import type { bulkJob } from '../../workflows';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type World } from '../helpers/world';

/** Far longer than the hand-over (the hold's heartbeat timeout and a worker's start), so it is still on then. */
const RETRY_AFTER_SECONDS = 15;
const HEARTBEAT_TIMEOUT_MS = 3_000;
const ROWS = 6;

describe('hand-over of a tenant', () => {
  let world: World;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    world = await createWorld({
      // A bucket of 3 met by a pacer burst of 5: the fourth PUT meets a 429 whose "retry after 15 s" is the API's
      // word although the bucket refills sooner. One batch at a time, so the tenant still has batches to hand out
      // when its process dies; the three left after the window fit in the refilled bucket.
      orgs: [{ id: 'acme', throttle: { burst: 3, refillPerSecond: 2, retryAfterSeconds: RETRY_AFTER_SECONDS } }],
      limits: { acme: { concurrency: 1, ratePerSecond: 1.5, burst: 5 } },
      workers: false,
    });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  });
  afterAll(() => world?.close());

  it('keeps the Retry-After window the dead process met', async () => {
    const tenantId = world.tenant('acme');
    const first = spawnWorker(world);
    workers.push(first);
    await first.ready;
    const input = await world.startJobFromRows(assignmentRows(tenantId, [`${tenantId}-s1`], ROWS, 'h'), {
      batchSize: 1,
      tuning: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
    });
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(input.jobId, tenantId));
    await waitFor(
      'the API to open a Retry-After window',
      () => (world.sim.state.stats().orgs[tenantId]!.throttle?.windowOpenUntil ?? 0) > Date.now(),
      60_000,
    );
    const cooldownUntil = world.sim.state.stats().orgs[tenantId]!.throttle!.windowOpenUntil!;
    // The holder's next renewals carry the window it met.
    await new Promise((resolve) => setTimeout(resolve, 2 * leaseRenewEveryMs(HEARTBEAT_TIMEOUT_MS)));
    const progress = await tenant.query(tenantProgressQuery);
    const undispatched = progress.batchCount - progress.batchesDone - progress.inFlight;
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    // Batches still to hand out: the run goes on with the new process (no continue-as-new in between).
    expect(undispatched).toBeGreaterThan(0);
    // The window outlasts the hand-over: the test sees what the new process does inside it.
    expect(cooldownUntil - killedAt).toBeGreaterThan(HEARTBEAT_TIMEOUT_MS + 5_000);

    workers.push(spawnWorker(world));
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: ROWS, failed: 0 });
    const requests = world.sim.state.requestLog(tenantId);
    const sentAfterKill = requests.filter((record) => record.at > killedAt);
    expect(sentAfterKill.length).toBeGreaterThan(0);
    // The new process sent nothing before the window the dead one met was over.
    expect(Math.min(...sentAfterKill.map((record) => record.at))).toBeGreaterThanOrEqual(cooldownUntil - 50);
    expect(world.sim.state.stats().orgs[tenantId]!.violations).toBe(0);
  });
});

/**
 * Payload encryption on a real dev server: with the codec on, no payload of any history of a job is readable
 * (every one but the search attributes is `binary/encrypted` under a key id), no assignment field or secret shows
 * in the raw history, signals from the serving worker process still arrive, a worker process SIGKILLed mid-job and
 * replaced by one with a rotated key finishes the job, and the CLI reads the job with the keys and says clearly
 * what is missing without them.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../codec/aes-gcm-codec';
import { jobsDocumentSchema } from '../../client/output/documents';
import type { JobInput } from '../../contracts/job';
import type { LeaseView } from '../../contracts/lease';
import { leaseViewSignal } from '../../contracts/messages';
import { runCli } from '../../tools/harness/cli';
import { historyText, jobHistories, type RecordedHistory } from '../../tools/harness/histories';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { findSecrets, secretsOf } from '../../tools/harness/secrets';
import { waitFor } from '../../tools/harness/wait';
import type { bulkJob } from '../../workflows';
import { createWorld, type World } from '../helpers/world';
import { storedItemRefs } from '../../contracts/tenant';

const key1 = `k1:${randomBytes(32).toString('base64')}`;
const key2 = `k2:${randomBytes(32).toString('base64')}`;
/** Every assignment value of this file carries this mark, so one search finds any of them. */
const MARK = 'codec-';

/** Assignments whose every field but the tenant (which names workflows and queues) is distinctive. */
function markedRows(world: World, name: string, count: number, tag: string) {
  const tenantId = world.tenant(name);
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.UTC(2027, 2, 1 + (i % 28), 6 + (i % 10)));
    return {
      tenantId,
      scheduleId: `${MARK}sched-${name}-${(i % 2) + 1}`,
      id: `${MARK}asg-${tag}-${i + 1}`,
      userId: `${MARK}user-${world.suffix}-${i % 40}`,
      start: start.toISOString(),
      end: new Date(start.getTime() + 7.5 * 3600_000).toISOString(),
      activityCodeId: `${MARK}activity-${i % 3}`,
      managementUnitId: `${MARK}unit-${name}`,
      notes: `${MARK}note: ${tag} #${i + 1}, back from parental leave, prefers mornings`,
    };
  });
}

/** Every payload of a history but the search attributes, which the server must read and no codec touches. */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  // A decoded `temporal.api.common.v1.Payload`: the only message of a history with both fields.
  if ('metadata' in value && 'data' in value) found.push(value as Payload);
  else for (const [key, child] of Object.entries(value)) if (key !== 'searchAttributes') payloadsOf(child, found);
  return found;
}

const utf8 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/**
 * The history without the plain payloads Temporal writes itself, after checking they are only that: a `patched()`
 * marker's patch id (the SDK writes it outside the codec; ours, a constant) and the server's note on an activity
 * cancelled before it started (`"ACTIVITY_ID_NOT_STARTED"`, when a batch waiting for its retry is cancelled).
 */
function withoutTemporalsOwnPayloads(history: RecordedHistory['history']): RecordedHistory['history'] {
  const events = (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker) {
      expect(marker.markerName).toBe('core_patch');
      const data: unknown = marker.details?.['patch-data']?.payloads?.[0]?.data;
      const text = typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : utf8(data as Uint8Array);
      expect(text).toMatch(/^\{"id":"[a-z-]+","deprecated":(true|false)\}$/);
      return [];
    }
    const cancelled = event.activityTaskCanceledEventAttributes;
    const note = cancelled?.details?.payloads?.[0];
    if (cancelled && note && utf8(note.metadata?.encoding) === 'json/plain') {
      expect(utf8(note.data)).toBe('"ACTIVITY_ID_NOT_STARTED"');
      expect(cancelled.details!.payloads).toHaveLength(1);
      return [{ ...event, activityTaskCanceledEventAttributes: { ...cancelled, details: null } }];
    }
    return [event];
  });
  return { ...history, events };
}

/** Checks the raw histories of a job; returns the key ids its payloads were encrypted with. */
function expectUnreadable(world: World, input: JobInput, histories: RecordedHistory[], logs: string[] = []) {
  const keyIds = new Set<string>();
  let payloads = 0;
  const texts: Record<string, string> = {};
  logs.forEach((log, index) => (texts[`worker log ${index + 1}`] = log));
  for (const recorded of histories) {
    const { workflowId, runId } = recorded;
    const history = withoutTemporalsOwnPayloads(recorded.history);
    for (const event of history.events ?? []) {
      for (const payload of payloadsOf(event)) {
        payloads++;
        const where = `${workflowId}: event ${String(event.eventId)} ${String(event.eventType)}: ${utf8(payload.data).slice(0, 200)}`;
        expect(utf8(payload.metadata?.encoding), where).toBe(ENCRYPTED_ENCODING);
        keyIds.add(utf8(payload.metadata?.[KEY_ID_METADATA]));
      }
    }
    texts[`history of ${workflowId} (${runId})`] = historyText(history);
  }
  expect(payloads).toBeGreaterThan(histories.length * 3);
  const raw = Object.values(texts).join('\n');
  expect(raw).not.toContain(MARK);
  // The job's input holds the store keys and its memo the input file's name; raw, neither shows.
  for (const ref of input.tenants.flatMap(storedItemRefs)) expect(raw).not.toContain(ref);
  expect(raw).not.toContain(input.source.fileName);
  expect(raw).not.toContain('json/plain');
  expect(secretsOf(world).length).toBeGreaterThan(2);
  expect(findSecrets(world, texts)).toEqual([]);
  return keyIds;
}

/** The claim-check store holds the assignments themselves: sealed, none of them readable where they lie either. */
async function expectStoreSealed(world: World) {
  const blobs: string[] = [];
  for await (const blob of world.rawStore.list()) blobs.push(blob.key);
  expect(blobs.length).toBeGreaterThanOrEqual(3); // the input file and one blob per tenant
  for (const key of blobs) expect((await world.rawStore.get(key)).toString('latin1')).not.toContain(MARK);
}

describe('payload encryption', () => {
  let world: World;
  const processes: WorkerProcess[] = [];
  const jobs: JobInput[] = [];
  beforeAll(async () => {
    world = await createWorld({
      orgs: ['acme', 'globex'].map((id) => ({
        id,
        schedules: [1, 2].map((n) => `${MARK}sched-${id}-${n}`),
        throttle: { burst: 10, refillPerSecond: 15 },
        faults: { latencyMs: 10 },
      })),
      // Rotation, step one everywhere: k2 is known (decrypts) before any process encrypts with it.
      codecKeys: `${key1},${key2}`,
    });
  });
  afterEach(async () => {
    await Promise.all(processes.map((worker) => worker.kill()));
  });
  afterAll(() => world?.close());

  const readBack = (tenantId: string) =>
    world.sim.state
      .assignments(tenantId)
      .map(({ scheduleId, ...assignment }) => ({ tenantId, scheduleId, ...assignment }))
      .sort((a, b) => a.id.localeCompare(b.id));

  it('hides every payload of a throttled job run by in-process Workers; the lease’s signals still arrive', async () => {
    const rows = [...markedRows(world, 'acme', 120, 'a'), ...markedRows(world, 'globex', 120, 'g')];
    const input = await world.startJobFromRows(rows, { batchSize: 1 });
    jobs.push(input);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 240, failed: 0 });

    for (const name of ['acme', 'globex']) {
      const tenantId = world.tenant(name);
      expect(readBack(tenantId)).toEqual(
        rows.filter((row) => row.tenantId === tenantId).sort((a, b) => a.id.localeCompare(b.id)),
      );
      // Throttling really met (its Retry-After arithmetic is job.test.ts's subject, not this file's).
      expect(world.sim.state.stats().orgs[tenantId]!.status429).toBeGreaterThan(0);
      // The tenant workflow counted the 429s from its activities' results: they were encoded and decoded.
      expect(result.tenants.find((tenant) => tenant.tenantId === tenantId)!.throttled).toBeGreaterThan(0);
    }

    const histories = await jobHistories(world.client, input);
    expect(expectUnreadable(world, input, histories)).toEqual(new Set(['k1']));
    await expectStoreSealed(world);

    // What is hidden is there for whoever holds the key: the job's input (its store keys) and the signals.
    const converter = world.client.options.loadedDataConverter;
    const started = histories[0]!.history.events![0]!.workflowExecutionStartedEventAttributes!;
    const decodedInput = await decodeFromPayloadsAtIndex<JobInput>(converter, 0, started.input!.payloads);
    expect(decodedInput.tenants.map(storedItemRefs)).toEqual(input.tenants.map(storedItemRefs));
    const signals = histories.flatMap(({ history }) =>
      (history.events ?? []).flatMap((event) => {
        const signaled = event.workflowExecutionSignaledEventAttributes;
        return signaled?.signalName === leaseViewSignal.name ? [signaled] : [];
      }),
    );
    // At least one per tenant: the lease telling its job which process holds it.
    expect(signals.length).toBeGreaterThanOrEqual(2);
    const views = await Promise.all(
      signals.map((signal) => decodeFromPayloadsAtIndex<LeaseView>(converter, 0, signal.input!.payloads)),
    );
    expect(views.some((view) => view.holder?.taskQueue.startsWith('wfm-bulk-tenant-'))).toBe(true);
  });

  it('finishes a job after its worker process is SIGKILLed, under a rotated key', async () => {
    await world.stopWorkers();
    const first = spawnWorker(world);
    processes.push(first);
    await first.ready;
    expect(first.output()).toContain('payloads encrypted with key k1');

    const rows = [...markedRows(world, 'acme', 150, 'ka'), ...markedRows(world, 'globex', 150, 'kg')];
    const input = await world.startJobFromRows(rows, { batchSize: 1, tuning: { heartbeatTimeoutMs: 3_000 } });
    jobs.push(input);
    const tenantIds = [world.tenant('acme'), world.tenant('globex')];
    const appliedOfJob = () =>
      tenantIds.reduce((sum, tenantId) => sum + readBack(tenantId).filter((a) => a.id.includes('-k')).length, 0);
    await waitFor('a third of the job', () => appliedOfJob() >= 100, 90_000);
    await first.kill('SIGKILL');
    expect(appliedOfJob()).toBeLessThan(300);

    // The replacement encrypts with a new key and still reads everything written under the old one.
    const second = spawnWorker(world, { WFM_CODEC_KEYS: `${key2},${key1}` });
    processes.push(second);
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 300, failed: 0 });
    for (const tenantId of tenantIds) {
      const expected = rows.filter((row) => row.tenantId === tenantId);
      const stored = readBack(tenantId).filter((a) => a.id.includes('-k'));
      expect(stored).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    }

    const histories = await jobHistories(world.client, input);
    const keyIds = expectUnreadable(world, input, histories, [first.output(), second.output()]);
    expect(keyIds).toEqual(new Set(['k1', 'k2']));
    await expectStoreSealed(world);
  }, 240_000); // two worker processes bundle the workflow code, and a dead one's tasks must time out

  it('lets the CLI read an encrypted job with the keys, and says what is missing without them', async () => {
    const jobId = jobs[1]!.jobId;
    const withKeys = await runCli(['status', jobId, '--json'], { ...world.env, WFM_CODEC_KEYS: `${key2},${key1}` });
    expect(withKeys.stderr).toBe('');
    expect(withKeys.code).toBe(0);
    expect(JSON.parse(withKeys.stdout)).toMatchObject({ jobId, status: 'completed', total: 300, applied: 300 });

    const withoutKeys = await runCli(['status', jobId, '--json'], { ...world.env, WFM_CODEC_KEYS: '' });
    expect(withoutKeys.code).toBe(2);
    expect(withoutKeys.stdout).toBe('');
    expect(withoutKeys.stderr.trim()).toMatch(
      /^wfm-bulk: a payload is encrypted \(key id "k[12]"\) but no codec keys are set: give them in WFM_CODEC_KEYS or WFM_CODEC_KEYS_FILE$/,
    );

    // Listing still works without the key: counts come from search attributes, the encrypted memo is marked.
    const listed = await runCli(['list', '--json', '--limit', '1000'], { ...world.env, WFM_CODEC_KEYS: '' });
    expect(listed.code).toBe(0);
    expect(jobsDocumentSchema.parse(JSON.parse(listed.stdout)).jobs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jobId, status: 'completed', total: 300, file: '(encrypted)' }),
      ]),
    );

    const otherKey = await runCli(['status', jobId, '--json'], {
      ...world.env,
      WFM_CODEC_KEYS: `k9:${randomBytes(32).toString('base64')}`,
    });
    expect(otherKey.code).toBe(2);
    expect(otherKey.stderr.trim()).toMatch(
      /^wfm-bulk: a payload is encrypted with key id "k[12]", which is not among the codec keys \(k9\)/,
    );

    const badKey = await runCli(['status', jobId], {
      ...world.env,
      WFM_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')}`,
    });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr.trim()).toBe(
      'wfm-bulk: WFM_CODEC_KEYS: key "k1" is 16 bytes, AES-256 needs 32 (make one with `openssl rand -base64 32`)',
    );
  });
});

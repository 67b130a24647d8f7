/**
 * Retention (`wfm-bulk gc`): only blobs of jobs closed before the cut-off go; running jobs, recently closed ones,
 * jobs stored but not started yet, blobs written again since the cut-off and pre-0.3 unscoped blobs stay.
 */
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyGc, planGc, type JobState } from '../../client/jobs/gc';
import { BlobNotFoundError, FileBlobStore } from '../../store/blob-store';

const DAY = 86_400_000;
const now = new Date('2027-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

describe('gc of the claim-check store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-gc-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('deletes the blobs of jobs closed before the cut-off, and nothing a job may still read', async () => {
    const store = new FileBlobStore(path.join(dir, 'store'));
    /** Stores `content` for `jobId`, written `age` days before `now`. */
    const put = async (jobId: string | undefined, content: string, age: number) => {
      const key = await store.put(Buffer.from(content), jobId);
      const at = daysAgo(age);
      await utimes(
        path.join(store.directory, ...(jobId === undefined ? [key.slice(7, 9), key] : key.split('/'))),
        at,
        at,
      );
      return key;
    };
    const keys = {
      oldClosed: [await put('old-closed', 'input', 60), await put('old-closed', 'items', 60)],
      recentClosed: await put('recent-closed', 'input', 60),
      running: await put('running', 'input', 90), // a job running for three months
      storedNotStarted: await put('not-started', 'input', 0), // a client between its puts and its start
      forgotten: await put('forgotten', 'input', 45), // past Temporal's retention, or never started
      reused: [await put('reused', 'first run', 60), await put('reused', 'second run', 1)],
      legacy: await put(undefined, 'shared by 0.2 jobs', 400),
    };
    const states: Record<string, JobState> = {
      'old-closed': { state: 'closed', status: 'completed', closedAt: daysAgo(40) },
      'recent-closed': { state: 'closed', status: 'failed', closedAt: daysAgo(3) },
      running: { state: 'running' },
      reused: { state: 'closed', status: 'completed', closedAt: daysAgo(31) },
    };
    const asked: string[] = [];
    const jobState = (jobId: string): Promise<JobState> => {
      asked.push(jobId);
      return Promise.resolve(states[jobId] ?? { state: 'unknown' });
    };

    const plan = await planGc(store, jobState, { olderThanMs: 30 * DAY, now });
    expect(plan.cutoff).toEqual(daysAgo(30));
    expect(asked.sort()).toEqual(['forgotten', 'not-started', 'old-closed', 'recent-closed', 'reused', 'running']);
    const removed = plan.jobs.flatMap((job) => job.remove.map((blob) => blob.key)).sort();
    expect(removed).toEqual([...keys.oldClosed, keys.forgotten, keys.reused[0]!].sort());
    expect(plan.legacy.map((blob) => blob.key)).toEqual([keys.legacy]);

    // A dry run is the plan alone: everything is still there.
    for (const key of removed) await expect(store.get(key)).resolves.toBeInstanceOf(Buffer);
    expect(await applyGc(store, plan)).toEqual({ blobs: 4, bytes: 'inputitemsinputfirst run'.length });
    for (const key of removed) await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    for (const key of [keys.recentClosed, keys.running, keys.storedNotStarted, keys.reused[1]!, keys.legacy])
      expect(await store.get(key)).toBeInstanceOf(Buffer);

    // Nothing more to do on a second pass.
    const again = await planGc(store, jobState, { olderThanMs: 30 * DAY, now });
    expect(again.jobs.flatMap((job) => job.remove)).toEqual([]);
  });

  it('stops, deleting nothing, when Temporal cannot say what a job is', async () => {
    const store = new FileBlobStore(path.join(dir, 'unreachable'));
    await store.put(Buffer.from('x'), 'some-job');
    await expect(
      planGc(store, () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')), {
        olderThanMs: DAY,
        now: new Date(Date.now() + 10 * DAY),
      }),
    ).rejects.toThrow(/UNAVAILABLE/);
  });
});

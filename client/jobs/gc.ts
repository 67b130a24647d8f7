/**
 * Retention of the claim-check store (`wfm-bulk gc --older-than 30d`): the blobs of jobs that closed before the
 * cut-off go, nothing a running or recently closed job may still read does.
 *
 * Why it is safe, by construction rather than by bookkeeping:
 *
 * - **Every blob names its job.** The client stores a job's input and items under `jobs/<jobId>/…`, and its
 *   activities store its failure blocks there too (`store/blob-keys.ts`); nothing is shared between jobs, so a
 *   blob's fate is its job's. A `retry` job reads the earlier job's blobs only before it starts, and stores what it
 *   needs again under its own id: it never depends on the earlier job's retention. No manifest to keep in step.
 * - **Temporal says which jobs are over.** For each job id in the store, gc describes the job workflow of that id
 *   (its latest run): running, or closed and when. Only a job closed before the cut-off loses its blobs.
 * - **Age covers what Temporal cannot know.** A job Temporal does not know was either never started (a client that
 *   stored its blobs and has not started it yet, or died between the two) or has left Temporal's own retention;
 *   its blobs go only once the newest of them is older than the cut-off, so a client that has just stored a job is
 *   safe. And no blob younger than the cut-off is ever deleted, whatever its job's state: a job id reused after
 *   its job closed (`--reuse-job-id`) writes its blobs afresh (a write renews a blob's age).
 * - **Blobs from before job-scoped keys** (`sha256-…` at the store's root) may be shared by several jobs; gc keeps
 *   and counts them. Remove them by hand once no job started before the upgrade can still be reported on.
 *
 * gc must talk to the same Temporal namespace as the jobs' clients: to another, every job would look unknown and go
 * by age alone. The cut-off is at least a day (`--older-than`).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BlobEntry, BlobStore } from '../../store/blob-store';

/** What Temporal says of a job id. */
export type JobState =
  | { state: 'running' }
  | { state: 'closed'; status: string; closedAt: Date }
  /** Not in this namespace: never started, or past Temporal's own retention. */
  | { state: 'unknown' };

export interface JobGc {
  jobId: string;
  job: JobState;
  /** The job's blobs that go (all of them, or none, but for blobs written again since the cut-off). */
  remove: BlobEntry[];
  keep: BlobEntry[];
  /** Why, in a few words. */
  why: string;
}

export interface GcPlan {
  cutoff: Date;
  jobs: JobGc[];
  /** Blobs from before job-scoped keys: kept. */
  legacy: BlobEntry[];
}

/** The job's state as Temporal tells it; an error other than "not found" stops gc (nothing is guessed). */
export async function describeJob(client: Client, jobId: string): Promise<JobState> {
  try {
    const description = await client.workflow.getHandle(jobId).describe();
    if (description.status.name === 'RUNNING') return { state: 'running' };
    // A closed run always has a close time; the start time stands in should a server leave it out.
    const closedAt = description.closeTime ?? description.startTime;
    return { state: 'closed', status: description.status.name.toLowerCase(), closedAt };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { state: 'unknown' };
    throw error;
  }
}

/** Jobs described at once: enough to go through thousands of jobs quickly, few enough for any server's rate. */
const DESCRIBE_CONCURRENCY = 8;

/** What gc would delete at `now` with `olderThanMs`; deletes nothing. */
export async function planGc(
  store: BlobStore,
  jobState: (jobId: string) => Promise<JobState>,
  options: { olderThanMs: number; now?: Date },
): Promise<GcPlan> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.olderThanMs);
  const byJob = new Map<string, BlobEntry[]>();
  const legacy: BlobEntry[] = [];
  for await (const entry of store.list()) {
    if (entry.jobId === undefined) legacy.push(entry);
    else byJob.set(entry.jobId, [...(byJob.get(entry.jobId) ?? []), entry]);
  }
  const jobIds = [...byJob.keys()].sort();
  const jobs: JobGc[] = [];
  for (let start = 0; start < jobIds.length; start += DESCRIBE_CONCURRENCY) {
    const chunk = jobIds.slice(start, start + DESCRIBE_CONCURRENCY);
    const states = await Promise.all(chunk.map(jobState));
    chunk.forEach((jobId, index) => jobs.push(decide(jobId, states[index]!, byJob.get(jobId)!, cutoff)));
  }
  return { cutoff, jobs, legacy };
}

function decide(jobId: string, job: JobState, blobs: BlobEntry[], cutoff: Date): JobGc {
  const keepAll = (why: string): JobGc => ({ jobId, job, remove: [], keep: blobs, why });
  const newest = new Date(Math.max(...blobs.map((blob) => blob.modifiedAt.getTime())));
  if (job.state === 'running') return keepAll('running');
  if (job.state === 'closed' && job.closedAt > cutoff) return keepAll(`closed ${job.closedAt.toISOString()}`);
  if (job.state === 'unknown' && newest > cutoff) return keepAll(`not started (yet), stored ${newest.toISOString()}`);
  // Over: all but what was written since the cut-off (a job id used again).
  const old = (blob: BlobEntry) => blob.modifiedAt <= cutoff;
  return {
    jobId,
    job,
    remove: blobs.filter(old),
    keep: blobs.filter((blob) => !old(blob)),
    why:
      job.state === 'closed'
        ? `${job.status} ${job.closedAt.toISOString()}`
        : `unknown to Temporal, stored ${newest.toISOString()}`,
  };
}

/** Deletes what `plan` removes, a few at a time; returns how many blobs and bytes went. */
export async function applyGc(store: BlobStore, plan: GcPlan): Promise<{ blobs: number; bytes: number }> {
  const doomed = plan.jobs.flatMap((job) => job.remove);
  for (let start = 0; start < doomed.length; start += DESCRIBE_CONCURRENCY)
    await Promise.all(doomed.slice(start, start + DESCRIBE_CONCURRENCY).map((blob) => store.delete(blob.key)));
  return { blobs: doomed.length, bytes: sum(doomed) };
}

export const sum = (blobs: readonly BlobEntry[]) => blobs.reduce((total, blob) => total + blob.bytes, 0);

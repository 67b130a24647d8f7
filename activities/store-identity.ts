/**
 * Is this process's claim-check store the one a job's client wrote to? Every store has an id, written on first use
 * (`BlobStore.identity`); the client records it in the job's memo (`storeId`, `client/jobs/start.ts`), so workflow
 * code and history stay as they were, and a worker compares it with its own before it serves a tenant of the job.
 *
 * A process configured with another store (another bucket, prefix, folder or machine) would otherwise fail every
 * batch on a missing blob. It lets other processes take the tenant a few times, as for a tenant it does not know,
 * then the tenant fails with a message naming the store. Jobs started before ids were recorded are not checked.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../contracts/names';
import { STORE_ID_MEMO } from '../store/blob-keys';
import type { BlobStore } from '../store/blob-store';

/** A process with another store gives another process this many tries before the tenant fails. */
export const STORE_MISMATCH_ATTEMPTS = 3;

/** Jobs whose recorded store id this process remembers (a job's memo never changes). */
const REMEMBERED_JOBS = 1_000;

export class JobStoreCheck {
  private readonly recorded = new Map<string, Promise<string | undefined>>();

  constructor(private readonly store: BlobStore) {}

  /**
   * Throws an `InputUnavailable` failure when the job was written to another store: retryable (on another process)
   * for the first attempts of the activity, final after that.
   */
  async check(jobId: string, client: Client, attempt: number): Promise<void> {
    const [own, recorded] = await Promise.all([this.store.identity(), this.recordedFor(jobId, client)]);
    if (recorded === undefined || recorded === own) return;
    const message =
      `job ${jobId} was stored in another claim-check store (id ${recorded}) than this worker's ` +
      `${this.store.location} (id ${own}); give the client and every worker the same WFM_STORE_URL (or WFM_STORE_DIR)`;
    if (attempt < STORE_MISMATCH_ATTEMPTS)
      throw ApplicationFailure.create({ message, type: failureTypes.inputUnavailable, nextRetryDelay: 1_000 });
    throw ApplicationFailure.nonRetryable(message, failureTypes.inputUnavailable);
  }

  private recordedFor(jobId: string, client: Client): Promise<string | undefined> {
    let recorded = this.recorded.get(jobId);
    if (!recorded) {
      recorded = client.workflow
        .getHandle(jobId)
        .describe()
        .then(({ memo }) => {
          const id = memo?.[STORE_ID_MEMO];
          return typeof id === 'string' ? id : undefined;
        });
      // A failed look-up is asked again next time (the activity's retry).
      recorded.catch(() => this.recorded.delete(jobId));
      this.recorded.set(jobId, recorded);
      if (this.recorded.size > REMEMBERED_JOBS) this.recorded.delete(this.recorded.keys().next().value!);
    }
    return recorded;
  }
}

/**
 * What activities need from their worker process, gathered so activities stay free of process wiring and
 * tests can build them around a simulator.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Dispatcher } from 'undici';
import { CodecError } from '../codec/codec-error';
import { failureTypes } from '../contracts/names';
import { BlobNotFoundError, type BlobStore } from '../store/blob-store';
import { OAuthError } from './auth/oauth';
import type { AccessToken } from './auth/token-cache';
import { JobStoreCheck } from './store-identity';
import { itemsCacheBytesFromEnv, StoredItemsCache, type TenantItems } from './stored-items';
import { TenantUnavailableError, type TenantRuntime, type TenantRuntimes, type TenantUse } from './tenant-runtime';
import type { LogFields } from './log-fields';
import { createHttpAgent } from './http/check-before-write';

/** A tenant's task queue in this process, held open while a tenant workflow needs it. */
export interface TenantQueueLease {
  taskQueue: string;
  release(): void;
  /** Resolves when the tenant's Worker in this process has stopped polling, for whatever reason. */
  stopped: Promise<void>;
}

export interface ActivityDeps {
  /** This process's id, part of its tenant queues' names and shown as the tenant's worker. */
  workerId: string;
  /** The HTTP connection pool the PUTs go through (kept-alive connections per API host). */
  http: Dispatcher;
  /**
   * The tenant's runtime, kept open until the use is released (a runtime nobody uses is closed after a while);
   * a final failure when this process cannot serve it.
   */
  acquireTenant(tenantId: string): TenantUse;
  /** Opens (or shares) the tenant's task queue in this process: its PUTs will run here. */
  serveTenantQueue(tenantId: string): Promise<TenantQueueLease>;
  /** The claim-check store (input items, blocks of failure logs). */
  store: BlobStore;
  /**
   * A tenant's stored items; a blob not found is looked for again for a few seconds (a store that lags behind a
   * write, a copy under way), then a final failure naming the store.
   */
  items(ref: string): Promise<TenantItems>;
  /** Lets the cache drop these items now: the batches that needed them are written. */
  releaseItems(refs: readonly string[]): void;
  /** Whether this process's store is the one the job was written to (see `store-identity.ts`). */
  jobStores: JobStoreCheck;
  /**
   * A token from the tenant's cache; login trouble becomes a retryable or final failure, except a login 429,
   * thrown as the `OAuthError` it is (with `retryAfterMs`) for the caller to wait out.
   */
  token(tenant: TenantRuntime): Promise<AccessToken>;
  /** A line of the process's log; `fields` name what it is about (`jobId`, `tenantId`, `batchIndex`). */
  log(message: string, fields?: LogFields): void;
}

export interface ActivityDepsOptions {
  workerId: string;
  tenants: TenantRuntimes;
  store: BlobStore;
  serveTenantQueue(tenantId: string, runtime: TenantRuntime): Promise<TenantQueueLease>;
  log?: (message: string, fields?: LogFields) => void;
  /** Bound of the stored-items cache in bytes (default `WFM_ITEMS_CACHE_MB`, see `stored-items.ts`). */
  itemsCacheBytes?: number;
  /** Waits between looks for a blob not found before it is final (default `BLOB_NOT_FOUND_RETRY_MS`). */
  notFoundRetryMs?: readonly number[];
}

/** What `take` gives; a tenant this process cannot serve is a final failure. */
function servedHere<T>(take: () => T): T {
  try {
    return take();
  } catch (error) {
    if (error instanceof TenantUnavailableError)
      throw ApplicationFailure.nonRetryable(error.message, failureTypes.tenantNotConfigured);
    throw error;
  }
}

/** A blob not found is looked for again after each of these waits (7 s in all) before the batch fails. */
export const BLOB_NOT_FOUND_RETRY_MS: readonly number[] = [250, 500, 1_000, 2_000, 3_250];

export function createActivityDeps(options: ActivityDepsOptions): ActivityDeps {
  const items = new StoredItemsCache(options.store, {
    maxBytes: options.itemsCacheBytes ?? itemsCacheBytesFromEnv(),
  });
  const notFoundRetryMs = options.notFoundRetryMs ?? BLOB_NOT_FOUND_RETRY_MS;
  const deps: ActivityDeps = {
    workerId: options.workerId,
    store: options.store,
    http: createHttpAgent(),
    acquireTenant: (tenantId) => servedHere(() => options.tenants.acquire(tenantId)),
    serveTenantQueue(tenantId) {
      // Asked by a hold, whose use keeps the runtime open; only the tenant's settings are read.
      const runtime = servedHere(() => options.tenants.get(tenantId));
      return options.serveTenantQueue(tenantId, runtime);
    },
    releaseItems(refs) {
      for (const ref of refs) items.release(ref);
    },
    async items(ref) {
      for (let look = 0; ; look++) {
        try {
          return await items.get(ref);
        } catch (error) {
          // Sealed under a key this worker lacks: a fault of its configuration, retried (a restart with the key
          // cures it) and, past the batch's attempts, final for the tenant, under its own name rather than a lost worker.
          if (error instanceof CodecError)
            throw ApplicationFailure.create({ message: error.message, type: failureTypes.inputUnavailable });
          if (!(error instanceof BlobNotFoundError)) throw error;
          const wait = notFoundRetryMs[look];
          if (wait === undefined)
            throw ApplicationFailure.nonRetryable(
              `${error.message} (looked for ${look + 1} times)`,
              failureTypes.inputUnavailable,
            );
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    },
    jobStores: new JobStoreCheck(options.store),
    async token(tenant) {
      try {
        return await tenant.tokens.get();
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        if (error.final) {
          const reason = {
            code: 'credentials-refused',
            ...(error.status && { status: error.status }),
            message: `${error.message} (secret read afresh for this login)`,
          };
          throw ApplicationFailure.nonRetryable(reason.message, failureTypes.authenticationFailed, reason);
        }
        // Throttled by the login service: the caller waits as for any 429.
        if (error.retryAfterMs !== undefined) throw error;
        throw ApplicationFailure.retryable(error.message, failureTypes.networkError);
      }
    },
    log: options.log ?? ((message) => console.warn(message)),
  };
  return deps;
}

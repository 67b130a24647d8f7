/**
 * What activities need from their worker process, gathered so activities stay free of process wiring and
 * tests can build them around a simulator.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Agent, type Dispatcher } from 'undici';
import { failureTypes } from '../contracts/names';
import { BlobNotFoundError, type BlobStore } from '../store/blob-store';
import { OAuthError } from './auth/oauth';
import type { AccessToken } from './auth/token-cache';
import { StoredItemsCache, type TenantItems } from './stored-items';
import { TenantUnavailableError, type TenantRuntime, type TenantRuntimes } from './tenant-runtime';

/** A tenant's task queue in this process, held open while a tenant workflow needs it. */
export interface TenantQueueLease {
  taskQueue: string;
  release(): void;
}

export interface ActivityDeps {
  /** This process's id, part of its tenant queues' names and shown as the tenant's worker. */
  workerId: string;
  /** The HTTP connection pool the PUTs go through (kept-alive connections per API host). */
  http: Dispatcher;
  /** The tenant's runtime; a final failure when this process cannot serve it. */
  tenant(tenantId: string): TenantRuntime;
  /** Opens (or shares) the tenant's task queue in this process: its PUTs will run here. */
  serveTenantQueue(tenantId: string): Promise<TenantQueueLease>;
  /** The claim-check store (input items, blocks of failure logs). */
  store: BlobStore;
  /** A tenant's stored items; a final failure when the store does not have them. */
  items(ref: string): Promise<TenantItems>;
  /**
   * A token from the tenant's cache; login trouble becomes a retryable or final failure, except a login 429,
   * thrown as the `OAuthError` it is (with `retryAfterMs`) for the caller to wait out.
   */
  token(tenant: TenantRuntime): Promise<AccessToken>;
  log(message: string): void;
}

export interface ActivityDepsOptions {
  workerId: string;
  tenants: TenantRuntimes;
  store: BlobStore;
  serveTenantQueue(tenantId: string, runtime: TenantRuntime): Promise<TenantQueueLease>;
  log?: (message: string) => void;
}

export function createActivityDeps(options: ActivityDepsOptions): ActivityDeps {
  const items = new StoredItemsCache(options.store);
  const deps: ActivityDeps = {
    workerId: options.workerId,
    store: options.store,
    http: new Agent(),
    tenant(tenantId) {
      try {
        return options.tenants.get(tenantId);
      } catch (error) {
        if (error instanceof TenantUnavailableError)
          throw ApplicationFailure.nonRetryable(error.message, failureTypes.tenantNotConfigured);
        throw error;
      }
    },
    serveTenantQueue: (tenantId) => options.serveTenantQueue(tenantId, deps.tenant(tenantId)),
    async items(ref) {
      try {
        return await items.get(ref);
      } catch (error) {
        if (error instanceof BlobNotFoundError)
          throw ApplicationFailure.nonRetryable(error.message, failureTypes.inputUnavailable);
        throw error;
      }
    },
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

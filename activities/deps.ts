/**
 * What activities need from their worker process, gathered so activities stay free of process wiring and
 * tests can build them around a simulator.
 */
import { ApplicationFailure } from '@temporalio/common';
import { failureTypes } from '../contracts/names';
import { BlobNotFoundError, type BlobStore } from '../store/blob-store';
import { OAuthError } from './auth/oauth';
import type { AccessToken } from './auth/token-cache';
import { StoredItemsCache, type TenantItems } from './stored-items';
import type { TenantRuntime } from './tenant-runtime';

export interface ActivityDeps {
  /** The tenant's runtime; a final failure when this process has no configuration for it. */
  tenant(tenantId: string): TenantRuntime;
  /** A tenant's stored items; a final failure when the store does not have them. */
  items(ref: string): Promise<TenantItems>;
  /** A token from the tenant's cache; login trouble becomes a retryable or final failure. */
  token(tenant: TenantRuntime): Promise<AccessToken>;
  log(message: string): void;
}

export function createActivityDeps(
  tenants: ReadonlyMap<string, TenantRuntime>,
  store: BlobStore,
  log: (message: string) => void = (message) => console.warn(message),
): ActivityDeps {
  const items = new StoredItemsCache(store);
  return {
    tenant(tenantId) {
      const runtime = tenants.get(tenantId);
      if (!runtime) {
        throw ApplicationFailure.nonRetryable(
          `this worker has no configuration for tenant ${tenantId}; add it to the tenants file`,
          failureTypes.tenantNotConfigured,
        );
      }
      return runtime;
    },
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
        if (error.final) throw ApplicationFailure.nonRetryable(error.message, failureTypes.authenticationFailed);
        throw ApplicationFailure.retryable(error.message, failureTypes.networkError);
      }
    },
    log,
  };
}

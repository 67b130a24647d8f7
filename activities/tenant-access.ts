/**
 * Taking a tenant in this process and checking its access, before any write: shared by the hold on the tenant's
 * lease (`hold-tenant.ts`) and the hold of runs begun before the lease (`serve-tenant.ts`).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureReason } from '../contracts/failures';
import { failureTypes } from '../contracts/names';
import { writeScopeOf } from '../contracts/writers';
import type { AccessToken } from './auth/token-cache';
import type { ActivityDeps } from './deps';
import type { TenantRuntime, TenantUse } from './tenant-runtime';

/** A process that does not know a tenant gives another process this many tries before the tenant fails. */
const UNKNOWN_TENANT_ATTEMPTS = 3;

/**
 * A use of the tenant's runtime here, to release when the hold ends; a process without the tenant lets another
 * try a few times before giving up.
 */
export function takeTenant(tenantId: string, context: Context, deps: ActivityDeps): TenantUse {
  try {
    return deps.acquireTenant(tenantId);
  } catch (error) {
    if (
      error instanceof ApplicationFailure &&
      error.type === failureTypes.tenantNotConfigured &&
      context.info.attempt < UNKNOWN_TENANT_ATTEMPTS
    ) {
      throw ApplicationFailure.create({
        message: error.message,
        type: failureTypes.tenantNotConfigured,
        nextRetryDelay: 1_000,
      });
    }
    throw error;
  }
}

/**
 * Can we get a token, and does it carry the writer's scope? A token without the scope fails in ways that look
 * like throttling, so the tenant stops here with a clear message instead.
 * @param login gets a token (its errors pass through)
 * @returns the token's scopes
 */
export async function checkAccess(tenant: TenantRuntime, login: () => Promise<AccessToken>): Promise<string[]> {
  const scope = writeScopeOf(tenant.settings.writer);
  const canWrite = (scopes: string[]) => scopes.length === 0 || scopes.includes(scope);
  let token = await login();
  if (!canWrite(token.scopes)) {
    // The cached token may predate a scope granted since: ask once more before failing the tenant.
    tenant.tokens.invalidate(token);
    token = await login();
  }
  // A login service that lists no scopes at all leaves the answer to the API (403 mid-job stops the tenant).
  if (canWrite(token.scopes)) return token.scopes;
  const reason: FailureReason = {
    code: 'missing-scope',
    message: `the OAuth client ${tenant.settings.clientId} of tenant ${tenant.settings.id} lacks the scope ${scope} (it has: ${token.scopes.join(' ')})`,
  };
  throw ApplicationFailure.nonRetryable(reason.message, failureTypes.missingScope, reason);
}

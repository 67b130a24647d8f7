import type { PreflightResult } from '../contracts/job';
import { WRITE_SCOPE } from '../contracts/names';
import type { ActivityDeps } from './deps';

/**
 * Before any PUT of a tenant: can we get a token, and does it carry the write scope? A token without the
 * scope fails in ways that look like throttling, so the tenant stops here with a clear message instead.
 */
export function createCheckTenantAccess(deps: ActivityDeps) {
  return async function checkTenantAccess(tenantId: string): Promise<PreflightResult> {
    const tenant = deps.tenant(tenantId);
    const canWrite = (scopes: string[]) => scopes.length === 0 || scopes.includes(WRITE_SCOPE);
    let token = await deps.token(tenant);
    if (!canWrite(token.scopes)) {
      // The cached token may predate a scope granted since: ask once more before failing the tenant.
      tenant.tokens.invalidate(token);
      token = await deps.token(tenant);
    }
    // A login service that lists no scopes at all leaves the answer to the API (403 mid-job stops the tenant).
    if (canWrite(token.scopes)) return { ok: true, scopes: token.scopes };
    return {
      ok: false,
      scopes: token.scopes,
      reason: {
        code: 'missing-scope',
        message: `the OAuth client ${tenant.settings.clientId} of tenant ${tenantId} lacks the scope ${WRITE_SCOPE} (it has: ${token.scopes.join(' ')})`,
      },
    };
  };
}

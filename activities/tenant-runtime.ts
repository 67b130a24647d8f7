/**
 * What a worker process keeps per tenant: settings, the secret (in a closure, nowhere else), the token cache,
 * the gate and the metrics. Built once at worker start, so a missing secret stops the worker before it takes
 * any task.
 */
import type { MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { TenantSettings } from '../contracts/tenants';
import { requestClientCredentialsToken } from './auth/oauth';
import { readClientSecret } from './auth/secrets';
import { TokenCache } from './auth/token-cache';
import { tenantMetrics, type TenantMetrics } from './metrics';
import { TenantGate } from './tenant-gate';

export interface TenantRuntime {
  settings: TenantSettings;
  tokens: TokenCache;
  gate: TenantGate;
  metrics: TenantMetrics;
}

/** Token requests get this long; the login service answers in milliseconds when healthy. */
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

/**
 * @param meter where the tenants' metrics go; by default the meter of this process's Temporal runtime (a no-op
 *   unless a metrics exporter was installed, see `worker/runtime.ts`)
 */
export function createTenantRuntimes(
  tenants: Iterable<TenantSettings>,
  env: NodeJS.ProcessEnv = process.env,
  log: (message: string) => void = (message) => console.warn(message),
  meter: MetricMeter = Runtime.instance().metricMeter,
): Map<string, TenantRuntime> {
  const runtimes = new Map<string, TenantRuntime>();
  for (const settings of tenants) {
    const clientSecret = readClientSecret(settings, env);
    const credentials = { loginUrl: settings.loginUrl, clientId: settings.clientId, clientSecret };
    const metrics = tenantMetrics(meter, settings.id);
    const tokens = new TokenCache(
      () => metrics.tokenRequest(requestClientCredentialsToken(credentials, TOKEN_REQUEST_TIMEOUT_MS)),
      {
        onBackgroundError: (error) =>
          log(`tenant ${settings.id}: background token refresh failed: ${(error as Error).message}`),
      },
    );
    runtimes.set(settings.id, { settings, tokens, gate: new TenantGate(), metrics });
  }
  return runtimes;
}

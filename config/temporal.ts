/**
 * Where Temporal is, the Temporal way: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS
 * settings and named profiles of a `temporal.toml` (`TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`), read by
 * `@temporalio/envconfig`. Without any of them: the local dev server on localhost:7233, namespace `default`.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalSettings {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  namespace: string;
}

export function loadTemporalSettings(options: { profile?: string; env?: NodeJS.ProcessEnv } = {}): TemporalSettings {
  const env = options.env ?? process.env;
  const config = loadClientConnectConfig({
    ...(options.profile && { profile: options.profile }),
    overrideEnvVars: Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  });
  return {
    connectionOptions: { ...config.connectionOptions, address: config.connectionOptions.address ?? 'localhost:7233' },
    namespace: config.namespace ?? 'default',
  };
}

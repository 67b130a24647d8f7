/**
 * Where Temporal is, the Temporal way: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS
 * settings and named profiles of a `temporal.toml` (`TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`), read by
 * `@temporalio/envconfig`; then the command line's own flags (`overrides`) over all of them, as the Temporal CLI
 * does. Without any of them: the local dev server on localhost:7233, namespace `default`.
 */
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import { ConfigError } from './issues';

export interface TemporalSettings {
  connectionOptions: ReturnType<typeof toClientOptions>['connectionOptions'];
  namespace: string;
}

/** Connection settings given on a command line; each wins over the profile and the environment. */
export interface TemporalOverrides {
  profile?: string;
  configFile?: string;
  address?: string;
  namespace?: string;
  apiKey?: string;
  /** TLS on (with the system's CAs unless a CA is given); implied by any other TLS setting. */
  tls?: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  tlsServerName?: string;
}

export function loadTemporalSettings(options: TemporalOverrides & { env?: NodeJS.ProcessEnv } = {}): TemporalSettings {
  const env = options.env ?? process.env;
  const envVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  if (options.configFile) envVars.TEMPORAL_CONFIG_FILE = options.configFile;
  let profile: ClientConfigProfile;
  try {
    profile = withOverrides(
      loadClientConfigProfile({ ...(options.profile && { profile: options.profile }), overrideEnvVars: envVars }),
      options,
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`Temporal connection settings: ${(error as Error).message}`]);
  }
  checkClientCertPair(profile);
  let config;
  try {
    config = toClientOptions(profile); // reads the TLS files
  } catch (error) {
    throw new ConfigError([`Temporal TLS files: ${(error as Error).message}`]);
  }
  return {
    connectionOptions: { ...config.connectionOptions, address: config.connectionOptions.address ?? 'localhost:7233' },
    namespace: config.namespace ?? 'default',
  };
}

function withOverrides(profile: ClientConfigProfile, flags: TemporalOverrides): ClientConfigProfile {
  const tlsFlags = {
    ...(flags.tlsCertPath && { clientCert: { path: flags.tlsCertPath } }),
    ...(flags.tlsKeyPath && { clientKey: { path: flags.tlsKeyPath } }),
    ...(flags.tlsCaPath && { serverCACert: { path: flags.tlsCaPath } }),
    ...(flags.tlsServerName && { serverName: flags.tlsServerName }),
  };
  const tlsOn = flags.tls || Object.keys(tlsFlags).length > 0;
  return {
    ...profile,
    ...(flags.address && { address: flags.address }),
    ...(flags.namespace && { namespace: flags.namespace }),
    ...(flags.apiKey && { apiKey: flags.apiKey }),
    ...(tlsOn && { tls: { ...profile.tls, ...tlsFlags, disabled: false } }),
  };
}

/** A client certificate without its key (or the other way round) would silently connect without mTLS. */
function checkClientCertPair(profile: ClientConfigProfile): void {
  const cert = Boolean(profile.tls?.clientCert);
  const key = Boolean(profile.tls?.clientKey);
  if (cert === key) return;
  const [given, missing] = cert ? ['certificate', 'key'] : ['key', 'certificate'];
  throw new ConfigError([
    `a TLS client ${given} is set but no client ${missing}: give both --tls-cert-path and --tls-key-path ` +
      '(or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or both in the profile)',
  ]);
}

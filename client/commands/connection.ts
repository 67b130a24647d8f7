/**
 * The Temporal CLI's connection flags, global to every command: they win over `TEMPORAL_*` and the profile, so a
 * one-off command can aim elsewhere without touching the environment.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { TemporalOverrides } from '../../config/temporal';

export function addConnectionOptions(program: Command): Command {
  return program
    .option(
      '--address <host:port>',
      'Temporal frontend (default: $TEMPORAL_ADDRESS, the profile, or localhost:7233)',
      hostPort,
    )
    .option('-n, --namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, the profile, or "default")')
    .option(
      '--api-key <key>',
      'API key, e.g. for Temporal Cloud; turns TLS on (prefer $TEMPORAL_API_KEY: flags show in ps)',
    )
    .option('--tls', 'connect with TLS (implied by --api-key and every --tls-* option)')
    .option('--tls-cert-path <file>', 'TLS client certificate (mTLS); needs --tls-key-path')
    .option('--tls-key-path <file>', 'TLS client private key (mTLS); needs --tls-cert-path')
    .option('--tls-ca-path <file>', 'CA certificate the server’s certificate is checked against')
    .option('--tls-server-name <name>', 'server name the certificate must carry (SNI override)')
    .option('--profile <name>', 'profile of temporal.toml (default: $TEMPORAL_PROFILE or "default")')
    .option('--config-file <file>', 'temporal.toml to read profiles from (default: $TEMPORAL_CONFIG_FILE)');
}

/** The connection flags of the command line, wherever they were written (before or after the command name). */
export function connectionOverrides(command: Command): TemporalOverrides {
  const flags = command.optsWithGlobals<TemporalOverrides>();
  const keys = [
    'profile',
    'configFile',
    'address',
    'namespace',
    'apiKey',
    'tls',
    'tlsCertPath',
    'tlsKeyPath',
    'tlsCaPath',
    'tlsServerName',
  ] as const satisfies readonly (keyof TemporalOverrides)[];
  return Object.fromEntries(keys.filter((key) => flags[key] !== undefined).map((key) => [key, flags[key]]));
}

function hostPort(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(value))
    throw new InvalidArgumentError('must be host:port, like localhost:7233 or my-ns.a1b2c.tmprl.cloud:7233');
  return value;
}

/**
 * The client's connection to Temporal, configured the Temporal way (`TEMPORAL_*`, profiles), and the links
 * into its Web UI.
 */
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/data-converter';
import { ENV } from '../config/environment';
import { ConfigError } from '../config/issues';
import { loadTemporalSettings, type TemporalOverrides } from '../config/temporal';
import { CliError, EXIT } from './errors';

export interface ClientContext {
  client: Client;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

/** Connects with the environment's settings under the command line's (`overrides`); bad settings exit 2. */
export async function connectClient(overrides: TemporalOverrides = {}): Promise<ClientContext> {
  let settings;
  try {
    settings = loadTemporalSettings(overrides);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const address = settings.connectionOptions.address!;
  // Key trouble (a bad key, a payload under a key not given) is the user's to fix: a message and exit 2, no stack.
  const dataConverter = dataConverterFromEnv(process.env, { mapError: (error) => new CliError(error.message) });
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '5s' });
    await connection.workflowService.getSystemInfo({});
  } catch (error) {
    throw new CliError(
      `Temporal is not reachable at ${address} (${(error as Error).message.split('\n')[0]}).\n` +
        'Start a local one with `npm run dev-server`, or point --address (or TEMPORAL_ADDRESS; and --namespace, ' +
        '--api-key, --tls-* or a --profile) at your cluster.',
      EXIT.unreachable,
    );
  }
  return {
    client: new Client({ connection, namespace: settings.namespace, dataConverter }),
    namespace: settings.namespace,
    address,
    close: () => connection.close(),
  };
}

/**
 * Base URL of the Web UI: `WFM_UI_URL`, Temporal Cloud's for a `*.tmprl.cloud` address, or the dev server's
 * (gRPC port + 1000) for a local address.
 */
export function webUiBase(address: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uiUrl = env[ENV.WFM_UI_URL];
  if (uiUrl) return uiUrl.replace(/\/+$/, '');
  if (/\.tmprl\.cloud(:\d+)?$/.test(address)) return 'https://cloud.temporal.io';
  const local = address.match(/^(localhost|127\.0\.0\.1|\[::1\]):(\d+)$/);
  return local ? `http://${local[1]}:${Number(local[2]) + 1000}` : undefined;
}

export function jobLinks(context: Pick<ClientContext, 'address' | 'namespace'>, jobId: string) {
  const base = webUiBase(context.address);
  if (!base) return undefined;
  const namespace = encodeURIComponent(context.namespace);
  return {
    job: `${base}/namespaces/${namespace}/workflows/${encodeURIComponent(jobId)}`,
    tenants: `${base}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`WfmJobId="${jobId}"`)}`,
  };
}

/**
 * `npm run worker`: one process serving the orchestration queue and every tenant in the tenants file.
 *
 * Environment: `WFM_TENANTS` (tenants file, default ./tenants.json), `WFM_STORE_DIR` (claim-check store),
 * `WFM_WORKER_ROLE` (`all` default, `tenants` for a process without the orchestration Worker),
 * `WFM_METRICS_ADDRESS` (Prometheus endpoint, off by default), `WFM_CODEC_KEYS` or `WFM_CODEC_KEYS_FILE` (payload
 * encryption, off by default), and the standard `TEMPORAL_*` connection settings.
 */
import { NativeConnection } from '@temporalio/worker';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import { codecFromEnv } from '../codec/data-converter';
import { loadTemporalSettings } from '../config/temporal';
import { defaultTenantsFile, loadTenantsFile } from '../config/tenants-file';
import { openStore } from '../store/blob-store';
import { installRuntime, logLevelFromEnv, metricsAddressFromEnv } from './runtime';
import { cachedWorkflowBundle } from './workflow-bundle';
import { createWorkers, runWorkers } from './workers';

async function main(): Promise<void> {
  const tenantsFile = defaultTenantsFile();
  const tenants = loadTenantsFile(tenantsFile);
  const temporal = loadTemporalSettings();
  const codec = codecFromEnv(); // bad keys stop the process here, before it connects
  const store = openStore();
  // Before the connection: the runtime (and its metrics exporter) is fixed once the first native object exists.
  const { metricsUrl } = installRuntime({ metricsAddress: metricsAddressFromEnv(), logLevel: logLevelFromEnv() });
  if (metricsUrl) console.log(`metrics: Prometheus endpoint on ${metricsUrl}`);
  const orchestration = process.env.WFM_WORKER_ROLE !== 'tenants';
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  try {
    const workers = await createWorkers({
      connection,
      namespace: temporal.namespace,
      tenants: tenants.values(),
      store,
      orchestration,
      dataConverter: { payloadCodecs: [codec] },
      ...(orchestration && { workflowBundle: { codePath: cachedWorkflowBundle() } }),
    });
    console.log(
      `worker: ${tenants.size} tenant(s) from ${tenantsFile} on ${temporal.connectionOptions.address} ` +
        `(namespace ${temporal.namespace}), store ${store.location}` +
        (codec instanceof AesGcmCodec ? `, payloads encrypted with key ${codec.encryptingKeyId}` : ''),
    );
    await runWorkers(workers);
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * `npm run worker`: one process running the job and tenant workflows and serving tenants of the tenants file as
 * jobs need them (see `workers.ts`).
 *
 * Environment: `WFM_TENANTS` (tenants file, default ./tenants.json), `WFM_STORE_DIR` (claim-check store),
 * `WFM_WORKER_ROLE` (`all` default, `tenants` for a process without the orchestration Worker),
 * `WFM_MAX_TENANTS` (tenants served at once, default 200),
 * `WFM_METRICS_ADDRESS` (Prometheus endpoint, off by default), `WFM_CODEC_KEYS` or `WFM_CODEC_KEYS_FILE` (payload
 * encryption, off by default), and the standard `TEMPORAL_*` connection settings.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NativeConnection } from '@temporalio/worker';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import { codecFromEnv } from '../codec/data-converter';
import { loadTemporalSettings } from '../config/temporal';
import { defaultTenantsFile, loadTenantsFile } from '../config/tenants-file';
import { openStore } from '../store/blob-store';
import { installRuntime, logLevelFromEnv, metricsAddressFromEnv } from './runtime';
import { cachedWorkflowBundle } from './workflow-bundle';
import { DEFAULT_MAX_TENANTS_PER_PROCESS, WorkerSet } from './workers';

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
  const maxTenants = maxTenantsFromEnv();
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  // How late this process runs its timers (heartbeats among them): what the heartbeat timeouts must allow for.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  try {
    const workers = await WorkerSet.create({
      connection,
      namespace: temporal.namespace,
      loadTenants: () => loadTenantsFile(tenantsFile),
      store,
      orchestration,
      maxTenants,
      dataConverter: { payloadCodecs: [codec] },
      ...(orchestration && { workflowBundle: { codePath: cachedWorkflowBundle() } }),
    });
    console.log(
      `worker: ${workers.workerId} serves up to ${maxTenants} of ${tenants.size} tenant(s) from ${tenantsFile} ` +
        `on ${temporal.connectionOptions.address} (namespace ${temporal.namespace}), store ${store.location}` +
        (orchestration ? '' : ', no workflows (WFM_WORKER_ROLE=tenants)') +
        (codec instanceof AesGcmCodec ? `, payloads encrypted with key ${codec.encryptingKeyId}` : ''),
    );
    await workers.run();
    const ms = (nanoseconds: number) => Math.round(nanoseconds / 1e6);
    console.log(
      `worker: stopped; event loop delay max ${ms(loopDelay.max)} ms, p99 ${ms(loopDelay.percentile(99))} ms ` +
        '(how late its timers ran, heartbeats included)',
    );
  } finally {
    loopDelay.disable();
    await connection.close();
  }
}

/** `WFM_MAX_TENANTS`: a whole number from 1 to 5,000; unset: the default. */
function maxTenantsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.WFM_MAX_TENANTS?.trim();
  if (!value) return DEFAULT_MAX_TENANTS_PER_PROCESS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5_000)
    throw new Error(`WFM_MAX_TENANTS must be a whole number from 1 to 5000, not "${env.WFM_MAX_TENANTS}"`);
  return n;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

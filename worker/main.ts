/**
 * `npm run worker`: one process running the job and tenant workflows and serving tenants of the tenants file as
 * jobs need them (see `workers.ts`).
 *
 * Environment: `WFM_TENANTS` (tenants file, default ./tenants.json), `WFM_STORE_URL` or `WFM_STORE_DIR` (claim-check
 * store, `store/store-url.ts`; unreachable: the process stops at start), `WFM_ITEMS_CACHE_MB` (stored items kept),
 * `WFM_WORKER_ROLE` (`all` default, `tenants` for a process without the orchestration Worker),
 * `WFM_MAX_TENANTS` (tenants served at once, default 200),
 * `WFM_METRICS_ADDRESS` (Prometheus endpoint, off by default), `WFM_CODEC_KEYS` or `WFM_CODEC_KEYS_FILE` (payload
 * encryption, off by default), `WFM_LOG_FORMAT` (`json` or `text`; default text on a terminal, JSON otherwise),
 * `WFM_LOG_LEVEL` (the SDK's lines, default WARN), and the standard `TEMPORAL_*` connection settings.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NativeConnection } from '@temporalio/worker';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import { codecFromEnv } from '../codec/data-converter';
import { ENV } from '../config/environment';
import { loadTemporalSettings } from '../config/temporal';
import { defaultTenantsFile, loadTenantsFile } from '../config/tenants-file';
import { openStore } from '../store/open-store';
import { logFormatFromEnv, ProcessLog } from './log';
import { installRuntime, logLevelFromEnv, metricsAddressFromEnv } from './runtime';
import { workflowBundleFile } from './workflow-bundle';
import { DEFAULT_MAX_TENANTS_PER_PROCESS, WorkerSet } from './workers';

/** Every line of this process, its own and the SDK's; the default format until `WFM_LOG_FORMAT` is read. */
let log = new ProcessLog(logFormatFromEnv({}));

async function main(): Promise<void> {
  log = new ProcessLog(logFormatFromEnv());
  const tenantsFile = defaultTenantsFile();
  const tenants = loadTenantsFile(tenantsFile);
  const temporal = loadTemporalSettings();
  const codec = codecFromEnv(); // bad keys stop the process here, before it connects
  const store = openStore();
  // A store this process cannot reach stops it here, with the store named, before it takes any task.
  const storeId = await store.identity();
  // Before the connection: the runtime (and its metrics exporter) is fixed once the first native object exists.
  const { metricsUrl } = installRuntime({ metricsAddress: metricsAddressFromEnv(), logLevel: logLevelFromEnv(), log });
  if (metricsUrl) log.info(`metrics: Prometheus endpoint on ${metricsUrl}`, { metricsUrl });
  const orchestration = process.env[ENV.WFM_WORKER_ROLE] !== 'tenants';
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
      log: (message, fields) => log.warn(message, fields),
      ...(orchestration && { workflowBundle: { codePath: workflowBundleFile() } }),
    });
    // The line that says the process is ready: the harness, the demo and the bench wait for "worker: ".
    log.info(
      `worker: ${workers.workerId} serves up to ${maxTenants} of ${tenants.size} tenant(s) from ${tenantsFile} ` +
        `on ${temporal.connectionOptions.address} (namespace ${temporal.namespace}), store ${store.location} (id ${storeId})` +
        (orchestration ? '' : ', no workflows (WFM_WORKER_ROLE=tenants)') +
        (codec instanceof AesGcmCodec ? `, payloads encrypted with key ${codec.encryptingKeyId}` : ''),
      { event: 'ready', workerId: workers.workerId, namespace: temporal.namespace, tenants: tenants.size, maxTenants },
    );
    await workers.run();
    const ms = (nanoseconds: number) => Math.round(nanoseconds / 1e6);
    log.info(
      `worker: stopped; event loop delay max ${ms(loopDelay.max)} ms, p99 ${ms(loopDelay.percentile(99))} ms ` +
        '(how late its timers ran, heartbeats included)',
      { event: 'stopped', loopDelayMaxMs: ms(loopDelay.max), loopDelayP99Ms: ms(loopDelay.percentile(99)) },
    );
  } finally {
    loopDelay.disable();
    await connection.close();
  }
}

/** `WFM_MAX_TENANTS`: a whole number from 1 to 5,000; unset: the default. */
function maxTenantsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[ENV.WFM_MAX_TENANTS]?.trim();
  if (!value) return DEFAULT_MAX_TENANTS_PER_PROCESS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5_000)
    throw new Error(`WFM_MAX_TENANTS must be a whole number from 1 to 5000, not "${env[ENV.WFM_MAX_TENANTS]}"`);
  return n;
}

main().catch((error: unknown) => {
  log.error(error instanceof Error ? error.message : String(error), { event: 'failed' });
  process.exit(1);
});

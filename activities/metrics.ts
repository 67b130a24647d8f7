/**
 * Per-tenant metrics of a worker process, recorded on the Temporal runtime's meter so they leave through the
 * same Prometheus endpoint as the SDK's own metrics. Every series carries `tenant` (the tenant id) and never a
 * secret, token or assignment data.
 *
 * The runtime's meter rather than the activity context's: token refreshes also run outside any activity, the
 * instruments are built once per tenant instead of once per attempt, and every series of a metric has the same
 * labels whoever records it. With no exporter installed the runtime's meter does nothing.
 */
import type { MetricMeter } from '@temporalio/common';
import type { PutBatchResult } from '../contracts/batch';

/** How one PUT ended: the HTTP status, or why no status came back. */
export type RequestOutcome = number | 'network_error' | 'timeout' | 'cancelled';

export interface TenantMetrics {
  /** Counts a PUT as out (in flight); call the returned function exactly once with how it ended. */
  requestStarted(): (outcome: RequestOutcome) => void;
  /** A 429, with the Retry-After it carried (ms) when one could be read. */
  throttled(retryAfterMs: number | undefined): void;
  /** The outcome of one attempt of `putBatch`, counted the way the tenant workflow counts it. */
  batchFinished(result: PutBatchResult): void;
  /** Counts a token request to the tenant's login service as `ok` or `error` once it settles; returns it. */
  tokenRequest<T>(request: Promise<T>): Promise<T>;
}

/** Metric names as exported; see docs/operations.md, "Watching a job". */
export const metricNames = {
  requests: 'wfm_requests_total',
  throttled: 'wfm_throttled_total',
  cooldownSeconds: 'wfm_cooldown_seconds_total',
  inFlight: 'wfm_requests_in_flight',
  requestDuration: 'wfm_request_duration',
  applied: 'wfm_assignments_applied_total',
  failed: 'wfm_assignments_failed_total',
  tokenRequests: 'wfm_token_requests_total',
  tenantRuntimesOpen: 'wfm_tenant_runtimes_open',
  notificationChannelsOpen: 'wfm_notification_channels_open',
  activeResources: 'wfm_node_active_resources',
  heapUsedBytes: 'wfm_node_heap_used_bytes',
  externalBytes: 'wfm_node_external_bytes',
} as const;

/** Builds the instruments of one tenant on `meter` (the runtime's meter of this process). */
export function tenantMetrics(meter: MetricMeter, tenantId: string): TenantMetrics {
  const tagged = meter.withTags({ tenant: tenantId });
  const requests = tagged.createCounter(metricNames.requests, '', 'PUTs sent, by HTTP status or failure');
  const throttled = tagged.createCounter(metricNames.throttled, '', 'PUTs answered 429');
  const cooldown = tagged.createCounter(metricNames.cooldownSeconds, 's', 'Seconds of Retry-After received');
  const duration = tagged.createHistogram(metricNames.requestDuration, 'int', 'ms', 'PUT duration, body included');
  const applied = tagged.createCounter(metricNames.applied, '', 'Assignments the API applied');
  const failed = tagged.createCounter(metricNames.failed, '', 'Assignments the API finally refused');
  const tokenRequests = tagged.createCounter(metricNames.tokenRequests, '', 'Token requests, by outcome');
  const inFlightGauge = tagged.createGauge(metricNames.inFlight, 'int', '', 'PUTs of the tenant out from this process');
  // A gauge of a count kept here: the meter's up-down counter is optional in the SDK's interface.
  let inFlight = 0;
  // Series without labels of their own start at zero, so every configured tenant shows from the first scrape on.
  for (const counter of [throttled, cooldown, applied, failed]) counter.add(0);
  inFlightGauge.set(0);

  return {
    requestStarted() {
      const startedAt = performance.now();
      inFlightGauge.set(++inFlight);
      let finished = false;
      return (outcome) => {
        if (finished) return;
        finished = true;
        inFlightGauge.set(--inFlight);
        requests.add(1, { status: String(outcome) });
        duration.record(Math.round(performance.now() - startedAt));
      };
    },
    throttled(retryAfterMs) {
      throttled.add(1);
      // Counters are whole numbers; Retry-After is whole seconds on the platform.
      if (retryAfterMs !== undefined) cooldown.add(Math.round(retryAfterMs / 1000));
    },
    batchFinished(result) {
      failed.add(result.failures.length);
      if (result.outcome === 'done') applied.add(result.applied);
      else failed.add(result.count);
    },
    tokenRequest(request) {
      void request.then(
        () => tokenRequests.add(1, { outcome: 'ok' }),
        () => tokenRequests.add(1, { outcome: 'error' }),
      );
      return request;
    },
  };
}

/** Gauges of the process as a whole: what it keeps open, so a leak shows as a line that only climbs. */
export interface ProcessMetrics {
  /** Tenants this process keeps a runtime for now (`tenant-runtime.ts`). */
  tenantRuntimesOpen(count: number): void;
  /** Genesys notification channels this process keeps open now; each counts against its OAuth client's 20. */
  notificationChannelsOpen(count: number): void;
  /**
   * Reads what keeps Node's event loop alive (handles, requests, timers) and how much memory the JavaScript heap
   * and the buffers outside it hold, so a climbing RSS shows which of them climbs.
   */
  sampleProcess(): void;
}

/** Builds the process's gauges on `meter` (the runtime's meter of this process). */
export function processMetrics(meter: MetricMeter): ProcessMetrics {
  const runtimes = meter.createGauge(metricNames.tenantRuntimesOpen, 'int', '', 'Tenant runtimes kept by this process');
  const channels = meter.createGauge(
    metricNames.notificationChannelsOpen,
    'int',
    '',
    'Genesys notification channels open in this process',
  );
  const resources = meter.createGauge(
    metricNames.activeResources,
    'int',
    '',
    "Resources keeping this process's event loop alive (process.getActiveResourcesInfo)",
  );
  const heapUsed = meter.createGauge(metricNames.heapUsedBytes, 'int', 'By', 'JavaScript heap in use (V8)');
  const external = meter.createGauge(
    metricNames.externalBytes,
    'int',
    'By',
    'Memory of buffers and other objects held outside the JavaScript heap',
  );
  return {
    tenantRuntimesOpen: (count) => runtimes.set(count),
    notificationChannelsOpen: (count) => channels.set(count),
    sampleProcess: () => {
      resources.set(process.getActiveResourcesInfo().length);
      const memory = process.memoryUsage();
      heapUsed.set(memory.heapUsed);
      external.set(memory.external);
    },
  };
}

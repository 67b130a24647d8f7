/**
 * A real worker process with `WFM_METRICS_ADDRESS` serves Prometheus metrics: the Temporal runtime's own and
 * the per-tenant `wfm_*` series, which agree with what the simulator counted and carry no secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricNames } from '../../activities/metrics';
import { tenantTaskQueue } from '../../contracts/names';
import { freePort } from '../../tools/temporal/dev-server';
import type { bulkJob } from '../../workflows';
import { spawnWorker, type WorkerProcess } from '../../tools/harness/processes';
import { findSecrets } from '../../tools/harness/secrets';
import { assignmentRows, createWorld, type World } from '../helpers/world';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const matching = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}

describe('worker metrics', () => {
  let world: World;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    // A throttle the job is sure to meet: 40 single-assignment PUTs against a burst of 5.
    world = await createWorld({ orgs: [{ id: 'acme', throttle: { burst: 5, refillPerSecond: 10 } }], workers: false });
  });
  afterAll(async () => {
    await worker?.kill();
    await world?.close();
  });

  it('serves Temporal runtime metrics and per-tenant counters that match the API side', async () => {
    const port = await freePort();
    worker = spawnWorker(world, { WFM_METRICS_ADDRESS: `127.0.0.1:${port}` });
    await worker.ready;
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    expect(worker.output()).toContain(metricsUrl);

    const tenant = world.tenant('acme');
    const schedules = world.sim.state.config.orgs.find((org) => org.id === tenant)!.schedules;
    const input = await world.startJobFromRows(assignmentRows(tenant, schedules, 40), { batchSize: 1 });
    const result = await world.client.workflow.getHandle<typeof bulkJob>(input.jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: 40, failed: 0 });

    const text = await (await fetch(metricsUrl)).text();
    const samples = parseExposition(text);
    const stats = world.sim.state.stats().orgs[tenant]!;
    expect(stats.status429).toBeGreaterThan(0); // the throttle was really met
    const of = { tenant };

    // The Temporal runtime's own metrics, on the same endpoint.
    // The tenant's queue in this process: named after the worker's id, which it prints when it starts.
    const queue = { task_queue: tenantTaskQueue(tenant, worker.workerId()) };
    const putBatches = { ...queue, activity_type: 'putBatch' };
    expect(valueOf(samples, 'temporal_activity_succeed_endtoend_latency_count', putBatches)).toBe(40);
    expect(valueOf(samples, 'temporal_worker_task_slots_available', queue)).toBeDefined();

    // Per tenant, as the API counted it.
    expect(valueOf(samples, 'wfm_requests_total', { ...of, status: '200' })).toBe(stats.status2xx);
    expect(valueOf(samples, 'wfm_requests_total', { ...of, status: '429' })).toBe(stats.status429);
    expect(valueOf(samples, 'wfm_requests_total', of)).toBe(stats.putRequests);
    expect(valueOf(samples, 'wfm_request_duration_count', of)).toBe(stats.putRequests);
    expect(valueOf(samples, 'wfm_throttled_total', of)).toBe(stats.status429);
    const retryAfterSent = world.sim.state
      .requestLog(tenant)
      .reduce((sum, record) => sum + (record.status === 429 ? record.retryAfterSeconds! : 0), 0);
    expect(retryAfterSent).toBeGreaterThan(0);
    expect(valueOf(samples, 'wfm_cooldown_seconds_total', of)).toBe(retryAfterSent);
    expect(valueOf(samples, 'wfm_requests_in_flight', of)).toBe(0);
    expect(valueOf(samples, 'wfm_assignments_applied_total', of)).toBe(40);
    expect(valueOf(samples, 'wfm_assignments_failed_total', of)).toBe(0);
    expect(valueOf(samples, 'wfm_token_requests_total', { ...of, outcome: 'ok' })).toBe(stats.tokensIssued);
    expect(valueOf(samples, 'wfm_token_requests_total', { ...of, outcome: 'error' })).toBeUndefined();

    // What the process keeps open: the one tenant it served, no Genesys channel, some handles.
    expect(valueOf(samples, metricNames.tenantRuntimesOpen, {})).toBe(1);
    expect(valueOf(samples, metricNames.notificationChannelsOpen, {})).toBe(0);
    expect(valueOf(samples, metricNames.activeResources, {})).toBeGreaterThan(0);
    expect(valueOf(samples, metricNames.heapUsedBytes, {})).toBeGreaterThan(1_000_000);
    expect(valueOf(samples, metricNames.externalBytes, {})).toBeGreaterThan(0);

    // Our per-tenant series carry the tenant and their own small labels, nothing else; the process's gauges no
    // label; no secret anywhere in the scrape.
    const processGauges: string[] = [
      metricNames.tenantRuntimesOpen,
      metricNames.notificationChannelsOpen,
      metricNames.activeResources,
      metricNames.heapUsedBytes,
      metricNames.externalBytes,
    ];
    const ours = samples.filter((sample) => sample.name.startsWith('wfm_') && !processGauges.includes(sample.name));
    const labelKeys = new Set(ours.flatMap((sample) => Object.keys(sample.labels)));
    expect([...labelKeys].sort()).toEqual(['le', 'outcome', 'status', 'tenant']);
    expect(new Set(ours.map((sample) => sample.labels.tenant))).toEqual(new Set([tenant]));
    expect(findSecrets(world, { 'metrics endpoint': text })).toEqual([]);
  });
});

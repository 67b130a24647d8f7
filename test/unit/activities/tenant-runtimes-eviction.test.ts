/**
 * A long-lived worker process keeps only the tenants it serves lately: a tenant's runtime nobody uses is closed
 * after the idle delay (its notification channel with it), unless it is taken again, still holds a lease or has
 * requests out; a later use makes a fresh one, which starts from the pacing the lease carried.
 */
import type { AddressInfo } from 'node:net';
import { noopMetricMeter, type MetricGauge, type MetricMeter } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { metricNames } from '../../../activities/metrics';
import { TenantRuntimes, type TenantRuntime } from '../../../activities/tenant-runtime';
import type { ScheduleApi } from '../../../activities/writers/schedule-update/schedule-api';
import { ScheduleUpdateTenant } from '../../../activities/writers/schedule-update/tenant-state';
import type { PacingView } from '../../../contracts/pacing';
import { resolveTenants, tenantsFileSchema } from '../../../contracts/tenants';

const IDLE_MS = 20;
/** Long enough for an idle timer to have fired a few times. */
const PAST_IDLE_MS = 5 * IDLE_MS;
const TOPIC = 'v2.workforcemanagement.businessunits.bu-1.schedules';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A meter that keeps each gauge's last value and counts the counters made, by name. */
function recordingMeter() {
  const gauges = new Map<string, number>();
  const countersMade = new Map<string, number>();
  const meter: MetricMeter = {
    createCounter(name, unit, description) {
      countersMade.set(name, (countersMade.get(name) ?? 0) + 1);
      return noopMetricMeter.createCounter(name, unit, description);
    },
    createHistogram: (name, valueType, unit, description) =>
      noopMetricMeter.createHistogram(name, valueType, unit, description),
    createGauge(name, valueType = 'int') {
      const gauge: MetricGauge = {
        name,
        kind: 'gauge',
        valueType,
        set: (value) => {
          gauges.set(name, value);
        },
        withTags: () => gauge,
      };
      return gauge;
    },
    withTags: () => meter,
  };
  return { meter, gauges, countersMade };
}

function runtimesOf(meter: MetricMeter = noopMetricMeter): TenantRuntimes {
  const tenants = resolveTenants(
    tenantsFileSchema.parse({
      tenants: [
        {
          id: 'acme',
          apiBaseUrl: 'http://127.0.0.1:1',
          loginUrl: 'http://127.0.0.1:1',
          clientId: 'acme-client',
          clientSecretEnv: 'ACME_SECRET',
          writer: 'genesys-schedule-update',
          genesys: { notifications: 'websocket' },
        },
      ],
    }),
  );
  return new TenantRuntimes({
    loadTenants: () => tenants,
    env: { ACME_SECRET: 'acme-secret' },
    meter,
    idleCloseMs: IDLE_MS,
    log: () => undefined,
  });
}

/** Whether `runtime` has been closed (what writers registered with `onClose` ran). */
function watchClose(runtime: TenantRuntime): () => boolean {
  let closed = false;
  runtime.onClose(() => (closed = true));
  return () => closed;
}

describe('tenant runtimes closed when idle', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function track(runtimes: TenantRuntimes): TenantRuntimes {
    cleanups.push(() => runtimes.close());
    return runtimes;
  }

  it('closes a runtime once every use is released and the idle delay passed; a later use gets a fresh one', async () => {
    const { meter, gauges, countersMade } = recordingMeter();
    const runtimes = track(runtimesOf(meter));
    const hold = runtimes.acquire('acme');
    const batch = runtimes.acquire('acme');
    expect(batch.runtime).toBe(hold.runtime);
    const closed = watchClose(hold.runtime);
    expect(gauges.get(metricNames.tenantRuntimesOpen)).toBe(1);
    expect(gauges.get(metricNames.activeResources)).toBeGreaterThan(0);

    batch.release();
    batch.release(); // a second release of the same use counts nothing
    await sleep(PAST_IDLE_MS);
    expect(closed()).toBe(false);
    expect(runtimes.active).toBe(1);

    hold.release();
    await waitFor('the idle runtime closed', closed);
    expect(runtimes.active).toBe(0);
    expect(gauges.get(metricNames.tenantRuntimesOpen)).toBe(0);

    const next = runtimes.acquire('acme');
    expect(next.runtime).not.toBe(hold.runtime);
    expect(runtimes.active).toBe(1);
    // The tenant's instruments are made once: Temporal's meter cannot drop them.
    expect(countersMade.get(metricNames.requests)).toBe(1);
    next.release();
  });

  it('keeps a runtime taken again within the idle delay', async () => {
    const runtimes = track(runtimesOf());
    const first = runtimes.acquire('acme');
    const closed = watchClose(first.runtime);
    first.release();
    const again = runtimes.acquire('acme');
    await sleep(PAST_IDLE_MS);
    expect(closed()).toBe(false);
    expect(again.runtime).toBe(first.runtime);

    again.release();
    await waitFor('the runtime closed once idle', closed);
  });

  it('keeps a runtime whose fence holds a lease, or a hold begun before the lease, though nobody counts a use', async () => {
    const runtimes = track(runtimesOf());
    const runtime = runtimes.get('acme');
    const closed = watchClose(runtime);
    runtime.fence.hold('hold-1', 3, Number.MAX_SAFE_INTEGER);
    await sleep(PAST_IDLE_MS);
    expect(closed()).toBe(false);

    const closeLegacy = runtime.fence.openLegacy();
    runtime.fence.release('hold-1', 3);
    await sleep(PAST_IDLE_MS);
    expect(closed()).toBe(false);

    closeLegacy();
    await waitFor('the runtime closed once its lease was let go', closed);
    expect(runtimes.get('acme')).not.toBe(runtime);
  });

  it('keeps a runtime with a request out at its gate until it is answered', async () => {
    const runtimes = track(runtimesOf());
    const use = runtimes.acquire('acme');
    const { runtime } = use;
    const closed = watchClose(runtime);
    runtime.fence.hold('hold-1', 1, Number.MAX_SAFE_INTEGER);
    const ticket = await runtime.room.enter(1_000);
    runtime.fence.release('hold-1', 1);
    use.release();
    expect(runtime.gate.inFlight).toBe(1);
    await sleep(PAST_IDLE_MS);
    expect(closed()).toBe(false);

    runtime.room.answered(ticket, { kind: 'answered' });
    await waitFor('the runtime closed once its request was answered', closed);
  });

  it("closes a Genesys tenant's notification channel with its runtime", async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    // Only the channel's calls of the platform are used.
    const api = {
      createChannel: () => Promise.resolve({ id: 'channel-1', connectUri: `ws://127.0.0.1:${port}/` }),
      subscribe: () => Promise.resolve([]),
    } as unknown as ScheduleApi;

    const { meter, gauges } = recordingMeter();
    const runtimes = track(runtimesOf(meter));
    const use = runtimes.acquire('acme');
    const genesys = new ScheduleUpdateTenant(use.runtime);
    expect(await genesys.scheduleEvents.listen(TOPIC, api)).toBe(true);
    await waitFor('the platform side of the socket', () => server.clients.size === 1);
    expect(runtimes.notificationChannels).toBe(1);
    expect(gauges.get(metricNames.notificationChannelsOpen)).toBe(1);

    use.release();
    await waitFor('the runtime closed', () => runtimes.active === 0);
    expect(genesys.scheduleEvents.live(TOPIC)).toBe(false);
    expect(runtimes.notificationChannels).toBe(0);
    expect(gauges.get(metricNames.notificationChannelsOpen)).toBe(0);
    await waitFor('the socket closed on the platform side', () => server.clients.size === 0);
    // A channel closed with its runtime stays closed: a late caller reads back instead.
    expect(await genesys.scheduleEvents.listen(TOPIC, api)).toBe(false);
    expect(server.clients.size).toBe(0);
  });

  it('starts a fresh runtime from the pacing the lease carried, though the predecessor was this process', () => {
    const runtimes = track(runtimesOf());
    const learned: PacingView = { mode: 'learned', ratePerSecond: 7, estimatedPerSecond: 7, burst: 3 };
    const claim = (runtime: TenantRuntime, epoch: number) =>
      runtime.beginLease({
        attemptKey: `hold-${epoch}`,
        epoch,
        confirmedUntil: Number.MAX_SAFE_INTEGER,
        directive: { revision: 1, limits: { concurrency: 5 } },
        leaseTimeoutMs: 30_000,
        startedAt: Date.now(),
        predecessor: { pacing: learned, elsewhere: false, gaveBack: true },
      });

    const fresh = runtimes.acquire('acme');
    claim(fresh.runtime, 1);
    expect(fresh.runtime.gate.view()).toMatchObject({ mode: 'learned', ratePerSecond: 7 });

    // A runtime that has sent already knows better than its own last beat.
    const other = runtimesOf();
    const used = other.acquire('acme');
    void used.runtime.room;
    claim(used.runtime, 1);
    expect(used.runtime.gate.view().ratePerSecond).toBeUndefined();
    other.close();
    fresh.release();
  });
});

describe('revisions of runs begun before the lease', () => {
  it('stay bounded, forgetting the runs least lately seen', () => {
    const runtimes = runtimesOf();
    const runtime = runtimes.get('acme');
    const rate = () => runtime.gate.view().ratePerSecond ?? Infinity;
    runtime.follow('still-running', { revision: 2, ratePerSecond: 50 });
    for (let run = 0; run < 1_500; run++) {
      runtime.follow(`run-${run}`, { revision: 1, ratePerSecond: 50 });
      // The run still running sends a batch now and then.
      if (run % 100 === 0) runtime.follow('still-running', { revision: 2, ratePerSecond: 50 });
    }
    expect(runtime.legacyRunsRemembered).toBe(1_000);
    // Its revision is remembered: the same revision again changes nothing.
    runtime.follow('still-running', { revision: 2, ratePerSecond: 5 });
    expect(rate()).toBeGreaterThan(10);
    // A run forgotten long ago applies its revision again.
    runtime.follow('run-0', { revision: 1, ratePerSecond: 5 });
    expect(rate()).toBeLessThan(10);
    runtimes.close();
  });
});

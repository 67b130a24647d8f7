/**
 * Live progress of a job: one bar per tenant and a total with rate and ETA, redrawn in place on a terminal;
 * plain periodic lines when the output is a file or a pipe. Watching never steers: stopping it leaves the job
 * running.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Client } from '@temporalio/client';
import type { PacingView } from '../contracts/pacing';
import { fetchJobView, type JobView, type TenantView } from './jobs/view';
import { writeDocument } from './output/emit';
import { jobDocument, type Links } from './output/to-documents';

export interface WatchOptions {
  /** Redraw (or print) every this many ms. */
  intervalMs: number;
  /** Bars in place (true) or plain lines (false). */
  tty: boolean;
  out: NodeJS.WritableStream;
  /** Stop watching early (Ctrl-C); the job goes on. */
  signal?: AbortSignal;
  /** One JSON job document a refresh instead of bars or lines, with these Web UI links. */
  json?: { links: Links };
  /** Nothing drawn: the caller only waits for the job to close (`plan`, whose job's progress means little). */
  silent?: boolean;
}

/** Most tenant bars drawn at once; the busiest come first. */
const MAX_TENANT_BARS = 15;

/** Follows the job until it closes (or `signal` aborts) and returns its last view. */
export async function watchJob(client: Client, jobId: string, options: WatchOptions): Promise<JobView> {
  const rate = new RateMeter();
  const renderer = options.silent
    ? SILENT
    : options.json
      ? new JsonRenderer(options.out, options.json.links)
      : options.tty
        ? new BarRenderer(options.out)
        : new LineRenderer(options.out);
  let view = await fetchJobView(client, jobId);
  try {
    for (;;) {
      rate.add(view.applied + view.failed);
      renderer.render(view, rate);
      if (view.execution !== 'RUNNING' || options.signal?.aborted) return view;
      await sleep(options.intervalMs, options.signal);
      view = await fetchJobView(client, jobId);
    }
  } finally {
    renderer.stop();
  }
}

/** Assignments per second over the last twenty seconds of samples. */
class RateMeter {
  private readonly samples: { at: number; done: number }[] = [];
  add(done: number): void {
    const now = Date.now();
    this.samples.push({ at: now, done });
    while (this.samples.length > 2 && now - this.samples[0]!.at > 20_000) this.samples.shift();
  }
  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at === first.at) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function eta(view: JobView, rate: RateMeter): string {
  const remaining = view.total - view.applied - view.failed;
  if (remaining === 0) return '0s';
  const perSecond = rate.perSecond();
  return perSecond > 0 ? formatDuration(remaining / perSecond) : '?';
}

function cooling(tenant: TenantView): string {
  const left = (tenant.cooldownUntil ?? 0) - Date.now();
  return left > 0 ? ` cooling ${formatDuration(left / 1000)}` : '';
}

/** `8.1/s learned`, `5/s configured`, `learning`: how the tenant's pacer sends now. */
export function describePacing(pacing: PacingView): string {
  if (pacing.ratePerSecond === undefined) return 'pacing: learning';
  return `paced at ${pacing.ratePerSecond.toFixed(1)}/s (${pacing.mode})`;
}

function tenantLine(tenant: TenantView): string {
  const failed = tenant.failed ? ` failed ${tenant.failed}` : '';
  const reason = tenant.stopReason ? ` (${tenant.stopReason.message})` : '';
  const pace = tenant.pacing ? ` ${describePacing(tenant.pacing)}` : '';
  return `${tenant.status} 429s ${tenant.throttled}${cooling(tenant)}${pace}${failed}${reason}`;
}

function headline(view: JobView): string {
  const flags = [
    view.paused && 'PAUSED',
    view.cancelRequested && view.execution === 'RUNNING' && 'cancelling',
    view.stale,
  ]
    .filter(Boolean)
    .join(' · ');
  return `job ${view.jobId}: ${view.status}${flags ? ` · ${flags}` : ''}`;
}

interface Renderer {
  render(view: JobView, rate: RateMeter): void;
  stop(): void;
}

class BarRenderer implements Renderer {
  private readonly bars: MultiBar;
  private header: SingleBar | undefined;
  private total: SingleBar | undefined;
  private readonly tenantBars = new Map<string, SingleBar>();

  constructor(out: NodeJS.WritableStream) {
    this.bars = new MultiBar(
      {
        stream: out,
        format: ' {name} {bar} {value}/{total} {detail}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        emptyOnZero: true,
        forceRedraw: true,
      },
      Presets.shades_classic,
    );
  }

  render(view: JobView, rate: RateMeter): void {
    const done = view.applied + view.failed;
    this.header ??= this.bars.create(0, 0, {}, { format: ' {headline}' });
    this.header.update(0, { headline: headline(view) });
    const totals = {
      name: 'total',
      detail: `${rate.perSecond().toFixed(1)}/s ETA ${eta(view, rate)} · applied ${view.applied} · failed ${view.failed} · 429s ${sum(view.tenants, 'throttled')}`,
    };
    this.total ??= this.bars.create(view.total, done, totals);
    this.total.setTotal(view.total);
    this.total.update(done, totals);
    const shown = [...view.tenants]
      .sort(
        (a, b) =>
          Number(b.inFlight > 0) - Number(a.inFlight > 0) ||
          b.total - b.applied - b.failed - (a.total - a.applied - a.failed),
      )
      .slice(0, MAX_TENANT_BARS);
    for (const tenant of shown) {
      let bar = this.tenantBars.get(tenant.tenantId);
      const payload = { name: tenant.tenantId, detail: tenantLine(tenant) };
      if (!bar) this.tenantBars.set(tenant.tenantId, (bar = this.bars.create(tenant.total, 0, payload)));
      bar.update(tenant.applied + tenant.failed, payload);
    }
  }

  stop(): void {
    this.bars.stop();
  }
}

class LineRenderer implements Renderer {
  private readonly finished = new Set<string>();
  constructor(private readonly out: NodeJS.WritableStream) {}

  render(view: JobView, rate: RateMeter): void {
    const time = new Date().toISOString().slice(11, 19);
    const done = view.applied + view.failed;
    this.out.write(
      `${time} ${headline(view)} · ${done}/${view.total} done · applied ${view.applied} · failed ${view.failed} · ` +
        `${rate.perSecond().toFixed(1)}/s · ETA ${eta(view, rate)} · 429s ${sum(view.tenants, 'throttled')}\n`,
    );
    for (const tenant of view.tenants) {
      const closed = ['completed', 'completed-with-failures', 'failed', 'cancelled'].includes(tenant.status);
      const coolingNow = cooling(tenant);
      if (closed && !this.finished.has(tenant.tenantId)) {
        this.finished.add(tenant.tenantId);
        this.out.write(
          `${time}   ${tenant.tenantId}: ${tenant.applied}/${tenant.total} applied · ${tenantLine(tenant)}\n`,
        );
      } else if (!closed && coolingNow) {
        this.out.write(`${time}   ${tenant.tenantId}:${coolingNow} (429s ${tenant.throttled})\n`);
      }
    }
  }

  stop(): void {}
}

/** JSON Lines for scripts: each refresh one `job` document, the last one the state the watch ended on. */
class JsonRenderer implements Renderer {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly links: Links,
  ) {}

  render(view: JobView): void {
    writeDocument(jobDocument(view, this.links), this.out);
  }

  stop(): void {}
}

const SILENT: Renderer = { render() {}, stop() {} };

function sum(tenants: readonly TenantView[], field: 'throttled'): number {
  return tenants.reduce((total, tenant) => total + tenant[field], 0);
}

/** Waits `ms`, or less if `signal` aborts; the listener goes with the wait (a job followed for hours adds none). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

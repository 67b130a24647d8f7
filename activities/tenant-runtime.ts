/**
 * What a worker process keeps per tenant it serves: settings, the secret (in a closure, nowhere else), the
 * token cache, the gate with its line and pacer, the count of throttled attempts, and the metrics. Made when the
 * process first takes the tenant (not at start: a tenants file of 1,000 tenants costs nothing until they have
 * work) and kept while anything uses it (a hold of the tenant, a batch) and a while after (`TENANT_IDLE_CLOSE_MS`),
 * so a tenant's next job or a lease that continues as new finds it; then it is closed, its notification channel
 * with it (an OAuth client may hold 20), so a long-lived process keeps only the tenants it serves lately.
 */
import type { MetricMeter } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { LimitsChange, PacingView } from '../contracts/pacing';
import type { LeaseDirective, LeaseEpoch } from '../contracts/lease';
import { fenceMarginMs } from '../contracts/timing';
import type { TenantSettings } from '../contracts/tenants';
import { ThrottledAttempts } from '../pacing/attempts';
import { LeaseFence } from '../pacing/fence';
import { TenantGate } from '../pacing/gate';
import { initialPacer, resumePacer } from '../pacing/pacer';
import { WaitingRoom } from '../pacing/waiting-room';
import { requestClientCredentialsToken } from './auth/oauth';
import { readClientSecret } from './auth/secrets';
import { TokenCache } from './auth/token-cache';
import type { LogFields } from './log-fields';
import { processMetrics, tenantMetrics, type ProcessMetrics, type TenantMetrics } from './metrics';

/** Token requests get this long; the login service answers in milliseconds when healthy. */
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;
/**
 * A predecessor that met a 429 this recently was writing at the tenant's limit: its last requests may have met a
 * 429 nobody read (it stalled or died right then), so the new holder waits out such a window first.
 */
const RECENTLY_THROTTLED_MS = 5 * 60_000;
/** From a request's write to the API's answer, at most (the window of a 429 opens with the answer). */
const ANSWER_ALLOWANCE_MS = 1_000;
/**
 * Runs begun before the lease whose last limits revision a runtime remembers, the latest seen: a run keeps its
 * entry while its batches come, and the runs that remain are few and finishing.
 */
const MAX_LEGACY_REVISIONS = 1_000;
/**
 * A tenant's runtime nobody has used for this long is closed and dropped. Well past a lease's wait for its next
 * job (`DEFAULT_LEASE_IDLE_MS`) and a hold's retry, so a tenant in use keeps its runtime between holds.
 */
export const TENANT_IDLE_CLOSE_MS = 5 * 60_000;
/** How often the process's gauges (active resources, heap) are read: cheap reads, so a reading is recent. */
export const SAMPLE_PROCESS_EVERY_MS = 2_000;

/** This process claimed the tenant's lease. */
export interface LeaseClaim {
  /** The hold attempt that claimed (see `LeaseFence`). */
  attemptKey: string;
  epoch: LeaseEpoch;
  /** Until when Temporal's answers prove the lease (local epoch ms). */
  confirmedUntil: number;
  directive: LeaseDirective;
  leaseTimeoutMs: number;
  /** When this attempt started (local epoch ms): the lease it follows ran out or was given back before. */
  startedAt: number;
  /** The hold's predecessor: its last beat, as Temporal kept it (or the lease's record of the last give-back). */
  predecessor?: {
    pacing?: PacingView;
    /** It was another process: its pacing is fresher than this process's gate. */
    elsewhere: boolean;
    gaveBack: boolean;
  };
}

export class TenantRuntime {
  readonly tokens: TokenCache;
  readonly metrics: TenantMetrics;
  readonly throttledAttempts = new ThrottledAttempts();
  /** May this process write for the tenant now: only while it holds the tenant's lease (`pacing/fence.ts`). */
  readonly fence = new LeaseFence();
  private currentGate: TenantGate;
  private currentRoom: WaitingRoom;
  /** Whether any request went through the gate yet: until then, what an earlier process learned may seed it. */
  private used = false;
  /**
   * Runs begun before the lease (patch `tenant-lease`): the last limits revision applied, per tenant workflow, the
   * latest `MAX_LEGACY_REVISIONS` runs seen (oldest first).
   */
  private readonly revisions = new Map<string, number>();
  /** The lease directive's revision last applied, counted afresh from each claim. */
  private directiveRevision = 0;
  private readonly cooldownListeners = new Set<() => void>();
  /** What a writer keeps open for the tenant in this process (the Genesys writer's notification channel). */
  private readonly closers: (() => void)[] = [];

  constructor(
    readonly settings: TenantSettings,
    clientSecret: () => string,
    /** The tenant's instruments (`tenantMetrics`), shared by every runtime of the tenant in this process. */
    metrics: TenantMetrics,
    /** The process's log. */
    readonly log: (message: string, fields?: LogFields) => void,
    /** Counts a notification channel opened for the tenant; the returned function, called once, uncounts it. */
    private readonly countChannel: () => () => void = () => () => undefined,
  ) {
    const credentials = { loginUrl: settings.loginUrl, clientId: settings.clientId, clientSecret };
    this.metrics = metrics;
    this.tokens = new TokenCache(
      () => this.metrics.tokenRequest(requestClientCredentialsToken(credentials, TOKEN_REQUEST_TIMEOUT_MS)),
      {
        onBackgroundError: (error) =>
          log(`tenant ${settings.id}: background token refresh failed: ${(error as Error).message}`, {
            tenantId: settings.id,
          }),
      },
    );
    this.currentGate = new TenantGate(initialPacer(settings.limits, Date.now()));
    this.currentRoom = new WaitingRoom(this.currentGate, Date.now, this.fence);
    this.fence.onChange(() => this.currentRoom.pump());
  }

  /** Calls `closer` when the runtime closes. */
  onClose(closer: () => void): void {
    this.closers.push(closer);
  }

  /** Lets go of what keeps connections open (what writers registered with `onClose`), once. */
  close(): void {
    for (const closer of this.closers.splice(0)) closer();
  }

  /** A writer opened a notification channel for the tenant; call the returned function once it is closed. */
  channelOpened(): () => void {
    return this.countChannel();
  }

  /**
   * Whether the tenant is in use here whoever counted it: a lease held or being claimed (or a hold begun before
   * the lease), requests out or in line. Such a runtime is not closed as idle.
   */
  get busy(): boolean {
    return this.fence.verdict() !== 'closed' || this.currentGate.inFlight > 0 || this.currentRoom.waiting > 0;
  }

  get gate(): TenantGate {
    return this.currentGate;
  }

  /** The line in front of the gate; every request of the tenant in this process waits here. */
  get room(): WaitingRoom {
    this.used = true;
    return this.currentRoom;
  }

  /**
   * This process claimed the tenant's lease: it writes for the tenant from now on, for every job. Its gate starts
   * from what the predecessor knew when that was another process (its last beat is fresher than anything here),
   * or when this runtime has sent nothing yet (made afresh after the one that held before was closed as idle: the
   * lease's beats carry the pacing, so nothing learned is lost with it), follows the lease's directive, and honours
   * any window still open. A predecessor that did not give the lease back (it died or stalled) may have left a 429
   * unread: the first request goes alone, and when the tenant was at its limit lately, nothing goes before such a
   * 429's window would have ended.
   */
  beginLease(claim: LeaseClaim): void {
    const { predecessor, directive } = claim;
    const limits = directiveLimits(directive);
    if (predecessor?.pacing && (predecessor.elsewhere || !this.used)) this.startGate(predecessor.pacing, limits);
    else this.currentGate.changeLimits(limits);
    this.directiveRevision = directive.revision;
    this.honourCooldown(predecessor?.pacing);
    if (directive.holdUntil !== undefined) this.honourUntil(directive.holdUntil);
    if (predecessor && !predecessor.gaveBack) {
      this.currentGate.probeFirst();
      const pacing = predecessor.pacing;
      if (
        pacing?.lastThrottleAt !== undefined &&
        pacing.lastWindowMs !== undefined &&
        claim.startedAt - pacing.lastThrottleAt < RECENTLY_THROTTLED_MS
      ) {
        // The predecessor wrote nothing after its proof ran out, a margin before this attempt could start.
        const lastWrite = claim.startedAt - fenceMarginMs(claim.leaseTimeoutMs);
        this.honourUntil(lastWrite + ANSWER_ALLOWANCE_MS + pacing.lastWindowMs);
      }
    }
    this.fence.hold(claim.attemptKey, claim.epoch, claim.confirmedUntil);
  }

  /** Applies the lease's directive carried by a batch, once per revision (new limits, a window met elsewhere). */
  followLease(directive: LeaseDirective): void {
    if (directive.revision <= this.directiveRevision) return;
    this.directiveRevision = directive.revision;
    this.currentGate.changeLimits(directiveLimits(directive));
    if (directive.holdUntil !== undefined) this.honourUntil(directive.holdUntil);
    this.currentRoom.pump();
  }

  /**
   * Runs begun before the lease: a tenant workflow hands the tenant to this process: its limits, what its pacer had
   * learned elsewhere (used only while this process has not sent anything for the tenant yet; after that, its own
   * gate knows better).
   */
  takeOver(workflowId: string, limits: LimitsChange, learned: PacingView | undefined): void {
    if (this.used) {
      this.follow(workflowId, limits);
    } else {
      // Even with nothing learned: the job's limits replace the tenants file's.
      this.startGate(learned, limits);
      this.rememberRevision(workflowId, limits.revision);
    }
    this.honourCooldown(learned);
  }

  /**
   * Runs begun before the lease: what the tenant workflow knows of the tenant's pacing now, carried by each batch.
   * The hold's own input dates from when the hold began, so a process that takes the tenant over mid-run learns here
   * what the workflow heard since: the pacer's rate (while this process has not sent anything for the tenant yet),
   * and a Retry-After window that the process now dead met and reported, which holds here until it ends.
   */
  adopt(learned: PacingView | undefined, limits: LimitsChange): void {
    if (!this.used && learned) this.startGate(learned, limits);
    this.honourCooldown(learned);
  }

  private startGate(learned: PacingView | undefined, limits: LimitsChange | PacerLimitsOnly): void {
    // Requests already in line (their activity is still running) move to the new line.
    const waiting = this.currentRoom;
    this.currentGate = new TenantGate(resumePacer(learned, limits, Date.now()));
    this.currentRoom = new WaitingRoom(this.currentGate, Date.now, this.fence);
    waiting.moveTo(this.currentRoom);
  }

  private honourCooldown(learned: PacingView | undefined): void {
    if (learned?.cooldownUntil !== undefined) this.honourUntil(learned.cooldownUntil);
  }

  private honourUntil(until: number): void {
    // A window already over changes nothing; holding the gate again would call for a needless probe.
    if (until > Date.now() && this.currentGate.holdUntil(until)) this.currentRoom.pump();
  }

  /** Calls `listener` whenever a 429 closes or extends the gate; returns the function that stops it. */
  onCooldown(listener: () => void): () => void {
    this.cooldownListeners.add(listener);
    return () => this.cooldownListeners.delete(listener);
  }

  /** A 429 closed or extended the gate: the holds of this tenant tell their workflows (see `serve-tenant.ts`). */
  cooldownChanged(): void {
    for (const listener of this.cooldownListeners) listener();
  }

  /**
   * Runs begun before the lease: applies a `setLimits` change of a tenant workflow once (each activity carries the
   * job's current limits).
   */
  follow(workflowId: string, limits: LimitsChange): void {
    const applied = this.revisions.get(workflowId) ?? 0;
    this.rememberRevision(workflowId, Math.max(applied, limits.revision));
    if (applied >= limits.revision) return;
    this.currentGate.changeLimits(limits);
    this.currentRoom.pump();
  }

  /** Runs begun before the lease whose revision this runtime remembers. */
  get legacyRunsRemembered(): number {
    return this.revisions.size;
  }

  /** Keeps the run's revision as the newest entry, forgetting the run least lately seen past the bound. */
  private rememberRevision(workflowId: string, revision: number): void {
    this.revisions.delete(workflowId);
    this.revisions.set(workflowId, revision);
    if (this.revisions.size > MAX_LEGACY_REVISIONS) this.revisions.delete(this.revisions.keys().next().value!);
  }
}

type PacerLimitsOnly = Pick<LimitsChange, 'ratePerSecond' | 'burst'>;

function directiveLimits(directive: LeaseDirective): PacerLimitsOnly {
  const { ratePerSecond, burst } = directive.limits;
  return { ...(ratePerSecond !== undefined && { ratePerSecond }), ...(burst !== undefined && { burst }) };
}

/** A tenant id this process cannot serve: not in its tenants file (or its secret is missing). */
export class TenantUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantUnavailableError';
  }
}

export interface TenantRuntimesOptions {
  /** The tenants file as it is now; read again when a tenant is not found, so new tenants need no restart. */
  loadTenants: () => ReadonlyMap<string, TenantSettings>;
  /** Environment holding the secrets (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string, fields?: LogFields) => void;
  /** Where the tenants' metrics go; by default this process's Temporal runtime's meter (see `worker/runtime.ts`). */
  meter?: MetricMeter;
  /** How long a runtime nobody uses is kept before it is closed (default `TENANT_IDLE_CLOSE_MS`). */
  idleCloseMs?: number;
}

/** A use of a tenant's runtime: it stays open until every use is released. */
export interface TenantUse {
  readonly runtime: TenantRuntime;
  /** This use is over (once; later calls do nothing). */
  release(): void;
}

interface KeptRuntime {
  readonly tenantId: string;
  readonly runtime: TenantRuntime;
  /** Uses not released yet. */
  users: number;
  /** Set while nobody uses the runtime: it closes the runtime unless the tenant is taken again first. */
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * The tenants this process serves now, made on first use, closed and dropped once nobody has used them for the
 * idle delay. A later use makes a fresh runtime: what its gate had learned comes back with the lease, whose holds
 * carry the pacing in their beats (`HoldBeat.pacing`, adopted by `beginLease`), and a run begun before the lease
 * brings its pacing along (`takeOver`).
 */
export class TenantRuntimes {
  private readonly runtimes = new Map<string, KeptRuntime>();
  /** Temporal's meter cannot drop instruments: a tenant's are made once and serve each of its runtimes. */
  private readonly metricsByTenant = new Map<string, TenantMetrics>();
  private tenants: ReadonlyMap<string, TenantSettings>;
  private readonly idleCloseMs: number;
  private channelsOpen = 0;
  /** Made with the first runtime: the meter is the Temporal runtime's, installed by then (`worker/runtime.ts`). */
  private gauges: ProcessMetrics | undefined;
  private resourceSampling: NodeJS.Timeout | undefined;

  constructor(private readonly options: TenantRuntimesOptions) {
    this.tenants = options.loadTenants();
    this.idleCloseMs = options.idleCloseMs ?? TENANT_IDLE_CLOSE_MS;
  }

  /** Tenants in the tenants file as last read. */
  get configured(): ReadonlyMap<string, TenantSettings> {
    return this.tenants;
  }

  /** Closes every tenant's runtime and its open channels (the process is stopping). */
  close(): void {
    clearInterval(this.resourceSampling);
    this.resourceSampling = undefined;
    for (const kept of this.runtimes.values()) {
      clearTimeout(kept.idleTimer);
      kept.runtime.close();
    }
    this.runtimes.clear();
    this.reportCounts();
  }

  /** Tenants this process keeps a runtime for now. */
  get active(): number {
    return this.runtimes.size;
  }

  /** Notification channels the tenants' writers keep open in this process now. */
  get notificationChannels(): number {
    return this.channelsOpen;
  }

  /**
   * The tenant's runtime, made on first use, kept open until the returned use is released (and the idle delay
   * after the last one); `TenantUnavailableError` when this process cannot serve it.
   */
  acquire(tenantId: string): TenantUse {
    const kept = this.keep(tenantId);
    kept.users++;
    clearTimeout(kept.idleTimer);
    kept.idleTimer = undefined;
    let released = false;
    return {
      runtime: kept.runtime,
      release: () => {
        if (released) return;
        released = true;
        if (--kept.users === 0) this.closeWhenIdle(kept);
      },
    };
  }

  /**
   * The tenant's runtime, made on first use, without counting a use: for a moment while a use holds it (or a
   * test). Unused, it is closed after the idle delay unless busy (`TenantRuntime.busy`).
   */
  get(tenantId: string): TenantRuntime {
    const kept = this.keep(tenantId);
    if (kept.users === 0) this.closeWhenIdle(kept);
    return kept.runtime;
  }

  private keep(tenantId: string): KeptRuntime {
    const existing = this.runtimes.get(tenantId);
    if (existing) return existing;
    const kept: KeptRuntime = { tenantId, runtime: this.make(tenantId), users: 0, idleTimer: undefined };
    this.runtimes.set(tenantId, kept);
    this.reportCounts();
    return kept;
  }

  private make(tenantId: string): TenantRuntime {
    let settings = this.tenants.get(tenantId);
    if (!settings) {
      this.tenants = this.options.loadTenants();
      settings = this.tenants.get(tenantId);
    }
    if (!settings) {
      throw new TenantUnavailableError(
        `no worker serves tenant ${tenantId}: it is not in the tenants file of this worker process; ` +
          'add it to the tenants file (WFM_TENANTS) of the worker processes',
      );
    }
    const found = settings;
    const secret = () => readClientSecret(found, this.options.env);
    try {
      secret(); // a tenant whose secret cannot be read at all is not served
    } catch (error) {
      throw new TenantUnavailableError((error as Error).message);
    }
    const meter = this.options.meter ?? Runtime.instance().metricMeter;
    this.startGauges(meter);
    let metrics = this.metricsByTenant.get(tenantId);
    if (!metrics) {
      metrics = tenantMetrics(meter, settings.id);
      this.metricsByTenant.set(tenantId, metrics);
    }
    const log = this.options.log ?? ((message) => console.warn(message));
    return new TenantRuntime(settings, secret, metrics, log, () => this.countChannel());
  }

  /** Closes the runtime once nobody has used it for the idle delay, unless it is taken again meanwhile. */
  private closeWhenIdle(kept: KeptRuntime): void {
    if (kept.idleTimer) return;
    kept.idleTimer = setTimeout(() => {
      kept.idleTimer = undefined;
      if (kept.users > 0 || this.runtimes.get(kept.tenantId) !== kept) return;
      // A lease held or requests out with no use counted (looked at with `get` only): not idle, look again later.
      if (kept.runtime.busy) return this.closeWhenIdle(kept);
      this.runtimes.delete(kept.tenantId);
      kept.runtime.close();
      this.reportCounts();
    }, this.idleCloseMs);
    // Waiting to close something never keeps the process alive.
    kept.idleTimer.unref();
  }

  private countChannel(): () => void {
    this.channelsOpen++;
    this.reportCounts();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.channelsOpen--;
      this.reportCounts();
    };
  }

  private startGauges(meter: MetricMeter): void {
    if (this.gauges) return;
    const gauges = processMetrics(meter);
    this.gauges = gauges;
    gauges.sampleProcess();
    this.resourceSampling = setInterval(() => gauges.sampleProcess(), SAMPLE_PROCESS_EVERY_MS);
    this.resourceSampling.unref();
  }

  private reportCounts(): void {
    this.gauges?.tenantRuntimesOpen(this.runtimes.size);
    this.gauges?.notificationChannelsOpen(this.channelsOpen);
  }
}

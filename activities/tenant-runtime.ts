/**
 * What a worker process keeps per tenant it serves: settings, the secret (in a closure, nowhere else), the
 * token cache, the gate with its line and pacer, the count of throttled attempts, and the metrics. Made when the
 * process first takes the tenant (not at start: a tenants file of 1,000 tenants costs nothing until they have
 * work) and kept while the process runs, so the gate remembers the tenant between jobs.
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
import { tenantMetrics, type TenantMetrics } from './metrics';

/** Token requests get this long; the login service answers in milliseconds when healthy. */
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;
/**
 * A predecessor that met a 429 this recently was writing at the tenant's limit: its last requests may have met a
 * 429 nobody read (it stalled or died right then), so the new holder waits out such a window first.
 */
const RECENTLY_THROTTLED_MS = 5 * 60_000;
/** From a request's write to the API's answer, at most (the window of a 429 opens with the answer). */
const ANSWER_ALLOWANCE_MS = 1_000;

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
  /** Runs begun before the lease (patch `tenant-lease`): the last limits revision applied, per tenant workflow. */
  private readonly revisions = new Map<string, number>();
  /** The lease directive's revision last applied, counted afresh from each claim. */
  private directiveRevision = 0;
  private readonly cooldownListeners = new Set<() => void>();
  /** What a writer keeps open for the tenant in this process (the Genesys writer's notification channel). */
  private readonly closers: (() => void)[] = [];

  constructor(
    readonly settings: TenantSettings,
    clientSecret: () => string,
    meter: MetricMeter,
    /** The process's log. */
    readonly log: (message: string, fields?: LogFields) => void,
  ) {
    const credentials = { loginUrl: settings.loginUrl, clientId: settings.clientId, clientSecret };
    this.metrics = tenantMetrics(meter, settings.id);
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

  /** Lets go of what keeps connections open (what writers registered with `onClose`). */
  close(): void {
    for (const closer of this.closers) closer();
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
   * follows the lease's directive, and honours any window still open. A predecessor that did not give the lease back
   * (it died or stalled) may have left a 429 unread: the first request goes alone, and when the tenant was at its
   * limit lately, nothing goes before such a 429's window would have ended.
   */
  beginLease(claim: LeaseClaim): void {
    const { predecessor, directive } = claim;
    const limits = directiveLimits(directive);
    if (predecessor?.pacing && predecessor.elsewhere) this.startGate(predecessor.pacing, limits);
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
      this.revisions.set(workflowId, limits.revision);
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
    if ((this.revisions.get(workflowId) ?? 0) >= limits.revision) return;
    this.revisions.set(workflowId, limits.revision);
    this.currentGate.changeLimits(limits);
    this.currentRoom.pump();
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
}

/** The tenants this process serves or has served, made on first use. */
export class TenantRuntimes {
  private readonly runtimes = new Map<string, TenantRuntime>();
  private tenants: ReadonlyMap<string, TenantSettings>;

  constructor(private readonly options: TenantRuntimesOptions) {
    this.tenants = options.loadTenants();
  }

  /** Tenants in the tenants file as last read. */
  get configured(): ReadonlyMap<string, TenantSettings> {
    return this.tenants;
  }

  /** Closes every tenant's open channels (the process is stopping). */
  close(): void {
    for (const runtime of this.runtimes.values()) runtime.close();
  }

  /** Tenants this process has made a runtime for. */
  get active(): number {
    return this.runtimes.size;
  }

  /** The tenant's runtime, made on first use; `TenantUnavailableError` when this process cannot serve it. */
  get(tenantId: string): TenantRuntime {
    const existing = this.runtimes.get(tenantId);
    if (existing) return existing;
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
    const runtime = new TenantRuntime(
      settings,
      secret,
      this.options.meter ?? Runtime.instance().metricMeter,
      this.options.log ?? ((message) => console.warn(message)),
    );
    this.runtimes.set(tenantId, runtime);
    return runtime;
  }
}

import { randomInt } from 'node:crypto';
import {
  parseSimulatorConfig,
  clientSecretSchema,
  faultSettingsSchema,
  orgThrottleSchema,
  throttleLimitsSchema,
  type ClientConfig,
  type FaultSettingsInput,
  type OrgConfig,
  type OrgThrottleInput,
  type OrgThrottleLimits,
  type SimulatorConfig,
  type SimulatorConfigInput,
  type ThrottleLimits,
} from './config';
import { SeededRandom, deriveSeed } from './prng';
import { BuScheduleRuntime } from './schedules/runtime';
import { buScheduleSettingsSchema, type BuScheduleFaults, type BuScheduleFaultsInput } from './schedules/settings';
import { OrgWriters, RingBuffer, emptyCounters, type OrgCounters, type OrgStats, type RequestRecord } from './stats';
import { FixedWindowThrottle, TokenBucketThrottle, type Clock, type RequestThrottle } from './throttle';
import { TokenStore, type IssuedToken } from './tokens';
import { sameAssignment, type Assignment } from './validation';

/** Runtime state of one org. Counters and log objects are replaced on reset, so in-flight requests keep theirs. */
export interface OrgRuntime {
  /** Effective config, including runtime changes (faults, throttles, scopes, secrets). */
  config: OrgConfig;
  clients: Map<string, ClientConfig>;
  users: ReadonlySet<string> | undefined;
  /** The org's API throttle: a token bucket or fixed windows (`config.throttle`), or null when unthrottled. */
  throttle: RequestThrottle | null;
  /** clientId -> login bucket, made on the client's first token request while `config.loginThrottle` is set. */
  loginThrottles: Map<string, TokenBucketThrottle>;
  counters: OrgCounters;
  /** Which client processes write for the org (stale lease epochs, overlapping writers). */
  writers: OrgWriters;
  log: RingBuffer<RequestRecord>;
  /** scheduleId -> assignment id -> assignment. */
  schedules: Map<string, Map<string, Assignment>>;
  random: SeededRandom;
  /** The asynchronous schedule-update API of the org (business-unit schedules, uploads, channels). */
  buSchedules: BuScheduleRuntime;
}

/** Result of applying one item. */
export type ApplyResult = 'created' | 'updated' | 'unchanged';

/** Whole-simulator stats, as returned by `GET /__admin/stats`. */
export interface SimulatorStats {
  /** ms epoch of start or last reset. */
  startedAt: number;
  /** Seed of the fault PRNG in use, to reproduce a run. */
  seed: number;
  /** Requests that could not be tied to an org (unknown client id or unknown/missing token). */
  unattributed: { tokenRequests: number; putRequests: number };
  orgs: Record<string, OrgStats>;
}

/** An admin operation named an org or client that does not exist. */
export class UnknownEntityError extends Error {
  readonly type = 'UnknownEntityError';
}

/** All mutable simulator state, behind the operations the HTTP routes and in-process tests use. */
export class SimulatorState {
  readonly tokens: TokenStore;
  private baseConfig!: SimulatorConfig;
  private orgs = new Map<string, OrgRuntime>();
  private scheduleOwners = new Map<string, string>();
  private clientOwners = new Map<string, string>();
  private seedInUse = 0;
  private startedAtMs = 0;
  private unattributed = { tokenRequests: 0, putRequests: 0 };

  constructor(
    config: SimulatorConfig,
    /** Clock for token expiry, throttle and timestamps; latency faults still use real timers. */
    readonly now: Clock = Date.now,
  ) {
    this.tokens = new TokenStore(now);
    this.load(config);
  }

  /** Global settings and orgs as configured, with runtime changes applied (a copy). */
  get config(): SimulatorConfig {
    return structuredClone({
      ...this.baseConfig,
      seed: this.seedInUse,
      orgs: [...this.orgs.values()].map((o) => o.config),
    });
  }

  /** The org by id. */
  org(orgId: string): OrgRuntime | undefined {
    return this.orgs.get(orgId);
  }

  /** The org owning a schedule id. */
  orgOfSchedule(scheduleId: string): OrgRuntime | undefined {
    const owner = this.scheduleOwners.get(scheduleId);
    return owner === undefined ? undefined : this.orgs.get(owner);
  }

  /** The org and current config of an OAuth client. */
  client(clientId: string): { org: OrgRuntime; client: ClientConfig } | undefined {
    const owner = this.clientOwners.get(clientId);
    const org = owner === undefined ? undefined : this.orgs.get(owner);
    const client = org?.clients.get(clientId);
    return org && client ? { org, client } : undefined;
  }

  /** Counts a request no org can be blamed for. */
  countUnattributed(kind: 'tokenRequests' | 'putRequests'): void {
    this.unattributed[kind]++;
  }

  /** Stores assignments idempotently by id in one schedule of the org; returns each item's result. */
  apply(org: OrgRuntime, scheduleId: string, assignments: Assignment[]): ApplyResult[] {
    const stored = org.schedules.get(scheduleId);
    if (!stored) throw new UnknownEntityError(`schedule "${scheduleId}" is not in org "${org.config.id}"`);
    return assignments.map((assignment) => {
      const existing = stored.get(assignment.id);
      stored.set(assignment.id, assignment);
      if (!existing) return 'created';
      org.counters.repeatedAssignmentPuts++;
      return sameAssignment(existing, assignment) ? 'unchanged' : 'updated';
    });
  }

  /** Stats of every org. */
  stats(): SimulatorStats {
    const orgs: Record<string, OrgStats> = {};
    for (const [orgId, org] of this.orgs) {
      let applied = 0;
      for (const schedule of org.schedules.values()) applied += schedule.size;
      orgs[orgId] = {
        ...org.counters,
        assignmentsApplied: applied,
        throttle: org.throttle?.snapshot() ?? null,
        scheduleApi: org.buSchedules.stats(),
      };
    }
    return { startedAt: this.startedAtMs, seed: this.seedInUse, unattributed: { ...this.unattributed }, orgs };
  }

  /** The org's PUT request log, oldest first. */
  requestLog(orgId: string): RequestRecord[] {
    return this.requireOrg(orgId)
      .log.toArray()
      .map((r) => ({ ...r }));
  }

  /** Every assignment stored for the org, by schedule then id. */
  assignments(orgId: string): Array<{ scheduleId: string } & Assignment> {
    const org = this.requireOrg(orgId);
    const out: Array<{ scheduleId: string } & Assignment> = [];
    for (const [scheduleId, stored] of org.schedules) {
      for (const a of sortedById(stored)) out.push({ scheduleId, ...a });
    }
    return out;
  }

  /** Assignments of one schedule sorted by id (read-back). */
  scheduleAssignments(org: OrgRuntime, scheduleId: string): Assignment[] {
    return sortedById(org.schedules.get(scheduleId) ?? new Map<string, Assignment>());
  }

  /** Every org (for lookups by something the URL carries instead of a token, e.g. an upload key). */
  allOrgs(): OrgRuntime[] {
    return [...this.orgs.values()];
  }

  /** Replaces the fault switches of the org's schedule-update API (`{}` clears them); returns them. */
  setBuScheduleFaults(orgId: string, faults: BuScheduleFaultsInput): BuScheduleFaults {
    const org = this.requireOrg(orgId);
    org.buSchedules.setFaults(faults);
    org.config.buSchedules = org.buSchedules.settings; // so GET /__admin/config shows the change
    return structuredClone(org.buSchedules.settings.faults);
  }

  /** Stops pending schedule updates and drops every channel socket (shutdown). */
  disposeBuSchedules(): void {
    for (const org of this.orgs.values()) org.buSchedules.dispose();
  }

  /** Replaces the org's faults (`{}` clears them). Throws a ZodError on invalid settings. */
  setFaults(orgId: string, faults: FaultSettingsInput): void {
    this.requireOrg(orgId).config.faults = faultSettingsSchema.parse(faults);
  }

  /**
   * Changes the org's limits; `null` lifts the throttle. A throttle of the same kind keeps its state (tokens capped
   * at the new burst, a window its count); one added, or of the other kind, starts afresh.
   */
  setThrottle(orgId: string, limits: OrgThrottleInput | null): void {
    const org = this.requireOrg(orgId);
    const parsed = limits === null ? null : orgThrottleSchema.parse(limits);
    org.config.throttle = parsed;
    if (parsed === null) org.throttle = null;
    else if ('fixedWindow' in parsed && org.throttle instanceof FixedWindowThrottle)
      org.throttle.setLimits(parsed.fixedWindow);
    else if (!('fixedWindow' in parsed) && org.throttle instanceof TokenBucketThrottle) org.throttle.setLimits(parsed);
    else org.throttle = this.newOrgThrottle(parsed);
  }

  /**
   * Changes the org's login limits; `null` lifts them. Clients' buckets keep their tokens, capped at the new burst;
   * limits added to an org without them start full.
   */
  setLoginThrottle(orgId: string, limits: ThrottleLimits | null): void {
    const org = this.requireOrg(orgId);
    const parsed = limits === null ? null : throttleLimitsSchema.parse(limits);
    org.config.loginThrottle = parsed;
    if (parsed === null) org.loginThrottles.clear();
    else for (const bucket of org.loginThrottles.values()) bucket.setLimits(parsed);
  }

  /**
   * The login bucket of one client of the org, or null when the org's logins are unthrottled. Made on first use:
   * a bucket nobody took from since the start would be full by then anyway.
   */
  loginThrottle(org: OrgRuntime, clientId: string): TokenBucketThrottle | null {
    const limits = org.config.loginThrottle;
    if (limits === null) return null;
    let bucket = org.loginThrottles.get(clientId);
    if (!bucket) {
      bucket = this.newThrottle(limits);
      org.loginThrottles.set(clientId, bucket);
    }
    return bucket;
  }

  /** Revokes every token issued so far to the org; returns how many were revoked. */
  revokeTokens(orgId: string): number {
    this.requireOrg(orgId);
    return this.tokens.revokeOrg(orgId);
  }

  /** Replaces a client's scopes; takes effect for tokens already issued too. */
  setClientScopes(orgId: string, clientId: string, scopes: string[]): void {
    this.requireClient(orgId, clientId).scopes = [...scopes];
  }

  /**
   * Rotates a client's secret: `POST /oauth/token` refuses the old one from now on. Tokens already issued keep
   * working unless `revokeTokens`, which revokes every token of the org (a leaked secret may have minted any of
   * them). Returns how many tokens were revoked. Throws a ZodError on an empty secret.
   */
  setClientSecret(
    orgId: string,
    clientId: string,
    clientSecret: string,
    options: { revokeTokens?: boolean } = {},
  ): number {
    const client = this.requireClient(orgId, clientId);
    client.clientSecret = clientSecretSchema.parse(clientSecret);
    return options.revokeTokens ? this.revokeTokens(orgId) : 0;
  }

  /** Every token issued so far (a test aid). */
  issuedTokens(): IssuedToken[] {
    return this.tokens.list();
  }

  /**
   * Back to a clean slate: stats, logs, stored assignments, tokens and windows cleared, buckets full, runtime
   * changes undone. With a config, that config replaces the current one (validated first; throws on error).
   */
  reset(config?: SimulatorConfigInput): void {
    this.load(config === undefined ? this.baseConfig : parseSimulatorConfig(config));
  }

  /** Throws {@link UnknownEntityError} for an unknown org. */
  requireOrg(orgId: string): OrgRuntime {
    const org = this.orgs.get(orgId);
    if (!org) throw new UnknownEntityError(`unknown org "${orgId}"`);
    return org;
  }

  /**
   * The client's live config, so that changes to it apply at once; throws {@link UnknownEntityError} for an unknown
   * org or client.
   */
  requireClient(orgId: string, clientId: string): ClientConfig {
    const client = this.requireOrg(orgId).clients.get(clientId);
    if (!client) throw new UnknownEntityError(`client "${clientId}" is not in org "${orgId}"`);
    return client;
  }

  private load(config: SimulatorConfig): void {
    // Resolve a random seed once, so a reset without a new config replays the same fault sequence.
    this.seedInUse = config.seed ?? randomInt(0, 2 ** 32 - 1);
    this.disposeBuSchedules(); // pending updates and sockets of the previous state end here
    this.baseConfig = { ...structuredClone(config), seed: this.seedInUse };
    this.startedAtMs = this.now();
    this.unattributed = { tokenRequests: 0, putRequests: 0 };
    this.tokens.clear();
    this.orgs = new Map();
    this.scheduleOwners = new Map();
    this.clientOwners = new Map();
    for (const orgConfig of structuredClone(config.orgs)) {
      const seedLabel = orgConfig.seedLabel ?? orgConfig.id;
      const runtime: OrgRuntime = {
        config: orgConfig,
        clients: new Map(orgConfig.clients.map((c) => [c.clientId, c])),
        users: orgConfig.users ? new Set(orgConfig.users) : undefined,
        throttle: orgConfig.throttle ? this.newOrgThrottle(orgConfig.throttle) : null,
        loginThrottles: new Map(),
        counters: emptyCounters(),
        writers: new OrgWriters(),
        log: new RingBuffer(config.requestLogSize),
        schedules: new Map(orgConfig.schedules.map((s) => [s, new Map<string, Assignment>()])),
        random: new SeededRandom(deriveSeed(this.seedInUse, seedLabel)),
        buSchedules: new BuScheduleRuntime(
          orgConfig.id,
          buScheduleSettingsSchema.parse(orgConfig.buSchedules ?? {}),
          { seed: this.seedInUse, label: seedLabel },
          this.now,
        ),
      };
      this.orgs.set(orgConfig.id, runtime);
      for (const s of orgConfig.schedules) this.scheduleOwners.set(s, orgConfig.id);
      for (const c of orgConfig.clients) this.clientOwners.set(c.clientId, orgConfig.id);
    }
  }

  private newThrottle(limits: ThrottleLimits): TokenBucketThrottle {
    return new TokenBucketThrottle(limits, { now: this.now, violationGraceMs: this.baseConfig.violationGraceMs });
  }

  private newOrgThrottle(limits: OrgThrottleLimits): RequestThrottle {
    if (!('fixedWindow' in limits)) return this.newThrottle(limits);
    return new FixedWindowThrottle(limits.fixedWindow, {
      now: this.now,
      violationGraceMs: this.baseConfig.violationGraceMs,
    });
  }

  /** Global options the routes read on every request. */
  get options(): Pick<
    SimulatorConfig,
    'retryAfterFormat' | 'rateLimitHeaders' | 'maxAssignmentsPerRequest' | 'tokenTtlSeconds'
  > {
    return this.baseConfig;
  }
}

function sortedById(stored: Map<string, Assignment>): Assignment[] {
  return [...stored.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((a) => ({ ...a }));
}

/**
 * The tenant lease: what crosses Temporal between a tenant's lease workflow (`workflows/lease.ts`), the jobs
 * writing to the tenant (their tenant workflows, the lease's members) and the worker process holding the lease
 * (`activities/hold-tenant.ts`). One lease per tenant across every job and process: its holder is the one process
 * that writes for the tenant, and it writes only while Temporal confirms that it still holds the lease.
 */
import type { FailureReason } from './failures';
import type { PacingView } from './pacing';
import type { TenantLimits } from './tenants';

/**
 * An epoch names one holding of the lease: strictly greater for each new holder, across the lease workflow's runs
 * (it is the claim's time in epoch ms, or one more than the last epoch when that is later). Whatever carries an
 * epoch older than the lease's current one (a claim, a report, a request) comes from a holder that lost the lease.
 */
export type LeaseEpoch = number;

/** What the lease asks of its holder: the tenant's limits as the jobs set them, applied once per `revision`. */
export interface LeaseDirective {
  /** Bumped at each change; a holder applies each revision once (counted afresh from its claim). */
  revision: number;
  limits: TenantLimits;
  /**
   * A Retry-After window met by a process that had lost the lease (it read a late 429): the holder sends nothing
   * before this (epoch ms). Later reports only ever extend it.
   */
  holdUntil?: number;
}

/** The process holding the lease. */
export interface LeaseHolder {
  epoch: LeaseEpoch;
  /** The tenant's task queue in that process: where the jobs send their batches. */
  taskQueue: string;
  /** The process's worker id. */
  worker: string;
}

/** A job's tenant workflow writing to the tenant. */
export interface LeaseMemberRef {
  /** The tenant workflow's id (the same across its continue-as-new runs). */
  workflowId: string;
  jobId: string;
}

/** What the lease tells each member: where to send, how many batches at once, or why nothing can be sent. */
export interface LeaseView {
  /** Bumped at each change: a member ignores a view older than the one it has. */
  seq: number;
  /** Absent while no process holds the lease (starting, or between two holders). */
  holder?: LeaseHolder;
  /** Batches this member may have out at once: its share of the tenant's concurrency among the active members. */
  share: number;
  directive: LeaseDirective;
  /** No process can serve the tenant (unknown, no write permission, no login within the budget): stop with this. */
  refused?: FailureReason;
}

/** Knobs for tests and unusual deployments; the defaults suit production. */
export interface LeaseTuning {
  /**
   * A holder that Temporal has not heard from for this long has lost the lease, and another process may take it
   * (default 10 s). The holder itself stops writing a margin before (`fenceMarginMs`, `timing.ts`).
   */
  leaseTimeoutMs?: number;
  /** How long a tenant's login may keep failing (network, 5xx, timeouts) before the tenant fails (default 2 min). */
  loginBudgetMs?: number;
  /** How long a lease without members waits for one before it ends (default 10 s). */
  idleMs?: number;
}

export interface JoinLeaseInput {
  tenantId: string;
  member: LeaseMemberRef;
  /** False while the member's job is paused: its share goes to the others. */
  active: boolean;
  /** The tenant's limits as this member's job knows them (its tenants file and `setLimits`). */
  limits: TenantLimits;
  tuning?: LeaseTuning;
}

export interface TenantLeaseInput {
  tenantId: string;
  /** The limits of the job that started the lease; later jobs change them through `setLimits`. */
  limits: TenantLimits;
  tuning?: LeaseTuning;
  carry?: LeaseCarry;
}

/** A member as the lease keeps it. */
export interface LeaseMember extends LeaseMemberRef {
  active: boolean;
  /** The seq of the view last sent to it. */
  seenSeq: number;
  /** No process could hold the lease while it was a member: it stops with this reason. */
  refused?: FailureReason;
}

/** What a lease workflow carries into its next run. */
export interface LeaseCarry {
  seq: number;
  /** Holds started so far (each hold activity's number). */
  holds: number;
  lastEpoch: LeaseEpoch;
  members: LeaseMember[];
  directive: LeaseDirective;
  /** How the last hold ended, to seed the next. */
  last?: LastHolding;
}

/** How the lease's last holding ended: what the next holder starts from. */
export interface LastHolding {
  /** The process that held it. */
  worker: string;
  /** It gave the lease back after its last request ended; otherwise it died or stalled holding it. */
  gaveBack: boolean;
  pacing?: PacingView;
}

/** Input of the hold activity: hold the lease until the lease workflow lets go. */
export interface HoldTenantInput {
  tenantId: string;
  /** Which hold of the lease this is: a claim of another hold is refused. */
  hold: number;
  /** How the lease's last holding ended (a retry of this hold reads its predecessor's beat instead). */
  last?: LastHolding;
  loginBudgetMs: number;
}

/**
 * The heartbeat details of a hold: what its next attempt (in another process, after this one died, stalled or
 * gave the lease back) starts from.
 */
export interface HoldBeat {
  /** The process of the attempt that sent it. */
  worker: string;
  /** The epoch this attempt holds, once it has claimed the lease. */
  epoch?: LeaseEpoch;
  /** The tenant's pacing in the holder as of this beat. */
  pacing?: PacingView;
  /** When the tenant's login began to fail without a break (epoch ms), across attempts: the budget counts from here. */
  loginFailingSince?: number;
  /** Set by a holder that gave the lease back after its last request ended: its successor needs no caution. */
  gaveBack?: boolean;
  /** Until this attempt claims: how the lease's last holding ended, handed on from the beat before. */
  last?: LastHolding;
}

/** What a hold ends with when the lease workflow lets go of it. */
export interface HoldOutcome {
  pacing?: PacingView;
}

/** A hold attempt that has logged in and opened the tenant's queue asks for the lease. */
export interface ClaimLeaseInput {
  hold: number;
  attempt: number;
  taskQueue: string;
  worker: string;
}

export interface ClaimLeaseResult {
  epoch: LeaseEpoch;
  directive: LeaseDirective;
}

/** A 429 read by a process that no longer held the lease: it closes the tenant's window all the same. */
export interface LateThrottleReport {
  epoch: LeaseEpoch;
  cooldownUntil: number;
}

/** The lease as `wfm-bulk tenants` shows it. */
export interface LeaseState {
  tenantId: string;
  /** The seq of the lease's latest view. */
  seq: number;
  status: LeaseStatus;
  holder?: LeaseHolder & { since: number };
  members: (LeaseMemberRef & { active: boolean; share: number })[];
  directive: LeaseDirective;
  /** Holds started so far. */
  holds: number;
}

export type LeaseStatus = 'waiting-for-worker' | 'holding' | 'idle';

/** A tenant whose login keeps failing for this long fails with its reason (`LoginFailed`); the job goes on. */
export const DEFAULT_LOGIN_BUDGET_MS = 120_000;
/** A lease without members (its hold given back) waits this long for the next job before it ends. */
export const DEFAULT_LEASE_IDLE_MS = 10_000;

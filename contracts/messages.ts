/**
 * Signals, updates and queries of the job, tenant and lease workflows. Steering goes to the job, which forwards it
 * to its tenants, which pass limits on to the tenant's lease; progress is read from each workflow directly.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobProgress } from './job';
import type { TenantServedSignal, TenantThrottledSignal } from './serve-tenant';
import type { TenantAccount, TenantProgress } from './tenant';
import type {
  ClaimLeaseInput,
  ClaimLeaseResult,
  JoinLeaseInput,
  LateThrottleReport,
  LeaseMemberRef,
  LeaseState,
  LeaseView,
} from './lease';
import type { TenantLimits } from './tenants';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Graceful: no new PUTs, in-flight ones finish, the rest is reported as not sent. */
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
/** Change a tenant's limits while the job runs; omitted fields keep their value. */
export const setLimitsSignal = defineSignal<[{ tenantId: string } & Partial<TenantLimits>]>('setLimits');
/** From the worker process that took the tenant (runs begun before the lease): where its PUTs go now. */
export const tenantServedSignal = defineSignal<[TenantServedSignal]>('tenantServed');
/** From the serving process (runs begun before the lease): the tenant's gate closed for a Retry-After window. */
export const tenantThrottledSignal = defineSignal<[TenantThrottledSignal]>('tenantThrottled');

/** A job's tenant workflow joins the tenant's lease (update-with-start: the first job starts the lease). */
export const joinLeaseUpdate = defineUpdate<LeaseView, [JoinLeaseInput]>('joinLease');
/** A member is done with the tenant (its workflow ends), or its job no longer runs it. */
export const leaveLeaseSignal = defineSignal<[LeaseMemberRef]>('leaveLease');
/** A member's job was paused (inactive: its share goes to the others) or resumed. */
export const memberActiveSignal = defineSignal<[LeaseMemberRef & { active: boolean }]>('memberActive');
/** A member's job changed the tenant's limits (`setLimits`): they are the organisation's, for every job. */
export const leaseLimitsSignal = defineSignal<[Partial<TenantLimits>]>('leaseLimits');
/** A hold attempt that has logged in and opened the tenant's queue takes the lease; refused for a stale attempt. */
export const claimLeaseUpdate = defineUpdate<ClaimLeaseResult, [ClaimLeaseInput]>('claimLease');
/** A process that lost the lease read a 429 to a request it wrote while it held it. */
export const lateThrottleSignal = defineSignal<[LateThrottleReport]>('lateThrottle');
/** From the lease to each member: where to send and how many at once (see `LeaseView`). */
export const leaseViewSignal = defineSignal<[LeaseView]>('leaseView');
export const leaseStateQuery = defineQuery<LeaseState>('leaseState');

export const jobProgressQuery = defineQuery<JobProgress>('jobProgress');
export const tenantProgressQuery = defineQuery<TenantProgress>('tenantProgress');
/** A tenant's items as it knows them; answered also by a run that was terminated or timed out (replayed). */
export const tenantAccountQuery = defineQuery<TenantAccount>('tenantAccount');

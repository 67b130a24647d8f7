/**
 * Signals and queries of the job and tenant workflows. Steering goes to the job, which forwards it to its
 * tenants; progress is read from each workflow directly.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress, TenantAccount, TenantProgress, TenantServedSignal, TenantThrottledSignal } from './job';
import type { TenantLimits } from './tenants';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Graceful: no new PUTs, in-flight ones finish, the rest is reported as not sent. */
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
/** Change a tenant's limits while the job runs; omitted fields keep their value. */
export const setLimitsSignal = defineSignal<[{ tenantId: string } & Partial<TenantLimits>]>('setLimits');
/** From the worker process that took the tenant: where its PUTs go now. */
export const tenantServedSignal = defineSignal<[TenantServedSignal]>('tenantServed');
/** From the serving process: the tenant's gate closed for a Retry-After window (for progress, and for the next process). */
export const tenantThrottledSignal = defineSignal<[TenantThrottledSignal]>('tenantThrottled');

export const jobProgressQuery = defineQuery<JobProgress>('jobProgress');
export const tenantProgressQuery = defineQuery<TenantProgress>('tenantProgress');
/** A tenant's items as it knows them; answered also by a run that was terminated or timed out (replayed). */
export const tenantAccountQuery = defineQuery<TenantAccount>('tenantAccount');

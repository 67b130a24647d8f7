/**
 * Accounting for a tenant that ended without a result (terminated, timed out, failed, never started), so that
 * applied + failed = input still holds: what the tenant knew applied stays applied, every other item fails with
 * a reason naming what happened. Used by the job workflow and by the client's `status`, `report` and `retry`.
 */
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import type { FailureLog, FailureReason } from '../contracts/failures';
import type { JobStatus, TenantSummary } from '../contracts/job';
import type { TenantAccount, TenantPlan, TenantResult } from '../contracts/tenant';
import { addFailedRange } from './failures';

export function summaryOf({ failures: _failures, failureLog: _failureLog, ...summary }: TenantResult): TenantSummary {
  return summary;
}

/** A job is cancelled only when it was asked to be: a tenant stopped on its own counts as failures. */
export function jobStatusOf(
  tenants: readonly Pick<TenantSummary, 'status' | 'failed'>[],
  cancelled: boolean,
): JobStatus {
  if (cancelled) return 'cancelled';
  if (tenants.length > 0 && tenants.every((t) => t.status === 'failed')) return 'failed';
  if (tenants.some((t) => t.failed > 0)) return 'completed-with-failures';
  return 'completed';
}

/** Why a tenant workflow gave no result, from the error its parent or a client got for it. */
export function tenantClosureReason(error: unknown): FailureReason {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : error;
  if (error instanceof WorkflowExecutionAlreadyStartedError)
    return { code: 'tenant-not-started', message: `the tenant workflow could not start: ${error.message}` };
  if (cause instanceof TerminatedFailure)
    return { code: 'tenant-terminated', message: `the tenant workflow was terminated (${cause.message})` };
  if (cause instanceof TimeoutFailure)
    return { code: 'tenant-timed-out', message: `the tenant workflow timed out (${cause.message})` };
  if (cause instanceof CancelledFailure)
    return { code: 'tenant-cancelled', message: `the tenant workflow was cancelled (${cause.message})` };
  if (cause instanceof ApplicationFailure)
    return { code: 'tenant-failed', message: `the tenant workflow failed: ${cause.message}` };
  return { code: 'tenant-failed', message: `the tenant workflow ended without a result: ${String(cause)}` };
}

/**
 * The result a tenant would have given: `account` is what it knew when it ended (none: it never started, or its
 * account could not be read, so nothing counts as applied). Items that were out when it ended are failed as not
 * confirmed (they may have landed: a retry sends them again, and PUTs are idempotent); the rest as not sent.
 */
export function closedTenantResult(
  plan: Pick<TenantPlan, 'tenantId' | 'total'>,
  account:
    Pick<TenantAccount, 'applied' | 'throttled' | 'failures' | 'failureLog' | 'unfinished' | 'nextItem'> | undefined,
  reason: FailureReason,
): TenantResult {
  const failureLog: FailureLog = {
    stored: [...(account?.failureLog?.stored ?? [])],
    recent: (account?.failureLog?.recent ?? []).map((range) => ({ ...range })),
  };
  const unconfirmed = { ...reason, message: `not confirmed: ${reason.message}` };
  for (const { start, end } of account?.unfinished ?? []) addFailedRange(failureLog, start, end, unconfirmed);
  addFailedRange(failureLog, account?.nextItem ?? 0, plan.total, { ...reason, message: `not sent: ${reason.message}` });
  const applied = account?.applied ?? 0;
  return {
    tenantId: plan.tenantId,
    status: reason.code === 'cancelled' ? 'cancelled' : 'failed',
    total: plan.total,
    applied,
    failed: plan.total - applied,
    throttled: account?.throttled ?? 0,
    // A run begun without the failure log (patch `bounded-failure-log`) kept batch records; the report reads both.
    failures: account ? account.failures.map((record) => ({ ...record })) : [],
    failureLog,
    stopReason: reason,
  };
}

/**
 * Names shared by the client, the workflows and the worker: task queues, workflow ids, search attributes.
 * Spelled here once; everything else imports them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Job and tenant workflows run here; activities never do. */
export const ORCHESTRATION_TASK_QUEUE = 'wfm-bulk-orchestration';

/**
 * Where a tenant's lease asks for a worker process to hold it (`holdTenant`; `serveTenant` of runs begun before it).
 * Every process polls it; the one that takes a tenant holds it until the lease lets go or the process dies.
 */
export const TENANT_CLAIMS_TASK_QUEUE = 'wfm-bulk-tenants';

/**
 * A tenant's PUTs run on a queue of their own in the one process that serves the tenant, so its worker slots,
 * its rate cap and its gate are the tenant's own, and every attempt of a batch meets the same gate.
 * @param workerId the serving process's id (`WorkerSet.workerId`, also its Worker identity)
 */
export function tenantTaskQueue(tenantId: string, workerId: string): string {
  return `wfm-bulk-tenant-${tenantId}@${workerId}`;
}

/**
 * The tenant's lease workflow, one per tenant across every job. Job ids cannot hold a colon, so it never meets a
 * job's or a tenant workflow's id.
 */
export function tenantLeaseWorkflowId(tenantId: string): string {
  return `wfm-bulk-lease:${tenantId}`;
}

/** Derived from the job id, so a client can reach any tenant of a job without asking the job first. */
export function tenantWorkflowId(jobId: string, tenantId: string): string {
  return `${jobId}/${tenantId}`;
}

/** The OAuth scope a tenant's client needs to write schedule assignments. */
export const WRITE_SCOPE = 'wfm:schedule:write';

/** Default PUT path; `{scheduleId}` is replaced by the URL-encoded schedule id. */
export const DEFAULT_PATH_TEMPLATE = '/api/v2/wfm/schedules/{scheduleId}/assignments';

/** Search attributes on job and tenant workflows, so the Web UI lists and filters them. */
export const searchAttributes = {
  jobId: defineSearchAttributeKey('WfmJobId', SearchAttributeType.KEYWORD),
  tenantId: defineSearchAttributeKey('WfmTenantId', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('WfmStatus', SearchAttributeType.KEYWORD),
  total: defineSearchAttributeKey('WfmTotal', SearchAttributeType.INT),
  applied: defineSearchAttributeKey('WfmApplied', SearchAttributeType.INT),
  failed: defineSearchAttributeKey('WfmFailed', SearchAttributeType.INT),
} as const;

/** `NAME=Type` pairs for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export const searchAttributeRegistrations: string[] = Object.values(searchAttributes).map(
  (key) => `${key.name}=${{ KEYWORD: 'Keyword', INT: 'Int' }[key.type]}`,
);

/**
 * `ApplicationFailure` types thrown by activities. Retry policies and the tenant workflow name them, so they are
 * spelled once here.
 */
export const failureTypes = {
  /** 429: retried after Retry-After; spends no attempt (see pacing/attempts.ts). */
  rateLimited: 'RateLimited',
  /** 5xx: retried with backoff. */
  serverError: 'ServerError',
  /** Connection refused or reset, DNS, TLS: retried with backoff. */
  networkError: 'NetworkError',
  /** The request took longer than the job's request timeout: retried with backoff. */
  requestTimeout: 'RequestTimeout',
  /** 401 even with a fresh token: retried, a new token is fetched each time. */
  unauthorized: 'Unauthorized',
  /** The tenant's gate stays closed longer than an attempt may wait: retried later, nothing was sent, no attempt spent. */
  coolingDown: 'CoolingDown',
  /** The batch was throttled for longer than the job's throttle budget: final for the tenant. */
  throttleBudgetExhausted: 'ThrottleBudgetExhausted',
  /** The batch met a fault on each of its `maxAttempts` attempts: final for the batch. */
  attemptsExhausted: 'AttemptsExhausted',
  /** The tenant's token lacks the write scope: final for the tenant. */
  missingScope: 'MissingScope',
  /**
   * The login service refuses the tenant's client credentials (the secret read afresh for that login): final for
   * the tenant, with reason code `credentials-refused`.
   */
  authenticationFailed: 'AuthenticationFailed',
  /** This worker has no configuration or secret for the tenant: final for the tenant. */
  tenantNotConfigured: 'TenantNotConfigured',
  /**
   * The tenant's login kept failing (network, 5xx, timeouts) for longer than the lease's login budget: final for
   * the tenant, with reason code `login-failed`.
   */
  loginFailed: 'LoginFailed',
  /**
   * The batch reached a process that does not hold the tenant's lease (it lost or gave it back): nothing was sent;
   * the tenant workflow sends the batch again to the holder.
   */
  leaseNotHeld: 'LeaseNotHeld',
  /** Genesys ended a schedule update with `Error` or `Canceled` (it gives no reason): retried with backoff. */
  scheduleUpdateFailed: 'ScheduleUpdateFailed',
  /** A Genesys schedule update was still processing when the attempt's time ran out: the next attempt waits on. */
  scheduleUpdatePending: 'ScheduleUpdatePending',
  /** The API answered 2xx with a body this worker cannot read: retried with backoff. */
  unexpectedAnswer: 'UnexpectedAnswer',
  /** The stored input is missing or unreadable: final. */
  inputUnavailable: 'InputUnavailable',
} as const;

/** Failures after which nothing more of the tenant can succeed: the tenant stops. */
export const tenantFatalFailureTypes: readonly string[] = [
  failureTypes.authenticationFailed,
  failureTypes.tenantNotConfigured,
  failureTypes.loginFailed,
  failureTypes.inputUnavailable,
  failureTypes.throttleBudgetExhausted,
  failureTypes.missingScope,
];

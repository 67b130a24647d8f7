/**
 * Names shared by the client, the workflows and the worker: task queues, workflow ids, search attributes.
 * Spelled here once; everything else imports them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Job and tenant workflows run here; activities never do. */
export const ORCHESTRATION_TASK_QUEUE = 'wfm-bulk-orchestration';

/** Each tenant's PUTs run on a queue of their own, so its worker slots and rate cap are its own. */
export function tenantTaskQueue(tenantId: string): string {
  return `wfm-bulk-tenant-${tenantId}`;
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
  /** 429: retried after Retry-After. */
  rateLimited: 'RateLimited',
  /** 5xx: retried with backoff. */
  serverError: 'ServerError',
  /** Connection refused or reset, DNS, TLS: retried with backoff. */
  networkError: 'NetworkError',
  /** The request took longer than the job's request timeout: retried with backoff. */
  requestTimeout: 'RequestTimeout',
  /** 401 even with a fresh token: retried, a new token is fetched each time. */
  unauthorized: 'Unauthorized',
  /** The tenant's cooldown outlasts what an attempt may wait: retried when it ends, nothing was sent. */
  coolingDown: 'CoolingDown',
  /** The token endpoint refuses the tenant's client credentials: final for the tenant. */
  authenticationFailed: 'AuthenticationFailed',
  /** This worker has no configuration or secret for the tenant: final for the tenant. */
  tenantNotConfigured: 'TenantNotConfigured',
  /** The stored input is missing or unreadable: final. */
  inputUnavailable: 'InputUnavailable',
} as const;

/** Failures after which nothing more of the tenant can succeed: the tenant stops. */
export const tenantFatalFailureTypes: readonly string[] = [
  failureTypes.authenticationFailed,
  failureTypes.tenantNotConfigured,
  failureTypes.inputUnavailable,
];

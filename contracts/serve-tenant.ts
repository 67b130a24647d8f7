/**
 * The hold of tenant workflows begun before the lease (patch `tenant-lease`): the tenant workflow asks a worker
 * process to serve its tenant (`serveTenant`, `activities/serve-tenant.ts`), and that process signals back where
 * the batches go and when the tenant's gate closes. Kept until no such run is open (`workflows/legacy/`).
 */
import type { LimitsChange, PacingView } from './pacing';

/** Asks a worker process to serve a tenant of a job: it holds the tenant until cancelled. */
export interface ServeTenantInput {
  jobId: string;
  tenantId: string;
  /** The tenant workflow's run that asks, so its answer is not mistaken by a later run. */
  runId: string;
  limits: LimitsChange;
  /** What the tenant's pacer had learned before, so a new process carries on from there. */
  pacing?: PacingView;
}

/** Sent by the process that took a tenant: where its PUTs go from now on. */
export interface TenantServedSignal {
  runId: string;
  /** The task queue of this tenant in that process. */
  taskQueue: string;
  /** Which worker process (its identity), for progress and the Web UI. */
  worker: string;
  /** Scopes of the tenant's token, as the process's access check found them. */
  scopes: string[];
}

/** Sent by the serving process when the tenant's gate closes for a Retry-After window. */
export interface TenantThrottledSignal {
  runId: string;
  pacing: PacingView;
}

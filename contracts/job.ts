/**
 * The job workflow's exchange with the client: the input `wfm-bulk start` sends (its tenants' plans, references
 * to the stored items, never assignments in bulk, never a secret), the progress its query answers, the result it
 * ends with. Each tenant runs as a child workflow (`tenant.ts`).
 */
import type { JobOptions, JobTuning } from './job-options';
import type { TenantPlan, TenantResult } from './tenant';
import type { TenantLimits } from './tenants';

export type InputFormat = 'csv' | 'json' | 'ndjson';

export interface JobInput {
  jobId: string;
  source: {
    /** File name as the user gave it (no directory), for reports and the Web UI. */
    fileName: string;
    format: InputFormat;
    /** Claim-check key of the original file, so reports can repeat rows in the input's format. */
    inputRef: string;
    rows: number;
  };
  options: JobOptions;
  tenants: TenantPlan[];
  tuning?: JobTuning;
}

/**
 * What a job carries into its next run when it continues as new (so its history stays bounded however many
 * tenants it has). The next run's input lists only the tenants still to start, each with its limits as they are
 * now; the tenants that ended are carried as summaries, so each run's first event is no larger than the job's.
 */
export interface JobCarry {
  runNumber: number;
  /** The job's assignments over all its tenants. */
  total: number;
  /** Summaries of the tenants that ended in earlier runs, in input order (they precede the input's tenants). */
  ended: TenantSummary[];
  paused: boolean;
}

/** A tenant's result as its job keeps it: without failure detail, which stays in the tenant workflow's result. */
export type TenantSummary = Omit<TenantResult, 'failures' | 'failureLog'>;

export type JobStatus = 'running' | 'completed' | 'completed-with-failures' | 'failed' | 'cancelled';

export interface JobProgress {
  jobId: string;
  status: JobStatus;
  paused: boolean;
  cancelRequested: boolean;
  total: number;
  tenants: {
    tenantId: string;
    total: number;
    /** Absent for a tenant that ended in an earlier run of the job (continue-as-new). */
    limits?: TenantLimits;
    /** Not started yet: waiting for one of the job's `maxActiveTenants` places. */
    queued: boolean;
    done?: TenantSummary;
  }[];
}

export interface JobResult {
  jobId: string;
  status: JobStatus;
  total: number;
  applied: number;
  failed: number;
  /** Per tenant, without failure detail (that stays in each tenant workflow's result). */
  tenants: TenantSummary[];
}

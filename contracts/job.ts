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
    limits: TenantLimits;
    /** Not started yet: waiting for one of the job's `maxActiveTenants` places. */
    queued: boolean;
    done?: Omit<TenantResult, 'failures' | 'failureLog'>;
  }[];
}

export interface JobResult {
  jobId: string;
  status: JobStatus;
  total: number;
  applied: number;
  failed: number;
  /** Per tenant, without failure detail (that stays in each tenant workflow's result). */
  tenants: Omit<TenantResult, 'failures' | 'failureLog'>[];
}

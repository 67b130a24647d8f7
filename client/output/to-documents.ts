/** From the client's own views to the documented JSON shapes: absent values become `null`, times ISO strings. */
import type { FailureReason } from '../../contracts/failures';
import type { InputFormat } from '../../contracts/job';
import { jobOptionsOf, type JobOptions } from '../../contracts/job-options';
import type { PacingView } from '../../contracts/pacing';
import type { TenantLimits } from '../../contracts/tenants';
import type { JobListing } from '../jobs/list';
import type { TenantDraft } from '../jobs/prepare';
import type { Preview } from '../jobs/preview';
import type { JobView, TenantView } from '../jobs/view';
import type { LeaseListing } from '../tenants/leases';
import {
  OUTPUT_VERSION,
  type JobDocument,
  type JobsDocument,
  type Plan,
  type PreviewDocument,
  type TenantDocument,
  type TenantsDocument,
} from './documents';

export type Links = { job: string; tenants: string } | undefined;

const iso = (epochMs: number | undefined) => (epochMs === undefined ? null : new Date(epochMs).toISOString());

function limits(value: TenantLimits) {
  return { concurrency: value.concurrency, ratePerSecond: value.ratePerSecond ?? null, burst: value.burst ?? null };
}

function reason(value: FailureReason) {
  return { status: value.status ?? null, code: value.code, message: value.message };
}

function pacingDocument(pacing: PacingView) {
  return {
    mode: pacing.mode,
    ratePerSecond: pacing.ratePerSecond ?? null,
    estimatedPerSecond: pacing.estimatedPerSecond ?? null,
    burst: pacing.burst,
    cooldownUntil: iso(pacing.cooldownUntil),
  };
}

export function tenantDocument(tenant: TenantView): TenantDocument {
  const { pacing } = tenant;
  return {
    tenantId: tenant.tenantId,
    status: tenant.status,
    total: tenant.total,
    applied: tenant.applied,
    failed: tenant.failed,
    inFlight: tenant.inFlight,
    throttled: tenant.throttled,
    cooldownUntil: iso(tenant.cooldownUntil),
    limits: tenant.limits ? limits(tenant.limits) : null,
    stopReason: tenant.stopReason ? reason(tenant.stopReason) : null,
    pacing: pacing ? pacingDocument(pacing) : null,
    worker: tenant.worker ?? null,
  };
}

/** The end of the Retry-After window open at `now` for a lease: the holder's, or one the lease passed on. */
export function retryAfterUntil(lease: LeaseListing, now = Date.now()): number | undefined {
  const ends = [lease.pacing?.cooldownUntil, lease.state?.directive.holdUntil].filter(
    (end): end is number => end !== undefined && end > now,
  );
  return ends.length > 0 ? Math.max(...ends) : undefined;
}

export function tenantsDocument(leases: readonly LeaseListing[]): TenantsDocument {
  return {
    kind: 'tenants',
    version: OUTPUT_VERSION,
    tenants: leases.map((lease) => {
      const holder = lease.state?.holder;
      return {
        tenantId: lease.tenantId,
        status: lease.status,
        holder: holder
          ? { worker: holder.worker, epoch: holder.epoch, since: iso(holder.since)!, taskQueue: holder.taskQueue }
          : null,
        jobs: (lease.state?.members ?? []).map(({ jobId, workflowId, share, active }) => ({
          jobId,
          workflowId,
          share,
          active,
        })),
        limits: lease.state ? limits(lease.state.directive.limits) : null,
        pacing: lease.pacing ? pacingDocument(lease.pacing) : null,
        pacingAt: iso(lease.pacingAt),
        retryAfterUntil: iso(retryAfterUntil(lease)),
        stale: lease.stale ?? null,
      };
    }),
  };
}

export function jobDocument(view: JobView, links: Links): JobDocument {
  return {
    kind: 'job',
    version: OUTPUT_VERSION,
    jobId: view.jobId,
    execution: view.execution,
    status: view.status,
    paused: view.paused,
    cancelRequested: view.cancelRequested,
    total: view.total,
    applied: view.applied,
    failed: view.failed,
    startTime: view.startTime.toISOString(),
    closeTime: view.closeTime?.toISOString() ?? null,
    stale: view.stale ?? null,
    links: links ?? null,
    tenants: view.tenants.map(tenantDocument),
  };
}

export function planOf(
  source: { file: string; format: InputFormat; rows: number },
  options: JobOptions,
  drafts: readonly TenantDraft[],
): Plan {
  return {
    ...source,
    options: jobOptionsOf(options),
    tenants: drafts.map((draft) => ({
      tenantId: draft.tenantId,
      total: draft.total,
      schedules: draft.scheduleSizes.length,
      batches: draft.batchCount,
      limits: limits(draft.limits),
    })),
  };
}

export function jobsDocument(jobs: readonly JobListing[]): JobsDocument {
  return { kind: 'jobs', version: OUTPUT_VERSION, jobs: [...jobs] };
}

export function previewDocument(preview: Preview): PreviewDocument {
  return {
    kind: 'preview',
    version: OUTPUT_VERSION,
    jobId: preview.jobId ?? null,
    tenants: preview.tenants.map(({ tenantId, writer, classes }) => ({ tenantId, writer, classes })),
    rows: preview.rows.map(({ line, tenantId, id, class: rowClass, message }) => ({
      line,
      tenantId,
      id,
      class: rowClass,
      message,
    })),
  };
}

/**
 * From a validated input file to a job's workflow input: each tenant's items are stored once (claim check), in
 * chunks a worker reads one at a time, and the workflow gets keys and counts only, whatever the size of the input.
 */
import path from 'node:path';
import type { StoredItem } from '../../contracts/assignment';
import type { JobInput } from '../../contracts/job';
import { jobOptionsOf, type JobOptions } from '../../contracts/job-options';
import type { TenantPlan } from '../../contracts/tenant';
import { ITEM_CHUNK_SIZE, planBatches, scheduleSizes } from '../../contracts/plan';
import { encodeStoredItems } from '../../contracts/stored-items';
import type { TenantSettings } from '../../contracts/tenants';
import type { BlobStore } from '../../store/blob-store';
import type { ParsedInput } from '../input';
import { groupByTenant } from '../input/normalize';

export interface PrepareOptions extends JobOptions {
  jobId: string;
}

/** A tenant's share of a job before its items are stored: what `start` prints, and what the job is given. */
export type TenantDraft = Omit<TenantPlan, 'itemsRef' | 'itemChunks'> & { items: StoredItem[] };

/** The plan of a job: per tenant, in input order, its items, schedules, batch count and limits. */
export function planJob(
  input: Pick<ParsedInput, 'rows'>,
  tenants: ReadonlyMap<string, TenantSettings>,
  batchSize: number,
): TenantDraft[] {
  return [...groupByTenant(input.rows)].map(([tenantId, items]) => {
    const settings = tenants.get(tenantId);
    if (!settings) throw new Error(`tenant ${tenantId} is not in the tenants file`);
    const sizes = scheduleSizes(items.map((item) => item.scheduleId));
    return {
      tenantId,
      items,
      total: items.length,
      scheduleSizes: sizes,
      batchCount: planBatches(sizes, batchSize).length,
      limits: settings.limits,
    };
  });
}

export async function prepareJob(
  input: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  store: BlobStore,
  options: PrepareOptions,
): Promise<JobInput> {
  const drafts = planJob(input, tenants, options.batchSize);
  // Every blob under the job's own key: kept while the job runs, removed by `wfm-bulk gc` once it closed long ago.
  const inputRef = await store.put(input.bytes, options.jobId);
  const plans: TenantPlan[] = [];
  for (const { items, ...draft } of drafts) {
    const refs: string[] = [];
    for (let start = 0; start < items.length; start += ITEM_CHUNK_SIZE)
      refs.push(await store.put(encodeStoredItems(items.slice(start, start + ITEM_CHUNK_SIZE)), options.jobId));
    plans.push({ ...draft, itemChunks: { refs, size: ITEM_CHUNK_SIZE } });
  }
  return {
    jobId: options.jobId,
    source: {
      fileName: path.basename(input.file),
      format: input.format,
      inputRef,
      rows: input.rows.length,
    },
    options: jobOptionsOf(options),
    tenants: plans,
  };
}

/** A readable, sortable, unique job id: `wfm-20261127-230512-k3f9qz`. */
export function newJobId(now = new Date(), random = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `wfm-${stamp}-${random().toString(36).slice(2, 8).padEnd(6, '0')}`;
}

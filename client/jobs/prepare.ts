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
import { blobKey } from '../../store/blob-keys';
import { CliError } from '../errors';
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

/**
 * The most a job's workflow input may weigh: Temporal takes 2 MB a payload, and the codec's envelope needs room.
 * Some 300 bytes a tenant (plus about 85 a chunk of 1,000 items): 5,000 tenants fit.
 */
export const MAX_JOB_INPUT_BYTES = 1_600_000;

/** The job's workflow input as it will be, its refs stood in for by keys of the same length: its size in bytes. */
export function plannedInputBytes(drafts: readonly TenantDraft[], jobId: string, fileName: string): number {
  const key = blobKey(Buffer.alloc(0), jobId);
  const plans = drafts.map(({ items: _items, ...draft }) => ({
    ...draft,
    itemChunks: { refs: Array.from({ length: Math.ceil(draft.total / ITEM_CHUNK_SIZE) }, () => key), size: 0 },
  }));
  return Buffer.byteLength(JSON.stringify({ jobId, source: { fileName, inputRef: key }, tenants: plans }));
}

/** Refuses, before anything is stored, a job whose input Temporal would not take; says how to split it. */
function refuseOversizedJob(drafts: readonly TenantDraft[], input: ParsedInput, jobId: string): void {
  const bytes = plannedInputBytes(drafts, jobId, path.basename(input.file));
  if (bytes <= MAX_JOB_INPUT_BYTES) return;
  const fits = Math.floor((drafts.length * MAX_JOB_INPUT_BYTES) / bytes);
  throw new CliError(
    `${input.file}: a job of ${drafts.length} tenants needs a workflow input of ` +
      `${(bytes / 1e6).toFixed(1)} MB, more than the ${MAX_JOB_INPUT_BYTES / 1e6} MB a job may have (Temporal ` +
      `takes 2 MB at most); split the file into jobs of at most ${fits} tenants`,
  );
}

export async function prepareJob(
  input: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  store: BlobStore,
  options: PrepareOptions,
): Promise<JobInput> {
  const drafts = planJob(input, tenants, options.batchSize);
  refuseOversizedJob(drafts, input, options.jobId);
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

/**
 * How blobs are named in every store, so the folder store and the object store agree and `gc` can tell whose a
 * blob is from its key alone.
 *
 * - `jobs/<jobId>/sha256-<hex>`: a blob written for one job (its input, its tenants' items, its failure blocks).
 *   The job id in the key is what retention goes by (`client/jobs/gc.ts`).
 * - `sha256-<hex>`: a blob written before keys named their job (releases up to 0.2), shared by every job that
 *   stored the same content; still read, never collected.
 *
 * Workflows carry keys as opaque strings, so the new form changes nothing they record.
 */
import { createHash, randomUUID } from 'node:crypto';

/** The store's identity marker (see `BlobStore.identity`), beside the blobs, never a blob key. */
export const STORE_ID_KEY = 'wfm-bulk-store-id';

/** Memo field of a job workflow holding the id of the store its client wrote to (`activities/store-identity.ts`). */
export const STORE_ID_MEMO = 'storeId';

/** A new store id: random, with a prefix that says what it is when seen in a memo. */
export const newStoreId = () => `wfm-store-${randomUUID()}`;

const HASH = /^sha256-[0-9a-f]{64}$/;
const SCOPED = /^jobs\/([^/]+)\/(sha256-[0-9a-f]{64})$/;

export function contentKey(content: Buffer): string {
  return `sha256-${createHash('sha256').update(content).digest('hex')}`;
}

/** The key of `content` written for `jobId`; the unscoped content key without one. */
export function blobKey(content: Buffer, jobId?: string): string {
  const hash = contentKey(content);
  return jobId === undefined ? hash : `jobs/${jobSegment(jobId)}/${hash}`;
}

/** What a key says: its job (undefined for an unscoped key) and content hash; undefined when it is no blob key. */
export function parseBlobKey(key: string): { jobId?: string; hash: string } | undefined {
  if (HASH.test(key)) return { hash: key };
  const match = SCOPED.exec(key);
  if (!match) return undefined;
  const [, segment, hash] = match as unknown as [string, string, string];
  let jobId: string;
  try {
    jobId = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  // Only the spelling `jobSegment` writes, so one job has one prefix and no key climbs out of its folder.
  return segment === encodeURIComponent(jobId) && !isDotSegment(segment) ? { jobId, hash } : undefined;
}

/** The job id as one path segment: URL-encoded, never `.` or `..`. */
function jobSegment(jobId: string): string {
  const segment = encodeURIComponent(jobId);
  if (isDotSegment(segment)) throw new Error(`not a job id: ${JSON.stringify(jobId)}`);
  return segment;
}

const isDotSegment = (segment: string) => segment === '' || segment === '.' || segment === '..';

/** A stored blob as a listing shows it. */
export interface BlobEntry {
  key: string;
  /** The job the blob was written for; undefined for an unscoped (pre-0.3) blob. */
  jobId?: string;
  /** When it was last written. */
  modifiedAt: Date;
  bytes: number;
}

export class BlobNotFoundError extends Error {
  constructor(
    readonly key: string,
    location: string,
  ) {
    super(
      `no stored input ${key} in the claim-check store ${location}; the worker and the client must share the same ` +
        'store (WFM_STORE_URL or WFM_STORE_DIR)',
    );
    this.name = 'BlobNotFoundError';
  }
}

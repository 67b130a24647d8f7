/**
 * Claim check: the input is stored once and workflows carry only its key. The key is the content's SHA-256
 * under the job it was written for (`blob-keys.ts`), so storing the same input twice for a job costs nothing, a key
 * always names exactly one content, and retention can go job by job.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BlobNotFoundError, blobKey, newStoreId, parseBlobKey, STORE_ID_KEY, type BlobEntry } from './blob-keys';

export { defaultStoreDirectory } from './store-url';

export { BlobNotFoundError, contentKey, type BlobEntry } from './blob-keys';

/** Where payloads too big for workflow history live; a shared implementation serves several machines. */
export interface BlobStore {
  /** Stores `content` for `jobId` (unscoped without one) and returns its key (idempotent). */
  put(content: Buffer, jobId?: string): Promise<string>;
  /** The content stored under `key`; throws `BlobNotFoundError` when there is none. */
  get(key: string): Promise<Buffer>;
  /** Every blob (not the identity marker), in no particular order. */
  list(): AsyncIterable<BlobEntry>;
  /** Removes the blob under `key`; a blob already gone is no error. */
  delete(key: string): Promise<void>;
  /**
   * This store's id, written on first use: a client records it with each job and a worker compares it with its
   * own before serving a tenant, so two processes configured with different stores are told so at once instead
   * of a tenant failing later on a missing blob. Throws when the store cannot be reached.
   */
  identity(): Promise<string>;
  /** Human-readable location, for logs and errors. */
  readonly location: string;
}

/** A directory on a local or shared file system, one file per key. */
export class FileBlobStore implements BlobStore {
  private id: Promise<string> | undefined;

  constructor(readonly directory: string) {}

  get location(): string {
    return this.directory;
  }

  async put(content: Buffer, jobId?: string): Promise<string> {
    const key = blobKey(content, jobId);
    const target = this.pathOf(key);
    if (await exists(target)) {
      // Written again: its age (what `gc` goes by) starts afresh.
      const now = new Date();
      await utimes(target, now, now);
      return key;
    }
    await mkdir(path.dirname(target), { recursive: true });
    // Write then rename, so a crash never leaves a half-written blob under a valid key.
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, target);
    return key;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key, this.directory);
      throw error;
    }
  }

  async *list(): AsyncIterable<BlobEntry> {
    const files = await readdir(this.directory, { recursive: true, withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    for (const file of files) {
      if (!file.isFile()) continue;
      const relative = path.relative(this.directory, path.join(file.parentPath, file.name)).split(path.sep);
      // `jobs/<job>/<hash>` or `<2 hex>/<hash>`: the key is the path without the fan-out folder.
      const key = relative[0] === 'jobs' ? relative.join('/') : relative.slice(1).join('/');
      const parsed = parseBlobKey(key);
      if (!parsed || this.pathOf(key) !== path.join(this.directory, ...relative)) continue;
      const stats = await stat(path.join(this.directory, ...relative)).catch(() => undefined);
      if (stats)
        yield {
          key,
          ...(parsed.jobId !== undefined && { jobId: parsed.jobId }),
          modifiedAt: stats.mtime,
          bytes: stats.size,
        };
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    await rm(target, { force: true });
    // An emptied job folder goes too; a folder another put is filling at this moment stays (rmdir refuses).
    if (parseBlobKey(key)?.jobId !== undefined) await rmdir(path.dirname(target)).catch(() => undefined);
  }

  identity(): Promise<string> {
    this.id ??= this.readOrCreateId().catch((error: unknown) => {
      this.id = undefined;
      throw new Error(`cannot reach the claim-check store ${this.directory}: ${(error as Error).message}`);
    });
    return this.id;
  }

  private async readOrCreateId(): Promise<string> {
    const marker = path.join(this.directory, STORE_ID_KEY);
    await mkdir(this.directory, { recursive: true });
    // Written whole beside it, then linked into place: of processes starting on an empty store at once, one link
    // wins and all read its id. (Creating the marker and writing it are two steps: another process could read it
    // empty in between.)
    const written = `${marker}.${randomUUID()}.tmp`;
    await writeFile(written, `${newStoreId()}\n`);
    try {
      await link(written, marker);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(written, { force: true });
    }
    return (await readFile(marker, 'utf8')).trim();
  }

  private pathOf(key: string): string {
    const parsed = parseBlobKey(key);
    if (!parsed) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
    if (parsed.jobId !== undefined) return path.join(this.directory, ...key.split('/'));
    return path.join(this.directory, key.slice(7, 9), key);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

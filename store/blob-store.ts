/**
 * Claim check: the input is stored once and workflows carry only its key. The key is the content's SHA-256,
 * so storing the same input twice costs nothing and a key always names exactly one content.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { codecFromEnv } from '../codec/data-converter';
import { EncryptedBlobStore } from './encrypted-blob-store';

/** Where payloads too big for workflow history live; a shared implementation serves several machines. */
export interface BlobStore {
  /** Stores `content` and returns its key (idempotent). */
  put(content: Buffer): Promise<string>;
  /** The content stored under `key`; throws `BlobNotFoundError` when there is none. */
  get(key: string): Promise<Buffer>;
  /** Human-readable location, for logs and errors. */
  readonly location: string;
}

export class BlobNotFoundError extends Error {
  constructor(
    readonly key: string,
    location: string,
  ) {
    super(`no stored input ${key} in ${location}; the worker and the client must share the same store (WFM_STORE_DIR)`);
    this.name = 'BlobNotFoundError';
  }
}

const KEY_PATTERN = /^sha256-[0-9a-f]{64}$/;

export function contentKey(content: Buffer): string {
  return `sha256-${createHash('sha256').update(content).digest('hex')}`;
}

/** A directory on a local or shared file system, one file per key. */
export class FileBlobStore implements BlobStore {
  constructor(readonly directory: string) {}

  get location(): string {
    return this.directory;
  }

  async put(content: Buffer): Promise<string> {
    const key = contentKey(content);
    const target = this.pathOf(key);
    if (await exists(target)) return key;
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

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
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

/** `WFM_STORE_DIR`, or `~/.wfm-bulk/store`. Client and worker must agree. */
export function defaultStoreDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.WFM_STORE_DIR ?? path.join(os.homedir(), '.wfm-bulk', 'store');
}

/** The store of `env`, sealed with the payload codec's keys when they are set (`WFM_CODEC_KEYS`, `codec/`). */
export function openStore(env: NodeJS.ProcessEnv = process.env): BlobStore {
  return new EncryptedBlobStore(new FileBlobStore(defaultStoreDirectory(env)), codecFromEnv(env));
}

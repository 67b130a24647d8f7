/**
 * Claim-check blobs sealed with the payload codec (`codec/`), so the assignments are no more readable in the store
 * than in Temporal's history. A sealed blob is a marker line and the codec's encrypted payload; blobs without the
 * marker (written before encryption was on) are read as they are.
 */
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { encryptionKeyIdOf } from '../codec/aes-gcm-codec';
import { CodecError } from '../codec/codec-error';
import type { BlobEntry } from './blob-keys';
import type { BlobStore } from './blob-store';

const SEALED_MARKER = Buffer.from('wfm-bulk sealed blob v1\n');
const PayloadProto = temporal.api.common.v1.Payload;

/**
 * Seals what it stores when the codec encrypts, and opens sealed blobs it reads. The key of a sealed blob is the
 * hash of its sealed bytes (a fresh IV each time), so storing the same content twice keeps two blobs.
 */
export class EncryptedBlobStore implements BlobStore {
  constructor(
    private readonly inner: BlobStore,
    private readonly codec: PayloadCodec,
  ) {}

  get location(): string {
    return this.inner.location;
  }

  async put(content: Buffer, jobId?: string): Promise<string> {
    const [sealed] = await this.codec.encode([{ metadata: {}, data: content }]);
    // A codec without keys leaves the payload as it was: the blob is stored plain, as before.
    if (!sealed || encryptionKeyIdOf(sealed) === undefined) return this.inner.put(content, jobId);
    return this.inner.put(Buffer.concat([SEALED_MARKER, PayloadProto.encode(sealed).finish()]), jobId);
  }

  list(): AsyncIterable<BlobEntry> {
    return this.inner.list();
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  /** The store's own id; the marker is a random id, not sealed. */
  identity(): Promise<string> {
    return this.inner.identity();
  }

  async get(key: string): Promise<Buffer> {
    const stored = await this.inner.get(key);
    if (!stored.subarray(0, SEALED_MARKER.length).equals(SEALED_MARKER)) return stored;
    const sealed = PayloadProto.decode(stored.subarray(SEALED_MARKER.length));
    try {
      const [opened] = await this.codec.decode([sealed]);
      return Buffer.from(opened?.data ?? []);
    } catch (error) {
      if (error instanceof CodecError) throw new CodecError(`stored input ${key}: ${error.message}`);
      throw error;
    }
  }
}

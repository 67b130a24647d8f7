/**
 * AES-256-GCM payload encryption: each payload becomes a `binary/encrypted` payload whose data is
 * IV ‖ ciphertext ‖ tag of the whole original payload (metadata included, so even its encoding is hidden) and
 * whose metadata names the key by id.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CodecError } from './codec-error';
import { KEYS_FILE_VARIABLE, KEYS_VARIABLE, type CodecKey } from './keys';

/** The `encoding` of an encrypted payload (the name Temporal's samples use, so other tools recognise it). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata entry naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
/** GCM's standard nonce size; random per payload, so one key can seal about 2^32 payloads safely. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

const PayloadProto = temporal.api.common.v1.Payload;

/** Encrypts with the first key, decrypts with whichever key a payload names; passes unencrypted payloads through. */
export class AesGcmCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys[0]` encrypts; all of them decrypt. */
  constructor(keys: readonly CodecKey[]) {
    if (!keys[0]) throw new CodecError('the payload codec needs at least one key');
    this.current = keys[0];
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** Id of the key new payloads are encrypted with. */
  get encryptingKeyId(): string {
    return this.current.id;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // Synchronous work wrapped so that a failure rejects the promise rather than throwing.
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decrypt(payload))));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv);
    const plain = PayloadProto.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.current.id) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = encryptionKeyIdOf(payload);
    if (keyId === undefined) return payload; // written before the codec was on, or by a process without it
    const key = this.keys.get(keyId);
    if (!key)
      throw new CodecError(
        `a payload is encrypted with key id "${keyId}", which is not among the codec keys ` +
          `(${[...this.keys.keys()].join(', ')}); add it to ${KEYS_VARIABLE} or ${KEYS_FILE_VARIABLE}`,
      );
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new CodecError(`a payload encrypted with key id "${keyId}" is too short to be one of ours`);
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecError(
        `a payload encrypted with key id "${keyId}" failed authentication: it was altered, ` +
          `or key "${keyId}" is not the key it was encrypted with`,
      );
    }
    return PayloadProto.decode(plain);
  }
}

/**
 * The key id of an encrypted payload; undefined for a payload that is not encrypted. An encrypted payload without
 * a key id is an error, not a pass-through: it cannot be read and must not be mistaken for plain data.
 */
export function encryptionKeyIdOf(payload: Payload): string | undefined {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return undefined;
  const keyId = payload.metadata?.[KEY_ID_METADATA];
  if (!keyId?.length) throw new CodecError(`an encrypted payload carries no ${KEY_ID_METADATA}`);
  return Buffer.from(keyId).toString('utf8');
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

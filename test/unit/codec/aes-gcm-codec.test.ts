import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../../codec/aes-gcm-codec';
import { CodecError } from '../../../codec/codec-error';
import { dataConverterFromEnv } from '../../../codec/data-converter';
import type { CodecKey } from '../../../codec/keys';
import { NoKeyCodec } from '../../../codec/no-key-codec';

const keyA: CodecKey = { id: 'key-a', key: randomBytes(32) };
const keyB: CodecKey = { id: 'key-b', key: randomBytes(32) };
const value = { userId: 'codec-user-42', notes: 'back from leave', nested: [1, 2, 3] };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('AES-GCM payload codec', () => {
  it('encrypts every payload under the first key, hiding data and metadata, and decrypts it back', async () => {
    const codec = new AesGcmCodec([keyA]);
    const plain = [defaultPayloadConverter.toPayload(value), defaultPayloadConverter.toPayload('second')];
    const encoded = await codec.encode(plain);

    expect(encoded).toHaveLength(2);
    for (const payload of encoded) {
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
      expect(text(payload.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata?.[KEY_ID_METADATA])).toBe('key-a');
      expect(text(payload.data)).not.toContain('codec-user-42');
      expect(text(payload.data)).not.toContain('json/plain');
    }
    // A fresh IV each time: the same value never encrypts to the same bytes.
    const again = await codec.encode(plain);
    expect(Buffer.from(again[0]!.data!).equals(Buffer.from(encoded[0]!.data!))).toBe(false);

    const decoded = await codec.decode(encoded);
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(value);
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBe('second');
    expect(await codec.encode([])).toEqual([]);
  });

  it('rotates: the newest key encrypts, every known key still decrypts', async () => {
    const before = await new AesGcmCodec([keyA]).encode([defaultPayloadConverter.toPayload('old')]);
    const rotated = new AesGcmCodec([keyB, keyA]);
    const after = await rotated.encode([defaultPayloadConverter.toPayload('new')]);
    expect(text(after[0]!.metadata?.[KEY_ID_METADATA])).toBe('key-b');

    const decoded = await rotated.decode([...before, ...after]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual(['old', 'new']);
  });

  it('detects tampering: any flipped byte fails authentication', async () => {
    const codec = new AesGcmCodec([keyA]);
    const [payload] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    const length = payload!.data!.length;
    for (const index of [0, 12, Math.floor(length / 2), length - 1]) {
      const data = Buffer.from(payload!.data!);
      data[index]! ^= 0x01;
      await expect(codec.decode([{ ...payload, data }])).rejects.toThrow(
        /key id "key-a" failed authentication: it was altered/,
      );
    }
    // The right id under a different key is caught the same way.
    const impostor = new AesGcmCodec([{ id: 'key-a', key: randomBytes(32) }]);
    await expect(impostor.decode([payload!])).rejects.toThrow(CodecError);
  });

  it('names an unknown key id (and the known ones), never a key', async () => {
    const [payload] = await new AesGcmCodec([keyB]).encode([defaultPayloadConverter.toPayload(value)]);
    const error = await new AesGcmCodec([keyA]).decode([payload!]).then(
      () => new Error('decoded'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toBe(
      'a payload is encrypted with key id "key-b", which is not among the codec keys (key-a); ' +
        'add it to WFM_CODEC_KEYS or WFM_CODEC_KEYS_FILE',
    );
    for (const { key } of [keyA, keyB]) expect(error.message).not.toContain(key.toString('base64'));
  });

  it('passes unencrypted payloads through untouched, so histories from before the codec still read', async () => {
    const plain: Payload[] = [
      defaultPayloadConverter.toPayload(value),
      defaultPayloadConverter.toPayload(undefined),
      defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3])),
      {},
    ];
    expect(await new AesGcmCodec([keyA]).decode(plain)).toEqual(plain);
  });

  it('refuses an encrypted payload without a key id', async () => {
    const [payload] = await new AesGcmCodec([keyA]).encode([defaultPayloadConverter.toPayload(value)]);
    const { [KEY_ID_METADATA]: _dropped, ...metadata } = payload!.metadata!;
    await expect(new AesGcmCodec([keyA]).decode([{ ...payload, metadata }])).rejects.toThrow(
      'an encrypted payload carries no encryption-key-id',
    );
  });
});

describe('a process without keys', () => {
  it('sends plain payloads and refuses encrypted ones with a message saying what to set', async () => {
    const codec = new NoKeyCodec();
    const plain = [defaultPayloadConverter.toPayload(value)];
    expect(await codec.encode(plain)).toBe(plain);
    expect(await codec.decode(plain)).toBe(plain);
    const encrypted = await new AesGcmCodec([keyA]).encode(plain);
    await expect(codec.decode(encrypted)).rejects.toThrow(
      'a payload is encrypted (key id "key-a") but no codec keys are set: give them in WFM_CODEC_KEYS or WFM_CODEC_KEYS_FILE',
    );
  });

  it('maps codec errors to the caller’s kind when asked (the CLI’s, to print without a stack)', async () => {
    class Mapped extends Error {}
    const mapError = (error: Error) => new Mapped(`mapped: ${error.message}`);
    expect(() => dataConverterFromEnv({ WFM_CODEC_KEYS: 'k:short' }, { mapError })).toThrow(Mapped);
    const [codec] = dataConverterFromEnv({}, { mapError }).payloadCodecs!;
    const encrypted = await new AesGcmCodec([keyA]).encode([defaultPayloadConverter.toPayload(value)]);
    await expect(codec!.decode(encrypted)).rejects.toThrow(/^mapped: a payload is encrypted \(key id "key-a"\)/);
  });
});

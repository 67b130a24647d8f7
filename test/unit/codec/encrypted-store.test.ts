import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../../codec/aes-gcm-codec';
import { CodecError } from '../../../codec/codec-error';
import { NoKeyCodec } from '../../../codec/no-key-codec';
import { FileBlobStore } from '../../../store/blob-store';
import { openStore } from '../../../store/open-store';
import { EncryptedBlobStore } from '../../../store/encrypted-blob-store';

const keyA = { id: 'a', key: randomBytes(32) };
const keyB = { id: 'b', key: randomBytes(32) };
const content = Buffer.from('{"id":"codec-asg-1","userId":"codec-user-1","notes":"codec-note"}\n');

async function filesUnder(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(path.join(e.parentPath, e.name))));
}

describe('encrypted claim-check store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-sealed-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('stores sealed blobs that read back, under rotated keys too, and leaves nothing readable on disk', async () => {
    const files = new FileBlobStore(path.join(dir, 'sealed'));
    const key = await new EncryptedBlobStore(files, new AesGcmCodec([keyA])).put(content);
    for (const stored of await filesUnder(files.directory)) expect(stored.toString('latin1')).not.toContain('codec-');

    const rotated = new EncryptedBlobStore(files, new AesGcmCodec([keyB, keyA]));
    expect(await rotated.get(key)).toEqual(content);
    expect(await rotated.get(await rotated.put(content))).toEqual(content);
  });

  it('reads plain blobs from before, stores plain without keys, and says what is missing for a sealed one', async () => {
    const files = new FileBlobStore(path.join(dir, 'mixed'));
    const plainKey = await files.put(content);
    const sealedKey = await new EncryptedBlobStore(files, new AesGcmCodec([keyA])).put(content);
    expect(await new EncryptedBlobStore(files, new AesGcmCodec([keyB])).get(plainKey)).toEqual(content);

    const withoutKeys = new EncryptedBlobStore(files, new NoKeyCodec());
    expect(await withoutKeys.put(content)).toBe(plainKey); // plain, content-addressed as before
    const error = await withoutKeys.get(sealedKey).then(
      () => new Error('read'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(CodecError);
    expect(error.message).toBe(
      `stored input ${sealedKey}: a payload is encrypted (key id "a") but no codec keys are set: ` +
        'give them in WFM_CODEC_KEYS or WFM_CODEC_KEYS_FILE',
    );
  });

  it('is what openStore gives when the environment has keys', async () => {
    const storeDir = path.join(dir, 'env');
    const env = { WFM_STORE_DIR: storeDir, WFM_CODEC_KEYS: `a:${keyA.key.toString('base64')}` };
    const key = await openStore(env).put(content);
    expect((await new FileBlobStore(storeDir).get(key)).toString('latin1')).not.toContain('codec-');
    expect(await openStore(env).get(key)).toEqual(content);
    expect(
      await openStore({ WFM_STORE_DIR: storeDir }).get(await openStore({ WFM_STORE_DIR: storeDir }).put(content)),
    ).toEqual(content);
  });
});

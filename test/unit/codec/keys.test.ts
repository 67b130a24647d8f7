import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecError } from '../../../codec/codec-error';
import { codecKeysFromEnv, parseCodecKeys } from '../../../codec/keys';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

function parseError(text: string): CodecError {
  try {
    parseCodecKeys(text, 'WFM_CODEC_KEYS');
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    return error as CodecError;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('codec keys', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('reads id:base64key entries in order, the first one encrypting', () => {
    const keys = parseCodecKeys(` new:${keyB} , old:${keyA}`, 'WFM_CODEC_KEYS');
    expect(keys.map((key) => key.id)).toEqual(['new', 'old']);
    expect(keys[0]!.key).toEqual(Buffer.from(keyB, 'base64'));
  });

  it('refuses bad keys naming the variable and the key id, never the key material', () => {
    const short = randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      [`k1:${short}`, /^WFM_CODEC_KEYS: key "k1" is 16 bytes, AES-256 needs 32/],
      ['k1:not base64!', /^WFM_CODEC_KEYS: key "k1" is not valid base64$/],
      [`k1:${keyA},k1:${keyB}`, /^WFM_CODEC_KEYS: key id "k1" is given twice$/],
      [keyA, /^WFM_CODEC_KEYS: entry 1 is not of the form id:base64key$/],
      [`k1:${keyA},${keyB}:k2`, /^WFM_CODEC_KEYS: entry 2: a key id is 1-64 letters/],
      [' , ', /^WFM_CODEC_KEYS: no keys given$/],
    ];
    for (const [text, message] of cases) {
      const error = parseError(text);
      expect(error.message).toMatch(message);
      for (const material of [keyA, keyB, short]) expect(error.message).not.toContain(material);
    }
  });

  it('is off when neither variable is set, and refuses both at once', () => {
    expect(codecKeysFromEnv({})).toBeUndefined();
    expect(codecKeysFromEnv({ WFM_CODEC_KEYS: ' ' })).toBeUndefined();
    expect(() => codecKeysFromEnv({ WFM_CODEC_KEYS: `a:${keyA}`, WFM_CODEC_KEYS_FILE: '/x' })).toThrow(
      /both set; give only one/,
    );
  });

  it('reads a keys file, one a line, with comments, naming the file in errors', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-codec-keys-'));
    dirs.push(dir);
    const file = path.join(dir, 'keys');
    await writeFile(file, `# newest first\nk2:${keyB}\n\nk1:${keyA}\n`);
    expect(codecKeysFromEnv({ WFM_CODEC_KEYS_FILE: file })?.map((key) => key.id)).toEqual(['k2', 'k1']);

    await writeFile(file, `k2:${keyB}\nk2:${keyA}\n`);
    expect(() => codecKeysFromEnv({ WFM_CODEC_KEYS_FILE: file })).toThrow(
      `WFM_CODEC_KEYS_FILE (${file}): key id "k2" is given twice`,
    );
    expect(() => codecKeysFromEnv({ WFM_CODEC_KEYS_FILE: path.join(dir, 'missing') })).toThrow(
      /^WFM_CODEC_KEYS_FILE: cannot read .*missing \(ENOENT\)$/,
    );
  });
});

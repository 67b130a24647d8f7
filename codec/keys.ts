/**
 * The codec's keys, from `WFM_CODEC_KEYS` (`id:base64key,id:base64key`) or `WFM_CODEC_KEYS_FILE` (the same, one a
 * line). The first key encrypts; every key decrypts, so a key can be rotated out without losing old histories.
 */
import { readFileSync } from 'node:fs';
import { ENV } from '../config/environment';
import { CodecError } from './codec-error';

/** One AES-256 key and the id that names it in payload metadata. */
export interface CodecKey {
  id: string;
  key: Buffer;
}

export const KEYS_VARIABLE = ENV.WFM_CODEC_KEYS;
export const KEYS_FILE_VARIABLE = ENV.WFM_CODEC_KEYS_FILE;

/** AES-256. */
export const KEY_BYTES = 32;

/** Ids travel in payload metadata and error messages: short and plain. A real base64 key (ends in `=`) never fits. */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses `id:base64key` entries separated by commas or line breaks (blank lines and `#` comments are skipped).
 * `source` names where the text came from in every error. Errors name key ids, never key material.
 */
export function parseCodecKeys(text: string, source: string): CodecKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) throw new CodecError(`${source}: no keys given`);
  const keys: CodecKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new CodecError(`${source}: entry ${index + 1} is not of the form id:base64key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    // The id is not repeated when it is malformed: it might be key material pasted in the wrong place.
    if (!KEY_ID_PATTERN.test(id))
      throw new CodecError(`${source}: entry ${index + 1}: a key id is 1-64 letters, digits, ".", "_" or "-"`);
    if (keys.some((key) => key.id === id)) throw new CodecError(`${source}: key id "${id}" is given twice`);
    if (!BASE64_PATTERN.test(encoded)) throw new CodecError(`${source}: key "${id}" is not valid base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES)
      throw new CodecError(
        `${source}: key "${id}" is ${key.length} bytes, AES-256 needs ${KEY_BYTES} (make one with \`openssl rand -base64 32\`)`,
      );
    keys.push({ id, key });
  });
  return keys;
}

/** The keys from the environment, or undefined when neither variable is set (the codec is off). */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKey[] | undefined {
  const inline = env[KEYS_VARIABLE]?.trim();
  const file = env[KEYS_FILE_VARIABLE]?.trim();
  if (inline && file) throw new CodecError(`${KEYS_VARIABLE} and ${KEYS_FILE_VARIABLE} are both set; give only one`);
  if (inline) return parseCodecKeys(inline, KEYS_VARIABLE);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CodecError(
      `${KEYS_FILE_VARIABLE}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  return parseCodecKeys(text, `${KEYS_FILE_VARIABLE} (${file})`);
}

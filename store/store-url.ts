/**
 * Which claim-check store a process uses, from one setting: `WFM_STORE_URL` names a shared S3-compatible bucket
 * (`s3://bucket/prefix`) or a folder (`file:///path`); unset, the folder `WFM_STORE_DIR` (default
 * `~/.wfm-bulk/store`) is the embedded default for one machine. Client and workers must name the same store.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../config/environment';

export type StoreLocation =
  | { kind: 'file'; directory: string }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix inside the bucket, `''` or ending in `/`. */
      prefix: string;
      /** A non-AWS endpoint (`WFM_S3_ENDPOINT`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`); AWS itself when unset. */
      endpoint?: string;
    };

/** `WFM_STORE_DIR`, or `~/.wfm-bulk/store`. Client and worker must agree. */
export function defaultStoreDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.WFM_STORE_DIR]?.trim() || path.join(os.homedir(), '.wfm-bulk', 'store');
}

/** Bucket names as S3 allows them (3-63 lowercase letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const usage = (value: string, why: string) =>
  new Error(`WFM_STORE_URL must be s3://bucket[/prefix] or file:///absolute/path (${why}), not "${value}"`);

/** The store `env` names; throws an error naming the variable when its value is not a store URL. */
export function storeLocationFromEnv(env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const value = env[ENV.WFM_STORE_URL]?.trim();
  if (!value) return { kind: 'file', directory: defaultStoreDirectory(env) };
  if (env[ENV.WFM_STORE_DIR]?.trim())
    throw new Error('set WFM_STORE_URL or WFM_STORE_DIR, not both: they would name two different stores');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usage(value, 'not a URL');
  }
  if (url.search || url.hash || url.username || url.password || url.port)
    throw usage(value, 'no query, fragment, user or port: the S3 endpoint is WFM_S3_ENDPOINT');
  if (url.protocol === 'file:') {
    if (url.hostname && url.hostname !== 'localhost') throw usage(value, 'a file URL names a local path');
    return { kind: 'file', directory: fileURLToPath(url) };
  }
  if (url.protocol !== 's3:') throw usage(value, `unknown scheme ${url.protocol}`);
  if (!BUCKET.test(url.hostname)) throw usage(value, `"${url.hostname}" is not a bucket name`);
  // As written: `new URL` would quietly resolve `a/../b` to `b`.
  const written = value.replace(/^s3:\/\/[^/]*/i, '').split('/');
  if (written.some((segment) => segment === '.' || segment === '..'))
    throw usage(value, 'the prefix has no . or .. segments');
  const segments = decodeURIComponent(url.pathname).split('/').filter(Boolean);
  const endpoint = (env[ENV.WFM_S3_ENDPOINT] ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL)?.trim();
  if (endpoint && !/^https?:\/\/[^/]/.test(endpoint))
    throw new Error(`the S3 endpoint must be an http(s) URL, not "${endpoint}" (WFM_S3_ENDPOINT)`);
  return {
    kind: 's3',
    bucket: url.hostname,
    prefix: segments.length ? `${segments.join('/')}/` : '',
    ...(endpoint && { endpoint }),
  };
}

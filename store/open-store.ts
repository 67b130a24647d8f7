/** Opens the claim-check store a process is configured for: one setting picks the implementation. */
import { codecFromEnv } from '../codec/data-converter';
import { FileBlobStore, type BlobStore } from './blob-store';
import { EncryptedBlobStore } from './encrypted-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { storeLocationFromEnv } from './store-url';

/** The store `env` names (`WFM_STORE_URL`: `s3://bucket/prefix` or `file:///path`; else the folder `WFM_STORE_DIR`), as stored. */
export function openRawStore(env: NodeJS.ProcessEnv = process.env): BlobStore {
  const location = storeLocationFromEnv(env);
  return location.kind === 's3' ? S3BlobStore.fromLocation(location, env) : new FileBlobStore(location.directory);
}

/** The store of `env`, sealed with the payload codec's keys when they are set (`WFM_CODEC_KEYS`, `codec/`). */
export function openStore(env: NodeJS.ProcessEnv = process.env): BlobStore {
  return new EncryptedBlobStore(openRawStore(env), codecFromEnv(env));
}

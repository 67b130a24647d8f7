/** Opens the claim-check store a process is configured for: one setting picks the implementation. */
import { codecFromEnv } from '../codec/data-converter';
import { FileBlobStore, type BlobStore } from './blob-store';
import { EncryptedBlobStore } from './encrypted-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { storeLocationFromEnv } from './store-url';

/**
 * The store of `env` (`WFM_STORE_URL`: `s3://bucket/prefix` or `file:///path`; else the folder `WFM_STORE_DIR`),
 * sealed with the payload codec's keys when they are set (`WFM_CODEC_KEYS`, `codec/`), whichever it is.
 */
export function openStore(env: NodeJS.ProcessEnv = process.env): BlobStore {
  const location = storeLocationFromEnv(env);
  const inner =
    location.kind === 's3' ? S3BlobStore.fromLocation(location, env) : new FileBlobStore(location.directory);
  return new EncryptedBlobStore(inner, codecFromEnv(env));
}

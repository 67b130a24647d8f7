/** One setting chooses the store: an S3 bucket and prefix, a folder URL, or the folder default. */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open-store';
import { storeLocationFromEnv } from '../../store/store-url';

describe('WFM_STORE_URL', () => {
  it('is the folder store by default: WFM_STORE_DIR, else ~/.wfm-bulk/store', () => {
    expect(storeLocationFromEnv({})).toEqual({
      kind: 'file',
      directory: path.join(os.homedir(), '.wfm-bulk', 'store'),
    });
    expect(storeLocationFromEnv({ WFM_STORE_DIR: '/srv/store' })).toEqual({ kind: 'file', directory: '/srv/store' });
    expect(storeLocationFromEnv({ WFM_STORE_URL: 'file:///srv/other' })).toEqual({
      kind: 'file',
      directory: '/srv/other',
    });
  });

  it('names a bucket and a prefix, with the endpoint from WFM_S3_ENDPOINT or the standard AWS variables', () => {
    expect(storeLocationFromEnv({ WFM_STORE_URL: 's3://wfm-claims' })).toEqual({
      kind: 's3',
      bucket: 'wfm-claims',
      prefix: '',
    });
    expect(
      storeLocationFromEnv({ WFM_STORE_URL: 's3://wfm-claims/prod/eu/', AWS_ENDPOINT_URL: 'http://minio:9000' }),
    ).toEqual({ kind: 's3', bucket: 'wfm-claims', prefix: 'prod/eu/', endpoint: 'http://minio:9000' });
    expect(
      storeLocationFromEnv({
        WFM_STORE_URL: 's3://b-1/p',
        WFM_S3_ENDPOINT: 'http://seaweed:8333',
        AWS_ENDPOINT_URL_S3: 'http://ignored:1',
      }),
    ).toMatchObject({ endpoint: 'http://seaweed:8333', prefix: 'p/' });
    expect(openStore({ WFM_STORE_URL: 's3://b-1/p', AWS_REGION: 'eu-west-1' }).location).toBe('s3://b-1/p/');
  });

  it('refuses what is not a store URL, naming the variable', () => {
    for (const value of [
      'bucket/prefix',
      'https://s3.amazonaws.com/bucket',
      's3://Bad_Bucket/x',
      's3://bucket/a/../b',
      's3://bucket:9000/x',
      's3://bucket/x?region=eu',
      'file://server/share',
    ])
      expect(() => storeLocationFromEnv({ WFM_STORE_URL: value }), value).toThrow(/^WFM_STORE_URL must be/);
    expect(() => storeLocationFromEnv({ WFM_STORE_URL: 's3://bucket', WFM_STORE_DIR: '/x' })).toThrow(
      /WFM_STORE_URL or WFM_STORE_DIR, not both/,
    );
    expect(() => storeLocationFromEnv({ WFM_STORE_URL: 's3://bucket', WFM_S3_ENDPOINT: 'seaweed:8333' })).toThrow(
      /WFM_S3_ENDPOINT/,
    );
  });
});

/**
 * The claim-check store in a real S3-compatible server (SeaweedFS, started here on loopback ports): what the
 * folder store does, the object store does the same way, sealed too when payload keys are set.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type BlobEntry, type BlobStore } from '../../store/blob-store';
import { openStore } from '../../store/open-store';
import { newS3Client, s3ClientConfig } from '../../store/s3-blob-store';
import { storeLocationFromEnv } from '../../store/store-url';
import { startS3Server, type S3TestServer } from '../../tools/s3/server';

async function entries(store: BlobStore): Promise<BlobEntry[]> {
  const all: BlobEntry[] = [];
  for await (const entry of store.list()) all.push(entry);
  return all.sort((a, b) => a.key.localeCompare(b.key));
}

describe('S3 claim-check store', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(() => server?.stop());

  it('puts under the job, reads back, and names the store when a blob is missing', async () => {
    const store = openStore(server.env('puts'));
    expect(store.location).toBe(`s3://${server.bucket}/puts/`);
    const content = Buffer.from('{"id":"s3-asg-1"}\n');
    const key = await store.put(content, 'wfm-20270101-000000-abc123');
    expect(key).toMatch(/^jobs\/wfm-20270101-000000-abc123\/sha256-[0-9a-f]{64}$/);
    expect(await store.put(content, 'wfm-20270101-000000-abc123')).toBe(key);
    expect(await store.get(key)).toEqual(content);
    // Keys written before job-scoped keys stay readable.
    const legacy = await store.put(Buffer.from('legacy'));
    expect(legacy).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect((await store.get(legacy)).toString()).toBe('legacy');

    const missing = `jobs/other-job/sha256-${'0'.repeat(64)}`;
    const error = await store.get(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobNotFoundError);
    expect((error as Error).message).toContain(`s3://${server.bucket}/puts/`);
    await expect(store.get('../escape')).rejects.toThrow(/not a blob key/);
  });

  it('lists its blobs with their job, size and age, and deletes them', async () => {
    const store = openStore(server.env('lists'));
    const a = await store.put(Buffer.from('a'.repeat(10)), 'job-a');
    const b = await store.put(Buffer.from('b'.repeat(20)), 'job b/with slash');
    const legacy = await store.put(Buffer.from('c'));
    await store.identity(); // the marker is no blob
    const listed = await entries(store);
    expect(listed.map(({ key, jobId, bytes }) => ({ key, jobId, bytes }))).toEqual(
      [
        { key: a, jobId: 'job-a', bytes: 10 },
        { key: b, jobId: 'job b/with slash', bytes: 20 },
        { key: legacy, jobId: undefined, bytes: 1 },
      ].sort((x, y) => x.key.localeCompare(y.key)),
    );
    for (const entry of listed) expect(Date.now() - entry.modifiedAt.getTime()).toBeLessThan(60_000);
    await store.delete(a);
    await store.delete(a); // already gone: no error
    await expect(store.get(a)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect((await entries(store)).map((entry) => entry.key)).not.toContain(a);
  });

  it('has one identity per bucket and prefix, written once and read by every process', async () => {
    const first = await openStore(server.env('identity')).identity();
    expect(first).toMatch(/^wfm-store-/);
    const [again, concurrent] = await Promise.all([
      openStore(server.env('identity')).identity(),
      openStore(server.env('identity')).identity(),
    ]);
    expect([again, concurrent]).toEqual([first, first]);
    expect(await openStore(server.env('elsewhere')).identity()).not.toBe(first);
  });

  it('fails with the store named when the server cannot be reached', async () => {
    const store = openStore({ ...server.env('x'), WFM_S3_ENDPOINT: 'http://127.0.0.1:9' });
    await expect(store.identity()).rejects.toThrow(/cannot reach the claim-check store s3:\/\/.*\/x\//);
  });

  it('seals what it stores when payload keys are set: nothing readable in the bucket', async () => {
    const env = { ...server.env('sealed'), WFM_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` };
    const content = Buffer.from('{"notes":"plain-text-marker"}\n');
    const key = await openStore(env).put(content, 'sealed-job');
    expect(await openStore(env).get(key)).toEqual(content);
    const location = storeLocationFromEnv(env);
    if (location.kind !== 's3') throw new Error('expected an S3 location');
    const raw = newS3Client(s3ClientConfig(location, env));
    const object = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: `sealed/${key}` }));
    const stored = Buffer.from((await object.Body!.transformToByteArray()) ?? []);
    raw.destroy();
    expect(stored.toString('latin1')).toContain('wfm-bulk sealed blob v1');
    expect(stored.toString('latin1')).not.toContain('plain-text-marker');
  });
});

/** The folder store: job-scoped keys, the old unscoped ones still read, listing, deleting, its identity. */
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, FileBlobStore, type BlobEntry } from '../../store/blob-store';
import { openStore } from '../../store/open-store';
import { parseBlobKey } from '../../store/blob-keys';

describe('folder claim-check store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-file-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('puts under the job, reads back, reads unscoped keys, and names the store when a blob is missing', async () => {
    const store = new FileBlobStore(path.join(dir, 'puts'));
    const key = await store.put(Buffer.from('items'), 'wfm-1');
    expect(key).toMatch(/^jobs\/wfm-1\/sha256-[0-9a-f]{64}$/);
    expect((await store.get(key)).toString()).toBe('items');
    const legacy = await store.put(Buffer.from('legacy'));
    expect(legacy).toMatch(/^sha256-/);
    expect((await store.get(legacy)).toString()).toBe('legacy');
    const error = await store.get(`jobs/wfm-2/sha256-${'1'.repeat(64)}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobNotFoundError);
    expect((error as Error).message).toContain(path.join(dir, 'puts'));
    expect((error as Error).message).toContain('WFM_STORE_URL');
  });

  it('keeps every job id inside its own folder', async () => {
    const store = new FileBlobStore(path.join(dir, 'ids'));
    const key = await store.put(Buffer.from('x'), '../../escape');
    expect(parseBlobKey(key)).toMatchObject({ jobId: '../../escape' });
    expect(await readdir(path.join(dir, 'ids', 'jobs'))).toEqual([encodeURIComponent('../../escape')]);
    await expect(store.put(Buffer.from('x'), '..')).rejects.toThrow(/not a job id/);
    expect(parseBlobKey(`jobs/../sha256-${'0'.repeat(64)}`)).toBeUndefined();
    expect(parseBlobKey(`jobs/a%2Fb/sha256-${'0'.repeat(64)}`)).toEqual({
      jobId: 'a/b',
      hash: `sha256-${'0'.repeat(64)}`,
    });
    expect(parseBlobKey(`jobs/a%2fb/sha256-${'0'.repeat(64)}`)).toBeUndefined(); // one spelling per job
  });

  it('lists blobs with job, size and age; a second put renews the age; deletes', async () => {
    const store = new FileBlobStore(path.join(dir, 'lists'));
    const a = await store.put(Buffer.from('aaaa'), 'job-a');
    const legacy = await store.put(Buffer.from('c'));
    await store.identity();
    const list = async () => {
      const all: BlobEntry[] = [];
      for await (const entry of store.list()) all.push(entry);
      return all.sort((x, y) => x.key.localeCompare(y.key));
    };
    expect((await list()).map(({ key, jobId, bytes }) => ({ key, jobId, bytes }))).toEqual(
      [
        { key: a, jobId: 'job-a', bytes: 4 },
        { key: legacy, jobId: undefined, bytes: 1 },
      ].sort((x, y) => x.key.localeCompare(y.key)),
    );
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(path.join(dir, 'lists', a), old, old);
    expect((await list()).find((entry) => entry.key === a)!.modifiedAt).toEqual(old);
    await store.put(Buffer.from('aaaa'), 'job-a');
    expect((await list()).find((entry) => entry.key === a)!.modifiedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await store.delete(a);
    await store.delete(a);
    expect((await list()).map((entry) => entry.key)).toEqual([legacy]);
    expect(await readdir(path.join(dir, 'lists', 'jobs'))).toEqual([]); // the emptied job folder went too
    expect(await new FileBlobStore(path.join(dir, 'none')).list()[Symbol.asyncIterator]().next()).toMatchObject({
      done: true,
    });
  });

  it('has one identity, written on first use, shared by every process on the folder', async () => {
    const folder = path.join(dir, 'identity');
    // Many at once, as processes starting together on an empty store: none may read the marker half-written.
    const ids = await Promise.all(Array.from({ length: 20 }, () => new FileBlobStore(folder).identity()));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^wfm-store-[0-9a-f-]{36}$/);
    expect(await openStore({ WFM_STORE_URL: `file://${folder}` }).identity()).toBe(ids[0]);
    expect(await new FileBlobStore(path.join(dir, 'other')).identity()).not.toBe(ids[0]);
  });

  it('says which store it cannot reach', async () => {
    const blocked = path.join(dir, 'file-not-folder');
    await new FileBlobStore(dir).put(Buffer.from('x')); // makes dir exist
    await writeFile(blocked, 'not a folder');
    await expect(new FileBlobStore(blocked).identity()).rejects.toThrow(
      new RegExp(`cannot reach the claim-check store ${blocked}`),
    );
  });
});

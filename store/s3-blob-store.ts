/**
 * The claim-check store in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, Ceph…), shared by every client and
 * worker machine: `WFM_STORE_URL=s3://bucket/prefix`. Credentials and region come from the standard AWS variables
 * and chain (`AWS_ACCESS_KEY_ID`…, `AWS_PROFILE`, instance roles); a non-AWS endpoint is addressed path-style.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { BlobNotFoundError, blobKey, newStoreId, parseBlobKey, STORE_ID_KEY, type BlobEntry } from './blob-keys';
import type { BlobStore } from './blob-store';
import type { StoreLocation } from './store-url';

type S3Location = Extract<StoreLocation, { kind: 's3' }>;

export class S3BlobStore implements BlobStore {
  private id: Promise<string> | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** `''` or ending in `/`. */
    private readonly prefix: string,
  ) {}

  /** The store `WFM_STORE_URL` names, with the client `env` configures. */
  static fromLocation(location: S3Location, env: NodeJS.ProcessEnv): S3BlobStore {
    return new S3BlobStore(newS3Client(s3ClientConfig(location, env)), location.bucket, location.prefix);
  }

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async put(content: Buffer, jobId?: string): Promise<string> {
    const key = blobKey(content, jobId);
    // Written again when it exists: same bytes, and its age (what `gc` goes by) starts afresh.
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: content }));
    return key;
  }

  async get(key: string): Promise<Buffer> {
    if (!parseBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
    const content = await this.read(key);
    if (!content) throw new BlobNotFoundError(key, this.location);
    return content;
  }

  async *list(): AsyncIterable<BlobEntry> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        const parsed = key === undefined ? undefined : parseBlobKey(key);
        if (!key || !parsed) continue;
        yield {
          key,
          ...(parsed.jobId !== undefined && { jobId: parsed.jobId }),
          modifiedAt: object.LastModified ?? new Date(0),
          bytes: object.Size ?? 0,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    if (!parseBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }

  identity(): Promise<string> {
    this.id ??= this.readOrCreateId().catch((error: unknown) => {
      this.id = undefined;
      throw new Error(`cannot reach the claim-check store ${this.location}: ${describeS3Error(error)}`);
    });
    return this.id;
  }

  private async readOrCreateId(): Promise<string> {
    const existing = await this.read(STORE_ID_KEY);
    if (existing) return existing.toString('utf8').trim();
    try {
      // `If-None-Match: *`: of two processes starting on an empty store at once, one writes, both read its id.
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.prefix + STORE_ID_KEY,
          Body: `${newStoreId()}\n`,
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      if (status !== 412 && status !== 409) throw error;
    }
    const written = await this.read(STORE_ID_KEY);
    if (!written) throw new Error(`the store id ${STORE_ID_KEY} was written but cannot be read back`);
    return written.toString('utf8').trim();
  }

  /** The object under `key` (below the prefix), or undefined when there is none. */
  private async read(key: string): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404))
        return undefined;
      throw error;
    }
  }
}

/**
 * An S3 client, without the SDK's notice that its releases after January 2027 need Node 22: the version pinned here
 * runs on the Node this project supports, and the notice would otherwise open every command's output.
 */
export function newS3Client(config: S3ClientConfig): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client(config);
}

/**
 * The S3 client for `location`: credentials from `env` when it has them (tests, explicit settings), else the SDK's
 * standard chain. A custom endpoint is addressed path-style (bucket in the path, as S3-compatible servers expect),
 * with checksums only where S3 requires them, which every compatible server understands.
 */
export function s3ClientConfig(location: S3Location, env: NodeJS.ProcessEnv): S3ClientConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const custom = location.endpoint !== undefined && !/\.amazonaws\.com(\.cn)?(:\d+)?(\/|$)/.test(location.endpoint);
  return {
    // Servers other than AWS ignore the region, but the SDK signs with one.
    ...(region ? { region } : custom && { region: 'us-east-1' }),
    ...(location.endpoint && { endpoint: location.endpoint }),
    ...(custom && {
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    ...(env.AWS_ACCESS_KEY_ID &&
      env.AWS_SECRET_ACCESS_KEY && {
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
        },
      }),
    maxAttempts: 3,
    // A store that does not answer fails a worker's start within seconds, not minutes.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  };
}

/** An S3 error as one line: its code and HTTP status, or the network error's message. */
export function describeS3Error(error: unknown): string {
  if (error instanceof S3ServiceException)
    return `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})${error.message && error.message !== error.name ? `: ${error.message}` : ''}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message || error.name;
  }
  return String(error);
}

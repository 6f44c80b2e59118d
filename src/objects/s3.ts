import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { checkKey, concat, ObjectNotFound, type ByteRange, type ObjectStore } from './object-store.ts';

const BODY_READ_ATTEMPTS = 3;

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket (no leading or trailing `/`); every key is stored under it. */
  prefix?: string;
  /** AWS region; when absent the SDK's chain decides (AWS_REGION, ~/.aws/config). */
  region?: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:7070`): implies path-style addressing. */
  endpoint?: string;
  /** Defaults to true when `endpoint` is given, false for AWS itself. */
  forcePathStyle?: boolean;
  /** Static credentials (local servers); otherwise the standard AWS provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request including the first, with the SDK's `standard` retry mode. */
  maxAttempts?: number;
  /** Time to establish a TCP/TLS connection. */
  connectionTimeoutMs?: number;
  /** Time from sending a request until the response headers arrive. */
  requestTimeoutMs?: number;
  /** Time a socket may sit idle mid-request (a stalled upload or download). */
  socketTimeoutMs?: number;
}

/**
 * Objects in an S3 bucket (`s3://bucket?region=…&endpoint=…&prefix=…`), AWS or any S3-compatible
 * server. A PutObject is atomic and durable once acknowledged, which is all the ObjectStore
 * contract asks; reads use ranged GetObjects.
 */
export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  private readonly client: S3Client;

  constructor(options: S3ObjectStoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
      throw new Error(`invalid S3 bucket name ${JSON.stringify(options.bucket)}`);
    }
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') checkKey(this.prefix);

    this.region = options.region;
    this.endpoint = options.endpoint;
    this.forcePathStyle = options.forcePathStyle ?? options.endpoint !== undefined;

    // The URL openObjectStore takes, minus credentials (which never appear in `url`).
    const query: string[] = [];
    if (options.region) query.push(`region=${queryValue(options.region)}`);
    if (options.endpoint) query.push(`endpoint=${queryValue(options.endpoint)}`);
    if (this.prefix) query.push(`prefix=${queryValue(this.prefix)}`);
    if (options.forcePathStyle !== undefined && options.forcePathStyle !== (options.endpoint !== undefined)) {
      query.push(`force_path_style=${options.forcePathStyle}`);
    }
    this.url = `s3://${this.bucket}${query.length > 0 ? `?${query.join('&')}` : ''}`;

    const config: S3ClientConfig = {
      forcePathStyle: this.forcePathStyle,
      retryMode: 'standard',
      maxAttempts: options.maxAttempts ?? 5,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        throwOnRequestTimeout: true,
        socketTimeout: options.socketTimeoutMs ?? 30_000,
      },
    };
    if (options.region) config.region = options.region;
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.credentials) config.credentials = options.credentials;
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    checkKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  async put(key: string, data: Buffer | readonly Buffer[]): Promise<void> {
    const body = concat(data);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.length,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    if (range) {
      if (!Number.isSafeInteger(range.offset) || range.offset < 0 || !Number.isSafeInteger(range.length) || range.length < 0) {
        throw new Error(`invalid byte range ${JSON.stringify(range)}`);
      }
      // HTTP cannot express an empty range: only check that the object exists.
      if (range.length === 0) {
        await this.head(key, objectKey);
        return Buffer.alloc(0);
      }
    }
    const input = {
      Bucket: this.bucket,
      Key: objectKey,
      Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
    };
    // The SDK retries the request but not the body: a connection dropped mid-download would
    // surface as is. Retry those (only those) a few times too.
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await this.client.send(new GetObjectCommand(input));
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFound(key);
        // A range starting at or past the end (416): the object exists, the slice is empty, as
        // for the other stores.
        if (range && isInvalidRange(error)) return Buffer.alloc(0);
        throw error;
      }
      if (!response.Body) return Buffer.alloc(0);
      try {
        const bytes = await response.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (attempt >= BODY_READ_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async head(key: string, objectKey: string): Promise<void> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFound(key);
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const fullPrefix = this.prefix === '' ? prefix : `${this.prefix}/${prefix}`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const response = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: fullPrefix, ContinuationToken: token }),
      );
      for (const object of response.Contents ?? []) {
        if (object.Key !== undefined && object.Key.startsWith(fullPrefix)) keys.push(object.Key.slice(strip));
      }
      token = response.IsTruncated ? response.NextContinuationToken : undefined;
    } while (token);
    // S3 lists in UTF-8 byte order, which for the key alphabet is JavaScript's order; sort anyway
    // so that servers which do not are still correct.
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      // S3 answers 204 for a missing key, but some compatible servers answer 404.
      if (!isNotFound(error)) throw error;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** Percent-encodes what a query value cannot hold, keeping `:` and `/` readable. */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

interface ServiceError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** NoSuchKey (GetObject), NotFound (HeadObject) or a bare 404 — but not a missing bucket. */
function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ServiceError;
  const code = e.name ?? e.Code;
  if (code === 'NoSuchBucket') return false;
  return code === 'NoSuchKey' || code === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

function isInvalidRange(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ServiceError;
  return e.name === 'InvalidRange' || e.$metadata?.httpStatusCode === 416;
}

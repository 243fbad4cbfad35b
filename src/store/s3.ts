/**
 * The small set of S3 object operations the store is built on: read with ETag, conditional
 * put, head, list, delete. Every SDK error leaves here as one clear line (describeAwsError),
 * except the conditional-write conflicts, which callers handle (see isWriteConflict).
 */
import type { Aws } from '../aws/client';
import { awsErrorName, describeAwsError, httpStatus } from '../aws/errors';
import type { Config } from '../config/model';
import { failure } from '../errors';

export interface StoredObject {
  body: string;
  etag: string;
}

export interface Where {
  aws: Aws;
  bucket: string;
}

export const where = (aws: Aws, config: Config): Where => ({ aws, bucket: config.platform.bucket });

export function fail(w: Where, e: unknown, action: string): never {
  throw describeAwsError(e, { action, region: w.aws.region, endpoint: w.aws.endpoint });
}

const isMissing = (e: unknown) => {
  const n = awsErrorName(e);
  return n === 'NoSuchKey' || n === 'NotFound' || httpStatus(e) === 404;
};

export const isNoSuchBucket = (e: unknown) => awsErrorName(e) === 'NoSuchBucket';

/** 412 PreconditionFailed (stale ETag, or the key exists) or 409 ConditionalRequestConflict (a race in S3). */
export function isWriteConflict(e: unknown): boolean {
  const n = awsErrorName(e);
  const s = httpStatus(e);
  return n === 'PreconditionFailed' || n === 'ConditionalRequestConflict' || s === 412 || s === 409;
}

function missingBucket(w: Where, e: unknown, action: string): never {
  if (isNoSuchBucket(e)) throw failure(`${action}: bucket ${w.bucket} does not exist; run "cyclops bootstrap" first`, e, 'no-bucket');
  fail(w, e, action);
}

/** The object and its ETag, or null when the key does not exist. */
export async function getObject(w: Where, key: string): Promise<StoredObject | null> {
  try {
    const out = await w.aws.s3.send(new w.aws.sdk.s3.GetObjectCommand({ Bucket: w.bucket, Key: key }));
    const body = out.Body ? await out.Body.transformToString('utf8') : '';
    return { body, etag: out.ETag ?? '' };
  } catch (e) {
    if (isMissing(e) && !isNoSuchBucket(e)) return null;
    missingBucket(w, e, `read s3://${w.bucket}/${key}`);
  }
}

export interface PutCondition {
  /** write only if the object still has this ETag */
  ifMatch?: string;
  /** write only if the key does not exist yet */
  ifNoneMatch?: boolean;
}

/**
 * Put a JSON/text object. Conditional writes throw the raw SDK error on conflict so the
 * caller can re-read and retry; every other error becomes one clear line.
 */
export async function putObject(w: Where, key: string, body: string, cond: PutCondition = {}): Promise<string> {
  try {
    const out = await w.aws.s3.send(
      new w.aws.sdk.s3.PutObjectCommand({
        Bucket: w.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ...(cond.ifMatch ? { IfMatch: cond.ifMatch } : {}),
        ...(cond.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
    return out.ETag ?? '';
  } catch (e) {
    if ((cond.ifMatch || cond.ifNoneMatch) && isWriteConflict(e)) throw e;
    missingBucket(w, e, `write s3://${w.bucket}/${key}`);
  }
}

/** True when the key exists. */
export async function headObject(w: Where, key: string): Promise<boolean> {
  try {
    await w.aws.s3.send(new w.aws.sdk.s3.HeadObjectCommand({ Bucket: w.bucket, Key: key }));
    return true;
  } catch (e) {
    // HeadObject has no body, so a missing bucket is also just a 404 here; the PutObject that follows names it.
    if (isMissing(e)) return false;
    fail(w, e, `check s3://${w.bucket}/${key}`);
  }
}

/** Delete a key; with ifMatch only if it still has that ETag. Conflicts are rethrown raw. */
export async function deleteObject(w: Where, key: string, ifMatch?: string): Promise<void> {
  try {
    await w.aws.s3.send(new w.aws.sdk.s3.DeleteObjectCommand({ Bucket: w.bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }));
  } catch (e) {
    if (ifMatch && isWriteConflict(e)) throw e;
    if (isMissing(e) && !isNoSuchBucket(e)) return;
    missingBucket(w, e, `delete s3://${w.bucket}/${key}`);
  }
}

export interface Listed {
  key: string;
  lastModified: Date;
  size: number;
}

/** Every object under a prefix (all pages). */
export async function listObjects(w: Where, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await w.aws.s3.send(new w.aws.sdk.s3.ListObjectsV2Command({ Bucket: w.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push({ key: o.Key ?? '', lastModified: o.LastModified ?? new Date(0), size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (e) {
    missingBucket(w, e, `list s3://${w.bucket}/${prefix}`);
  }
  return out;
}

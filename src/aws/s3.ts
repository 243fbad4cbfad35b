/**
 * S3, in cyclops's own types: objects with ETags, conditional writes, listing, and the
 * config bucket's settings. Errors leave as one line; the conditions callers branch on are
 * typed: a missing key is null/false, a lost conditional write is a WriteConflict
 * (isWriteConflict), a missing bucket names the fix.
 */
import type { Aws } from './client';
import { call } from './call';
import { awsErrorName, describeAwsError, httpStatus } from './errors';
import { CyclopsError, ExitCode, failure, isCyclopsError } from '../errors';

export interface StoredObject {
  body: string;
  etag: string;
}

export interface PutCondition {
  /** write only if the object still has this ETag */
  ifMatch?: string;
  /** write only if the key does not exist yet */
  ifNoneMatch?: boolean;
}

export interface Listed {
  key: string;
  lastModified: Date;
  size: number;
}

/**
 * Someone else wrote first: 412 PreconditionFailed (stale ETag, or the key exists) or 409
 * ConditionalRequestConflict (a race inside S3). Its name is S3's error name.
 */
export class WriteConflict extends CyclopsError {
  constructor(message: string, awsName: string, cause: unknown) {
    super(message, { exitCode: ExitCode.CONFLICT, code: 'write-conflict', cause });
    this.name = awsName || 'WriteConflict';
  }
}

const rawConflict = (e: unknown) => {
  const n = awsErrorName(e);
  const s = httpStatus(e);
  return n === 'PreconditionFailed' || n === 'ConditionalRequestConflict' || s === 412 || s === 409;
};

/** A conditional write lost the race: re-read and try again. */
export function isWriteConflict(e: unknown): boolean {
  return isCyclopsError(e, 'write-conflict') || rawConflict(e);
}

const isMissing = (e: unknown) => {
  const n = awsErrorName(e);
  return n === 'NoSuchKey' || n === 'NotFound' || httpStatus(e) === 404;
};

export const isNoSuchBucket = (e: unknown) => awsErrorName(e) === 'NoSuchBucket';

function fail(aws: Aws, bucket: string, e: unknown, action: string): never {
  if (isNoSuchBucket(e)) throw failure(`${action}: bucket ${bucket} does not exist; run "cyclops bootstrap" first`, e, 'no-bucket');
  throw describeAwsError(e, { action, region: aws.region, endpoint: aws.endpoint });
}

/** The object and its ETag, or null when the key does not exist. */
export async function getObject(aws: Aws, bucket: string, key: string): Promise<StoredObject | null> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = out.Body ? await out.Body.transformToString('utf8') : '';
    return { body, etag: out.ETag ?? '' };
  } catch (e) {
    if (isMissing(e) && !isNoSuchBucket(e)) return null;
    fail(aws, bucket, e, `read s3://${bucket}/${key}`);
  }
}

/** Put a JSON/text object; a lost conditional write throws WriteConflict. Returns the ETag. */
export async function putObject(aws: Aws, bucket: string, key: string, body: string, cond: PutCondition = {}): Promise<string> {
  const action = `write s3://${bucket}/${key}`;
  try {
    const out = await aws.s3.send(
      new aws.sdk.s3.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ...(cond.ifMatch ? { IfMatch: cond.ifMatch } : {}),
        ...(cond.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
    return out.ETag ?? '';
  } catch (e) {
    if ((cond.ifMatch || cond.ifNoneMatch) && rawConflict(e)) throw new WriteConflict(`${action}: another writer changed it first`, awsErrorName(e), e);
    fail(aws, bucket, e, action);
  }
}

/** Upload a local file (a build context) as one object; its size goes as Content-Length, the body streams. */
export async function putFile(aws: Aws, bucket: string, key: string, file: string, contentType: string): Promise<void> {
  const { createReadStream, statSync } = await import('node:fs');
  const action = `upload ${file} to s3://${bucket}/${key}`;
  try {
    await aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: statSync(file).size, ContentType: contentType }));
  } catch (e) {
    fail(aws, bucket, e, action);
  }
}

/** True when the key exists. */
export async function headObject(aws: Aws, bucket: string, key: string): Promise<boolean> {
  try {
    await aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    // HeadObject has no body, so a missing bucket is also just a 404 here; the PutObject that follows names it.
    if (isMissing(e)) return false;
    throw describeAwsError(e, { action: `check s3://${bucket}/${key}`, region: aws.region, endpoint: aws.endpoint });
  }
}

/** Delete a key (gone already is fine); with ifMatch only if it still has that ETag, else WriteConflict. */
export async function deleteObject(aws: Aws, bucket: string, key: string, ifMatch?: string): Promise<void> {
  const action = `delete s3://${bucket}/${key}`;
  try {
    await aws.s3.send(new aws.sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key, ...(ifMatch ? { IfMatch: ifMatch } : {}) }));
  } catch (e) {
    if (ifMatch && rawConflict(e)) throw new WriteConflict(`${action}: another writer changed it first`, awsErrorName(e), e);
    if (isMissing(e) && !isNoSuchBucket(e)) return;
    fail(aws, bucket, e, action);
  }
}

/**
 * Delete many keys in one DeleteObjects call per 1,000 (the API's limit,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html); keys already gone
 * are fine. Quiet mode: only failures come back, and any failure fails the call.
 */
export async function deleteObjects(aws: Aws, bucket: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const action = `delete ${batch.length} objects under s3://${bucket}/`;
    try {
      const r = await aws.s3.send(new aws.sdk.s3.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = (r.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length) throw new Error(`${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ''}`.trim());
    } catch (e) {
      fail(aws, bucket, e, action);
    }
  }
}

/** Every object under a prefix (all pages). */
export async function listObjects(aws: Aws, bucket: string, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push({ key: o.Key ?? '', lastModified: o.LastModified ?? new Date(0), size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (e) {
    fail(aws, bucket, e, `list s3://${bucket}/${prefix}`);
  }
  return out;
}

/** exists | missing; a bucket another account owns (403) is an error that says to pick another name. */
export async function bucketExists(aws: Aws, bucket: string): Promise<boolean> {
  try {
    await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    if (httpStatus(e) === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') return false;
    if (httpStatus(e) === 403) {
      throw failure(`bucket ${bucket}: exists but this account cannot use it (403); bucket names are global, so set platform.bucket to another name`, e, 'bucket-taken');
    }
    throw describeAwsError(e, { action: `check bucket ${bucket}`, region: aws.region, endpoint: aws.endpoint });
  }
}

/** The bucket's region, or null when there is no such bucket (S3 names it even on a 301 from another region). */
export async function bucketRegion(aws: Aws, bucket: string): Promise<string | null> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: bucket }));
    return out.BucketRegion ?? aws.region;
  } catch (e) {
    if (httpStatus(e) === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') return null;
    const header = (e as { $response?: { headers?: Record<string, string> } })?.$response?.headers?.['x-amz-bucket-region'];
    if (header) return header;
    throw describeAwsError(e, { action: `check bucket ${bucket}`, region: aws.region, endpoint: aws.endpoint });
  }
}

export interface ObjectVersion {
  versionId: string;
  lastModified: Date;
  body: string;
}

/** The versions of one key, newest first (at most `limit`), with their bodies. */
export async function objectVersions(aws: Aws, bucket: string, key: string, limit = 20): Promise<ObjectVersion[]> {
  try {
    const out = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: limit }));
    const versions = (out.Versions ?? []).filter((v) => v.Key === key && v.VersionId && v.VersionId !== 'null');
    versions.sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0));
    const found: ObjectVersion[] = [];
    for (const v of versions.slice(0, limit)) {
      const obj = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key, VersionId: v.VersionId }));
      found.push({ versionId: v.VersionId!, lastModified: v.LastModified ?? new Date(0), body: obj.Body ? await obj.Body.transformToString('utf8') : '' });
    }
    return found;
  } catch (e) {
    fail(aws, bucket, e, `list the versions of s3://${bucket}/${key}`);
  }
}

/** Create the bucket in the client's region; false when this account already owns it. */
export async function createBucket(aws: Aws, bucket: string): Promise<boolean> {
  const region = aws.region;
  try {
    await aws.s3.send(
      new aws.sdk.s3.CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the default location and rejects an explicit LocationConstraint.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
    return true;
  } catch (e) {
    const name = awsErrorName(e);
    if (name === 'BucketAlreadyOwnedByYou') return false;
    if (name === 'BucketAlreadyExists') {
      throw failure(`bucket ${bucket}: the name is taken by another account; set platform.bucket in config to another name`, e, 'bucket-taken');
    }
    throw describeAwsError(e, { action: `create bucket ${bucket}`, region, endpoint: aws.endpoint });
  }
}

/** The config bucket's settings, each one request; `action` names it in an error. */
export const bucketSettings = {
  blockPublicAccess: (aws: Aws, bucket: string, action: string) =>
    call(aws, action, () =>
      aws.s3.send(
        new aws.sdk.s3.PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      ),
    ).then(() => undefined),
  defaultEncryption: (aws: Aws, bucket: string, action: string) =>
    call(aws, action, () =>
      aws.s3.send(
        new aws.sdk.s3.PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
        }),
      ),
    ).then(() => undefined),
  versioning: (aws: Aws, bucket: string, action: string) =>
    call(aws, action, () => aws.s3.send(new aws.sdk.s3.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }))).then(
      () => undefined,
    ),
  policy: (aws: Aws, bucket: string, policy: string, action: string) =>
    call(aws, action, () => aws.s3.send(new aws.sdk.s3.PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }))).then(() => undefined),
  tags: (aws: Aws, bucket: string, tags: { Key: string; Value: string }[], action: string) =>
    call(aws, action, () => aws.s3.send(new aws.sdk.s3.PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags } }))).then(() => undefined),
};

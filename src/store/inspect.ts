/**
 * Read-only looks at the config bucket that the object operations in s3.ts do not cover:
 * which region the bucket is in (to tell "not bootstrapped" from "wrong region"), and the
 * earlier versions of an object (the bucket is versioned; a corrupt record names the last
 * good version to restore).
 */
import type { Aws } from '../aws/client';
import { awsErrorName, httpStatus } from '../aws/errors';
import type { Config } from '../config/model';
import { fail, where } from './s3';

/** The bucket's region, or null when there is no such bucket. */
export async function bucketRegion(aws: Aws, config: Config): Promise<string | null> {
  const w = where(aws, config);
  try {
    const out = await aws.s3.send(new aws.sdk.s3.HeadBucketCommand({ Bucket: w.bucket }));
    return out.BucketRegion ?? aws.region;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') return null;
    // S3 answers a request to the wrong region with 301 and the bucket's region in a header.
    const header = (e as { $response?: { headers?: Record<string, string> } })?.$response?.headers?.['x-amz-bucket-region'];
    if (header) return header;
    fail(w, e, `check bucket ${w.bucket}`);
  }
}

export interface ObjectVersion {
  versionId: string;
  lastModified: Date;
  body: string;
}

/** The versions of one key, newest first (at most `limit`), with their bodies. */
export async function objectVersions(aws: Aws, config: Config, key: string, limit = 20): Promise<ObjectVersion[]> {
  const w = where(aws, config);
  try {
    const out = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: w.bucket, Prefix: key, MaxKeys: limit }));
    const versions = (out.Versions ?? []).filter((v) => v.Key === key && v.VersionId && v.VersionId !== 'null');
    versions.sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0));
    const found: ObjectVersion[] = [];
    for (const v of versions.slice(0, limit)) {
      const obj = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: w.bucket, Key: key, VersionId: v.VersionId }));
      found.push({ versionId: v.VersionId!, lastModified: v.LastModified ?? new Date(0), body: obj.Body ? await obj.Body.transformToString('utf8') : '' });
    }
    return found;
  } catch (e) {
    fail(w, e, `list the versions of s3://${w.bucket}/${key}`);
  }
}

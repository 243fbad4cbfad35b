/**
 * The small set of S3 object operations the store is built on: read with ETag, conditional
 * put, head, list, delete, on the config bucket. The calls themselves live in src/aws/s3.ts:
 * every error leaves as one clear line, except a lost conditional write (isWriteConflict),
 * which callers re-read and retry.
 */
import type { Aws } from '../aws/client';
import { describeAwsError } from '../aws/errors';
import * as s3 from '../aws/s3';
import type { Config } from '../config/model';

export type { StoredObject, PutCondition, Listed } from '../aws/s3';
export { isWriteConflict, isNoSuchBucket } from '../aws/s3';

export interface Where {
  aws: Aws;
  bucket: string;
}

export const where = (aws: Aws, config: Config): Where => ({ aws, bucket: config.platform.bucket });

export function fail(w: Where, e: unknown, action: string): never {
  throw describeAwsError(e, { action, region: w.aws.region, endpoint: w.aws.endpoint });
}

/** The object and its ETag, or null when the key does not exist. */
export const getObject = (w: Where, key: string) => s3.getObject(w.aws, w.bucket, key);

/** Put a JSON/text object; a lost conditional write throws a write conflict (isWriteConflict). */
export const putObject = (w: Where, key: string, body: string, cond: s3.PutCondition = {}) => s3.putObject(w.aws, w.bucket, key, body, cond);

/** True when the key exists. */
export const headObject = (w: Where, key: string) => s3.headObject(w.aws, w.bucket, key);

/** Delete a key; with ifMatch only if it still has that ETag (else a write conflict). */
export const deleteObject = (w: Where, key: string, ifMatch?: string) => s3.deleteObject(w.aws, w.bucket, key, ifMatch);

/** Delete many keys (one call per 1,000; gone already is fine). */
export const deleteObjects = (w: Where, keys: string[]) => s3.deleteObjects(w.aws, w.bucket, keys);

/** Every object under a prefix (all pages). */
export const listObjects = (w: Where, prefix: string) => s3.listObjects(w.aws, w.bucket, prefix);

/**
 * Read-only looks at the config bucket that the object operations in s3.ts do not cover:
 * which region the bucket is in (to tell "not bootstrapped" from "wrong region"), and the
 * earlier versions of an object (the bucket is versioned; a corrupt record names the last
 * good version to restore).
 */
import type { Aws } from '../aws/client';
import * as s3 from '../aws/s3';
import type { Config } from '../config/model';

export type { ObjectVersion } from '../aws/s3';

/** The bucket's region, or null when there is no such bucket. */
export const bucketRegion = (aws: Aws, config: Config) => s3.bucketRegion(aws, config.platform.bucket);

/** The versions of one key, newest first (at most `limit`), with their bodies. */
export const objectVersions = (aws: Aws, config: Config, key: string, limit = 20) => s3.objectVersions(aws, config.platform.bucket, key, limit);

/**
 * The config bucket: private (public access blocked), encrypted by default (SSE-S3),
 * versioned, TLS-only (a policy denies aws:SecureTransport=false), tagged. ensureBucket
 * creates it when missing and (re)applies every setting, so running it again is harmless.
 */
import type { Aws } from '../aws/client';
import { awsErrorName, httpStatus } from '../aws/errors';
import type { Config } from '../config/model';
import { failure } from '../errors';
import { tags } from '../naming';
import { fail, where, type Where } from './s3';

export interface EnsureBucketResult {
  bucket: string;
  region: string;
  created: boolean;
  /** the settings applied, in order */
  settings: string[];
}

/** aws, aws-cn or aws-us-gov: bucket ARNs differ by partition. */
export function partition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function tlsOnlyPolicy(bucket: string, region: string): string {
  const arn = `arn:${partition(region)}:s3:::${bucket}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

async function exists(w: Where): Promise<boolean> {
  try {
    await w.aws.s3.send(new w.aws.sdk.s3.HeadBucketCommand({ Bucket: w.bucket }));
    return true;
  } catch (e) {
    if (httpStatus(e) === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') return false;
    if (httpStatus(e) === 403) {
      throw failure(`bucket ${w.bucket}: exists but this account cannot use it (403); bucket names are global, so set platform.bucket to another name`, e, 'bucket-taken');
    }
    fail(w, e, `check bucket ${w.bucket}`);
  }
}

async function create(w: Where): Promise<boolean> {
  const region = w.aws.region;
  try {
    await w.aws.s3.send(
      new w.aws.sdk.s3.CreateBucketCommand({
        Bucket: w.bucket,
        // us-east-1 is the default location and rejects an explicit LocationConstraint.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
    return true;
  } catch (e) {
    const name = awsErrorName(e);
    if (name === 'BucketAlreadyOwnedByYou') return false;
    if (name === 'BucketAlreadyExists') {
      throw failure(`bucket ${w.bucket}: the name is taken by another account; set platform.bucket in config to another name`, e, 'bucket-taken');
    }
    fail(w, e, `create bucket ${w.bucket}`);
  }
}

export async function ensureBucket(aws: Aws, config: Config, onStep: (msg: string) => void = () => {}): Promise<EnsureBucketResult> {
  const w = where(aws, config);
  const s3 = aws.sdk.s3;
  const created = (await exists(w)) ? false : await create(w);
  onStep(created ? `created bucket ${w.bucket} in ${aws.region}` : `bucket ${w.bucket} exists`);
  const Bucket = w.bucket;
  const settings: [string, () => Promise<unknown>][] = [
    [
      'block public access',
      () =>
        aws.s3.send(
          new s3.PutPublicAccessBlockCommand({
            Bucket,
            PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
          }),
        ),
    ],
    [
      'default encryption (SSE-S3)',
      () =>
        aws.s3.send(
          new s3.PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
          }),
        ),
    ],
    ['versioning', () => aws.s3.send(new s3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }))],
    ['TLS-only policy', () => aws.s3.send(new s3.PutBucketPolicyCommand({ Bucket, Policy: tlsOnlyPolicy(Bucket, aws.region) }))],
    ['tags', () => aws.s3.send(new s3.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tags({ platform: config.platform.name }) } }))],
  ];
  for (const [what, apply] of settings) {
    try {
      await apply();
    } catch (e) {
      fail(w, e, `bucket ${Bucket}: set ${what}`);
    }
    onStep(`${what}: on`);
  }
  return { bucket: Bucket, region: aws.region, created, settings: settings.map(([what]) => what) };
}

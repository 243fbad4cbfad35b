/**
 * The config bucket: private (public access blocked), encrypted by default (SSE-S3),
 * versioned, TLS-only (a policy denies aws:SecureTransport=false), tagged. ensureBucket
 * creates it when missing and (re)applies every setting, so running it again is harmless.
 */
import type { Aws } from '../aws/client';
import * as s3 from '../aws/s3';
import { envAccounts, type Config } from '../config/model';
import { message, type Events } from '../events';
import { tags } from '../naming';

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

/**
 * `readers`: accounts of environments that live in their own account. CloudFormation there
 * reads the env and app templates from this bucket (the stack's TemplateURL) with the caller's
 * credentials, so the bucket lets those accounts read the templates, and nothing else.
 */
export function tlsOnlyPolicy(bucket: string, region: string, readers: string[] = []): string {
  const arn = `arn:${partition(region)}:s3:::${bucket}`;
  const read = readers.length
    ? [{ Sid: 'EnvironmentAccountsReadTemplates', Effect: 'Allow', Principal: { AWS: readers.map((a) => `arn:${partition(region)}:iam::${a}:root`) }, Action: 's3:GetObject', Resource: `${arn}/templates/*` }]
    : [];
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
      ...read,
    ],
  });
}

/** `events` gets one step event per setting (a plain callback still works and gets the message). */
export async function ensureBucket(aws: Aws, config: Config, events: Events | ((msg: string) => void) = () => {}): Promise<EnsureBucketResult> {
  const onStep = typeof events === 'function' ? events : (text: string) => events.emit(message('step', 'bootstrap.bucket.setting', {}, text));
  const Bucket = config.platform.bucket;
  const created = (await s3.bucketExists(aws, Bucket)) ? false : await s3.createBucket(aws, Bucket);
  onStep(created ? `created bucket ${Bucket} in ${aws.region}` : `bucket ${Bucket} exists`);
  const set = s3.bucketSettings;
  const readers = envAccounts(config);
  const settings: [string, (action: string) => Promise<void>][] = [
    ['block public access', (a) => set.blockPublicAccess(aws, Bucket, a)],
    ['default encryption (SSE-S3)', (a) => set.defaultEncryption(aws, Bucket, a)],
    ['versioning', (a) => set.versioning(aws, Bucket, a)],
    [readers.length ? `TLS-only policy (templates readable by ${readers.join(', ')})` : 'TLS-only policy', (a) => set.policy(aws, Bucket, tlsOnlyPolicy(Bucket, aws.region, readers), a)],
    ['tags', (a) => set.tags(aws, Bucket, tags({ platform: config.platform.name }), a)],
  ];
  for (const [what, apply] of settings) {
    await apply(`bucket ${Bucket}: set ${what}`);
    onStep(`${what}: on`);
  }
  return { bucket: Bucket, region: aws.region, created, settings: settings.map(([what]) => what) };
}

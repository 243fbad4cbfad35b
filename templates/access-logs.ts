/**
 * The load balancer's access logs: an S3 bucket the env stack owns (encrypted, private, TLS
 * only, expiring) and kept when the stack is deleted, with the policy that lets Elastic Load
 * Balancing write to it.
 */
import type { Ids } from '../src/naming';
import { getAtt, join, keep, partitionArn, ref, sub, tagged, type Resource, type Value } from './cfn';

export const ACCESS_LOG_DAYS = 90;

/**
 * Regions opened before August 2022 deliver access logs as the regional Elastic Load Balancing
 * account; newer regions as the log-delivery service principal.
 */
export const ELB_ACCOUNTS: Record<string, string> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
  'cn-north-1': '638102146993',
  'cn-northwest-1': '037604701340',
};
export const LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

export function logDeliveryPrincipal(region: string): Record<string, Value> {
  const account = ELB_ACCOUNTS[region];
  return account ? { AWS: partitionArn(`iam::${account}:root`) } : { Service: LOG_DELIVERY_SERVICE };
}

export function accessLogBucket(ids: Ids, region: string): Record<string, Resource> {
  const bucketArn = getAtt('LogBucket', 'Arn');
  return {
    LogBucket: keep(
      tagged('AWS::S3::Bucket', ids, {
        // Access logs support only S3-managed keys.
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [{ Id: 'expire-access-logs', Status: 'Enabled', ExpirationInDays: ACCESS_LOG_DAYS, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        },
      }),
    ),
    LogBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref('LogBucket'),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'LoadBalancerAccessLogs',
              Effect: 'Allow',
              Principal: logDeliveryPrincipal(region),
              Action: 's3:PutObject',
              Resource: sub('${LogBucket.Arn}/AWSLogs/${AWS::AccountId}/*'),
            },
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, join('', [bucketArn, '/*'])],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}

/** Load-balancer attributes that send its access logs to the bucket. */
export const accessLogAttributes = (): Value[] => [
  { Key: 'access_logs.s3.enabled', Value: 'true' },
  { Key: 'access_logs.s3.bucket', Value: ref('LogBucket') },
];

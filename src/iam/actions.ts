/**
 * From an SDK operation to its IAM action: `<service prefix>:<Operation>`, with the few
 * operations whose action has another name. `svc` is the key the code uses in
 * `aws.sdk.<svc>` (src/aws/sdk.ts).
 */
export const SERVICE_PREFIX: Record<string, string> = {
  cfn: 'cloudformation',
  s3: 's3',
  ecs: 'ecs',
  route53: 'route53',
  rds: 'rds',
  secrets: 'secretsmanager',
  logs: 'logs',
  cloudwatch: 'cloudwatch',
  ecr: 'ecr',
  efs: 'elasticfilesystem',
  sts: 'sts',
  acm: 'acm',
  sns: 'sns',
  elbv2: 'elasticloadbalancing',
  iam: 'iam',
  // SES v2's API actions share SES's prefix (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html)
  sesv2: 'ses',
  codebuild: 'codebuild',
};

/** Operations whose IAM action is not named after them. */
export const ACTION_EXCEPTIONS: Record<string, string[]> = {
  's3.HeadBucket': ['s3:ListBucket'],
  's3.HeadObject': ['s3:GetObject'],
  's3.ListObjectsV2': ['s3:ListBucket'],
  's3.ListObjects': ['s3:ListBucket'],
  's3.ListObjectVersions': ['s3:ListBucketVersions'],
  's3.DeleteObjects': ['s3:DeleteObject'],
  's3.PutBucketEncryption': ['s3:PutEncryptionConfiguration'],
  's3.GetBucketEncryption': ['s3:GetEncryptionConfiguration'],
  's3.PutPublicAccessBlock': ['s3:PutBucketPublicAccessBlock'],
  's3.GetPublicAccessBlock': ['s3:GetBucketPublicAccessBlock'],
  's3.PutBucketLifecycleConfiguration': ['s3:PutLifecycleConfiguration'],
  's3.GetBucketLifecycleConfiguration': ['s3:GetLifecycleConfiguration'],
  // GetObject with a VersionId (restoring a release record) is s3:GetObjectVersion.
  's3.GetObject': ['s3:GetObject', 's3:GetObjectVersion'],
  'logs.StartLiveTail': ['logs:StartLiveTail'],
  'ecs.ExecuteCommand': ['ecs:ExecuteCommand'],
};

/** The IAM actions one SDK operation needs; throws for a service with no prefix (add it above). */
export function iamActions(svc: string, op: string): string[] {
  const key = `${svc}.${op}`;
  if (ACTION_EXCEPTIONS[key]) return ACTION_EXCEPTIONS[key];
  const prefix = SERVICE_PREFIX[svc];
  if (!prefix) throw new Error(`aws.sdk.${svc}: no IAM service prefix; add "${svc}" to SERVICE_PREFIX in src/iam/actions.ts`);
  return [`${prefix}:${op}`];
}

/**
 * The permissions boundary of every role the env and app stacks create (a managed policy of the
 * platform stack, under the platform's IAM path). The service role may create and change roles
 * only with it attached, so no template, whoever wrote it, makes a role that can do more than
 * this: run tasks and instances, pull images, write logs, open ECS Exec channels, mount EFS, and
 * read the platform's own secrets and the ones config names, send mail as the account's SES
 * identities through the platform's configuration sets. No IAM writes, no data stores.
 */
import type { Config } from '../config/model';
import { emailConfigurationSet, TAG_PLATFORM } from '../naming';
import { serviceRoleOnlyToCloudFormation, type Statement } from './document';
import { scopeArns, type Where } from './scopes';

/** The secrets config names (app secrets, external database admin secrets): Secrets Manager ARNs and SSM parameters. */
export function configuredSecretRefs(config: Config): string[] {
  const refs = [
    ...Object.values(config.apps).flatMap((a) => Object.values(a.secrets)),
    ...Object.values(config.environments).flatMap((e) => (e.database.type === 'external' && e.database.adminSecretArn ? [e.database.adminSecretArn] : [])),
  ];
  return [...new Set(refs)].sort();
}

/** What pushing an image takes (ECR's image-push-iam page): the builder role's own grant, and the boundary's. */
export const BUILDER_PUSH_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:GetDownloadUrlForLayer', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'];
/** What CodeBuild's S3 source reads with the project role (the service role example of setting-up-service-role). */
export const BUILDER_SOURCE_ACTIONS = ['s3:GetBucketAcl', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion'];

const secretBase = (arn: string) => arn.split(':').slice(0, 7).join(':');

export function boundaryStatements(where: Where, secretRefs: string[]): Statement[] {
  const arn = (service: string, resource: string) => `arn:${where.partition}:${service}:${where.region}:${where.account}:${resource}`;
  const sm = secretRefs.filter((r) => /^arn:[^:]+:secretsmanager:/.test(r)).flatMap((r) => [secretBase(r), `${secretBase(r)}-??????`]);
  const ssm = secretRefs.filter((r) => !/^arn:[^:]+:secretsmanager:/.test(r)).map((r) => (r.startsWith('/') ? arn('ssm', `parameter${r}`) : r));
  return [
    {
      Sid: 'RunTasksAndInstances',
      Effect: 'Allow',
      Action: [
        // AmazonEC2ContainerServiceforEC2Role, AmazonECSTaskExecutionRolePolicy, AmazonSSMManagedInstanceCore, the cron rules' RunTask
        'ec2:DescribeTags', 'ec2messages:*', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer',
        'ecs:CreateCluster', 'ecs:DeregisterContainerInstance', 'ecs:DiscoverPollEndpoint', 'ecs:Poll', 'ecs:RegisterContainerInstance', 'ecs:RunTask', 'ecs:StartTelemetrySession',
        'ecs:Submit*', 'ecs:TagResource', 'ecs:UpdateContainerInstancesState', 'elasticfilesystem:ClientMount', 'elasticfilesystem:ClientRootAccess', 'elasticfilesystem:ClientWrite',
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'ssm:DescribeAssociation', 'ssm:DescribeDocument',
        'ssm:GetDeployablePatchSnapshotForInstance', 'ssm:GetDocument', 'ssm:GetManifest', 'ssm:ListAssociations', 'ssm:ListInstanceAssociations', 'ssm:PutComplianceItems',
        'ssm:PutConfigurePackageResult', 'ssm:PutInventory', 'ssm:UpdateAssociationStatus', 'ssm:UpdateInstanceAssociationStatus', 'ssm:UpdateInstanceInformation', 'ssmmessages:*',
      ],
      Resource: ['*'],
    },
    {
      Sid: 'ReadPlatformSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: [...scopeArns('secrets', where), ...scopeArns('generatedSecrets', where), ...sm],
    },
    {
      Sid: 'ReadPlatformSecretsKeptBeforeTheNamespace',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: scopeArns('legacySecrets', where),
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_PLATFORM}`]: where.platform } },
    },
    { Sid: 'ReadParameters', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: [...scopeArns('amiParameters', where), ...ssm] },
    {
      Sid: 'DecryptThroughSecretStores',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: ['*'],
      Condition: { StringLike: { 'kms:ViaService': [`secretsmanager.${where.region}.amazonaws.com`, `ssm.${where.region}.amazonaws.com`] } },
    },
    {
      // The infrastructure role of a blue/green, canary or linear web service (templates/app-deployment.ts):
      // the actions of AWS's managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers, which
      // ECS uses to register the new tasks and move the listener rules' weights.
      // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
      Sid: 'ShiftLoadBalancerTraffic',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:RegisterTargets',
      ],
      Resource: ['*'],
    },
    {
      // Apps with email (task roles) and their SMTP users send as an identity of the account, through
      // the platform's configuration sets (cyclops-<platform>-<env>): each role or user's own policy
      // names its environment's identity. Both resource types of SendEmail and SendRawEmail, in any
      // region an environment may use (Service Authorization Reference, Amazon SES:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonses.html).
      Sid: 'SendMailAsPlatformIdentities',
      Effect: 'Allow',
      Action: ['ses:SendEmail', 'ses:SendRawEmail'],
      Resource: [`arn:${where.partition}:ses:*:${where.account}:identity/*`, `arn:${where.partition}:ses:*:${where.account}:configuration-set/${emailConfigurationSet(where.platform, '*')}`],
    },
    {
      // The remote builder (`bootstrap --remote-builder`): its CodeBuild role reads the build
      // contexts cyclops uploads and pushes to the platform's repositories (ECR's "Pushing an
      // image" permissions: https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html;
      // CodeBuild's S3 source: https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html).
      Sid: 'BuildImages',
      Effect: 'Allow',
      Action: [...BUILDER_PUSH_ACTIONS, ...BUILDER_SOURCE_ACTIONS],
      Resource: [...scopeArns('repositories', where), ...scopeArns('buildContexts', where), ...scopeArns('bucket', where)],
    },
    { Sid: 'PassPlatformRolesToTasks', Effect: 'Allow', Action: ['iam:PassRole'], Resource: scopeArns('roles', where), Condition: { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } } },
    serviceRoleOnlyToCloudFormation('ServiceRoleOnlyToCloudFormation', scopeArns('serviceRole', where)),
  ];
}

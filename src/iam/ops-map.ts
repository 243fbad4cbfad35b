/**
 * Every SDK operation cyclops calls (each SDK command src/aws constructs, as "<svc>.<Op>"), the
 * policy levels whose commands need it, and the resources it touches. The operator policies
 * (`cyclops iam-policy`) are built from this table; test/unit/iam-coverage.test.ts fails when
 * src/aws calls an operation that is not here, so no SDK call lands without its policy line.
 *
 *   admin   bootstrap, env create / update / delete
 *   deploy  deploy (previews too), promote, rollback, scale, vars, secrets, logs, run, destroy, notify test: what CI gets
 *   read    status, ps, metrics, env status, list, logs, releases, images
 */
import type { Scope } from './scopes';

export type Level = 'admin' | 'deploy' | 'read';
export const LEVELS: Level[] = ['admin', 'deploy', 'read'];

/**
 * Scopes only operators use: the config bucket's objects by who writes them, database admin
 * secrets, every cyclops secret name, namespaced or from before the namespace (DescribeSecret
 * alone), and the roles of environments in their own accounts. ECS: the platform's clusters,
 * services, tasks and task definitions in one statement (platformEcs: each ECS action applies
 * only to its own resource types, so one list of the four costs nothing in reach and keeps the
 * deploy policy within one managed policy), and what a create may tag (ecsCreated: the new
 * task definitions and tasks only, never an existing cluster or service).
 */
export type OperatorScope =
  | Scope
  | 'readObjects'
  | 'writeObjects'
  | 'masterSecrets'
  | 'platformFileSystems'
  | 'secretNames'
  | 'environmentRoles'
  | 'platformCertificates'
  | 'platformEcs'
  | 'ecsCreated'
  | 'smtpUsers'
  | 'smtpUserLookups'
  | 'boundedSmtpUsers';

export interface OperationUse {
  levels: Level[];
  scopes: OperatorScope[];
}

const ALL: Level[] = ['admin', 'deploy', 'read'];
const WRITE: Level[] = ['admin', 'deploy'];
/** what app commands use (deploy, domains, status), not bootstrap or env */
const APP: Level[] = ['deploy', 'read'];
const use = (levels: Level[], ...scopes: OperatorScope[]): OperationUse => ({ levels, scopes });

export const SDK_OPERATIONS: Record<string, OperationUse> = {
  // ---- CloudFormation: env and app stacks run as the service role, so these are all cyclops needs
  'cfn.DescribeStacks': use(ALL, 'any'), // listing (apps list, env list) reads every stack: no resource narrows it
  'cfn.DescribeStackEvents': use(ALL, 'stacks'),
  'cfn.ListStackResources': use(ALL, 'stacks'),
  'cfn.CreateStack': use(WRITE, 'stacks'),
  'cfn.DeleteStack': use(WRITE, 'stacks'),
  'cfn.CancelUpdateStack': use(WRITE, 'stacks'),
  // only bootstrap (admin) moves stacks onto the service role under the platform's path (src/stacks/role.ts)
  'cfn.UpdateStack': use(['admin'], 'stacks'),
  'cfn.CreateChangeSet': use(WRITE, 'stacks'),
  'cfn.DescribeChangeSet': use(WRITE, 'stacks'),
  'cfn.ExecuteChangeSet': use(WRITE, 'stacks'),
  'cfn.DeleteChangeSet': use(WRITE, 'stacks'),
  // ci show (read) reads the CI roles' trusts from the platform stack's template; templates hold no secret
  'cfn.GetTemplate': use(ALL, 'stacks'),
  'cfn.ListImports': use(['admin'], 'any'), // exports are env-stack outputs; ListImports names no resource
  // ---- the config bucket
  's3.CreateBucket': use(['admin'], 'bucket'),
  's3.PutBucketEncryption': use(['admin'], 'bucket'),
  's3.PutBucketPolicy': use(['admin'], 'bucket'),
  's3.PutBucketTagging': use(['admin'], 'bucket'),
  's3.PutBucketVersioning': use(['admin'], 'bucket'),
  's3.PutPublicAccessBlock': use(['admin'], 'bucket'),
  's3.HeadBucket': use(ALL, 'bucket'),
  's3.ListObjectsV2': use(ALL, 'bucket'),
  's3.ListObjectVersions': use(ALL, 'bucket'),
  's3.GetObject': use(ALL, 'readObjects'),
  's3.HeadObject': use(ALL, 'readObjects'),
  's3.PutObject': use(WRITE, 'writeObjects'),
  's3.DeleteObject': use(WRITE, 'writeObjects'),
  's3.DeleteObjects': use(WRITE, 'writeObjects'), // a port allocation deletes the requests it served (s3:DeleteObject per key)
  // ---- ECS: rollouts, restarts and one-off tasks (database admin, run)
  'ecs.DescribeServices': use(ALL, 'platformEcs'),
  'ecs.UpdateService': use(WRITE, 'platformEcs'),
  'ecs.DescribeTaskDefinition': use(WRITE, 'any'), // no resource-level permissions
  // the new revision's task-definition ARN, tags in aws:RequestTag (Service Authorization Reference, ECS, above)
  'ecs.RegisterTaskDefinition': use(WRITE, 'platformEcs'),
  'ecs.RunTask': use(WRITE, 'platformEcs'),
  'ecs.StopTask': use(WRITE, 'platformEcs'),
  // ps (read) lists a service's running and stopped tasks; exec picks a running one. Service
  // Authorization Reference, ECS (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html):
  // DescribeTasks is Read on task*; ListTasks is List on container-instance*, which names no task, so "*".
  'ecs.DescribeTasks': use(ALL, 'platformEcs'),
  'ecs.ListTasks': use(ALL, 'any'),
  // blue/green, canary and linear deploys (src/aws/service-deployments.ts): the service's
  // deployments are service-deployment/<cluster>/<service>/<id> resources, listed per service;
  // ECS names no narrower resource for the describe and stop than the deployment ARN deploy just read.
  'ecs.ListServiceDeployments': use(WRITE, 'platformEcs'),
  'ecs.DescribeServiceDeployments': use(WRITE, 'any'),
  'ecs.StopServiceDeployment': use(WRITE, 'any'),
  // the production rule's live weights (src/ops/traffic.ts); DescribeRules has no resource-level permissions
  'elbv2.DescribeRules': use(WRITE, 'any'),
  // ---- ECR: deploy resolves a tag to its digest and tags the release's image (cyclops-<env>-<n>);
  // images lists a repository's images and reads their manifests; env show names the repositories
  'ecr.DescribeImages': use(ALL, 'repositories'),
  'ecr.BatchGetImage': use(ALL, 'repositories'),
  // deploy reads a single-platform image's config blob for its architecture
  'ecr.GetDownloadUrlForLayer': use(ALL, 'repositories'),
  'ecr.PutImage': use(WRITE, 'repositories'),
  // deploy --build: the app's repository URI, and a login for the builder's push (GetAuthorizationToken
  // names no resource: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html)
  'ecr.DescribeRepositories': use(ALL, 'repositories'),
  'ecr.GetAuthorizationToken': use(WRITE, 'any'),
  // ---- CodeBuild: deploy --build --remote starts a build of the platform's builder project for the
  // app's architecture, follows it and stops it on Ctrl-C. Service Authorization Reference, AWS CodeBuild
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodebuild.html): StartBuild,
  // BatchGetBuilds and StopBuild take the project resource, so only "<platform>-builder-*". The project
  // itself is made by the platform stack (bootstrap --remote-builder: admin, platformStackGrants).
  'codebuild.StartBuild': use(WRITE, 'builderProjects'),
  'codebuild.BatchGetBuilds': use(WRITE, 'builderProjects'),
  'codebuild.StopBuild': use(WRITE, 'builderProjects'),
  // ---- EFS: destroy names the file systems an app keeps, and deletes them with --delete-volumes
  'efs.DescribeFileSystems': use(WRITE, 'any'),
  'efs.DescribeMountTargets': use(WRITE, 'any'),
  // only file systems tagged with this platform (aws:ResourceTag); mount targets are authorised on their file system
  'efs.DeleteMountTarget': use(WRITE, 'platformFileSystems'),
  'efs.DeleteFileSystem': use(WRITE, 'platformFileSystems'),
  // ---- CloudWatch Logs: deploy makes the app's log group (it outlives the stack); logs and run read it
  'logs.CreateLogGroup': use(WRITE, 'logGroups'),
  'logs.PutRetentionPolicy': use(WRITE, 'logGroups'),
  'logs.FilterLogEvents': use(ALL, 'logGroups'),
  // ---- retained resources (src/ops/adopt.ts): before a stack is created or a resource added back, bootstrap
  // and env create look up the named resources an earlier stack kept, so the change set imports them
  // (ecr.DescribeRepositories above covers the repositories). Deploy has them too: an environment in its own
  // account is created with the deploy role there (src/ops/env-account.ts). Service Authorization Reference, CloudWatch
  // Logs (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html):
  // DescribeLogGroups is List with no resource type, so "*".
  'logs.DescribeLogGroups': use(WRITE, 'any'),
  // ---- CloudWatch: status reads the web service's deployment alarms (cyclops-<platform>-<env>-<app>-web-*)
  'cloudwatch.DescribeAlarms': use(ALL, 'alarms'),
  // metrics reads the app's ECS and load balancer metrics. Service Authorization Reference, CloudWatch
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html):
  // GetMetricData is Read with no resource type, so "*". Not in admin's policy: that one is at a
  // managed policy's 6,144-character limit; an admin who watches apps attaches the read policy too.
  'cloudwatch.GetMetricData': use(['deploy', 'read'], 'any'),
  // ---- SNS: notify test publishes to the environment's notification topic (<platform>-<env>-notifications, or the <platform>-… topic config names)
  'sns.Publish': use(WRITE, 'topics'),
  // ---- Secrets Manager: app secrets and database logins (cyclops/<platform>/<env>/<app>/...) and the admin secret
  'secrets.CreateSecret': use(WRITE, 'secrets'),
  'secrets.PutSecretValue': use(WRITE, 'secrets'),
  'secrets.UpdateSecretVersionStage': use(WRITE, 'secrets'),
  'secrets.DeleteSecret': use(WRITE, 'secrets', 'legacySecrets'),
  'secrets.RestoreSecret': use(WRITE, 'secrets', 'legacySecrets'),
  // A legacy name (cyclops/<env>/<app>/...) is looked up before anything moves, and usually does
  // not exist: a secret that does not exist has no tags, so under legacySecrets' aws:ResourceTag
  // condition the lookup is AccessDenied, not ResourceNotFound, and the first deploy with a database
  // fails. DescribeSecret returns metadata, never the value; cyclops reads, deletes or restores a
  // legacy secret only when its tags name this platform, and those actions keep the condition.
  // A legacy name cannot be told from another platform's namespace by pattern: cyclops/* covers both.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
  'secrets.DescribeSecret': use(ALL, 'secretNames'),
  // legacy: a login or secret kept before the namespace is read once more when it moves
  'secrets.GetSecretValue': use(WRITE, 'secrets', 'masterSecrets', 'legacySecrets'),
  // ---- ACM: `domains` requests the certificate of an app's domains whose zone is elsewhere; deploy
  // and status read it. Service Authorization Reference, AWS Certificate Manager
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html):
  // RequestCertificate and ListCertificates name no resource type (Resource "*"); DescribeCertificate,
  // ListTagsForCertificate and DeleteCertificate take the certificate resource. Certificate ARNs
  // end in a random id, so the operator's certificates are named by their cyclops:platform tag
  // (aws:ResourceTag) for the one destructive call.
  // No admin command (bootstrap, env) calls ACM or reads records: those rows leave the admin policy
  // out, which stays within a managed policy's 6,144 characters.
  'acm.ListCertificates': use(APP, 'any'),
  'acm.ListTagsForCertificate': use(APP, 'any'),
  'acm.DescribeCertificate': use(APP, 'any'),
  'acm.RequestCertificate': use(['deploy'], 'any'),
  'acm.DeleteCertificate': use(['deploy'], 'platformCertificates'),
  // ---- Route 53: status reads a custom domain's alias record in a zone of the account (zones are
  // the env's or named in config; ListResourceRecordSets takes the hostedzone resource, Service
  // Authorization Reference, Amazon Route 53: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html)
  'route53.ListResourceRecordSets': use(APP, 'any'),
  // env create finds the hosted zone an earlier stack of the environment kept (by name, then its cyclops
  // tags) and reads its name servers. ListHostedZonesByName is List with no resource type; ListTagsForResources
  // and GetHostedZone take hostedzone resources, whose ids cyclops cannot know before it finds them: "*".
  'route53.ListHostedZonesByName': use(WRITE, 'any'),
  'route53.ListTagsForResources': use(WRITE, 'any'),
  'route53.GetHostedZone': use(WRITE, 'any'),
  // ---- IAM: an app's SMTP user (apps.<app>.email.smtp, src/email/smtp-user.ts): deploy makes it with its
  // key, `email rotate` replaces the key, destroy deletes them. Users under the platform's path only
  // (user/cyclops/<platform>/*); the calls that set what a user may do carry iam:PermissionsBoundary and
  // are allowed only with the platform's boundary, as the service role's role actions are (Service
  // Authorization Reference, IAM: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
  // A user's ARN carries its path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns;
  // the Service Authorization Reference's user resource is user/${UserNameWithPath}). A user that does not exist has
  // no path: IAM decides GetUser of it on user/<name>, so the first deploy's "is the SMTP user there?" would be
  // AccessDenied under the path alone. smtpUserLookups names the SMTP users' names at the root path, for GetUser only.
  'iam.GetUser': use(WRITE, 'smtpUsers', 'smtpUserLookups'),
  'iam.CreateUser': use(WRITE, 'boundedSmtpUsers'),
  'iam.PutUserPermissionsBoundary': use(WRITE, 'boundedSmtpUsers'),
  'iam.PutUserPolicy': use(WRITE, 'boundedSmtpUsers'),
  'iam.DeleteUserPolicy': use(WRITE, 'boundedSmtpUsers'),
  'iam.ListUserPolicies': use(WRITE, 'smtpUsers'),
  'iam.DeleteUser': use(WRITE, 'smtpUsers'),
  'iam.ListAccessKeys': use(WRITE, 'smtpUsers'),
  'iam.CreateAccessKey': use(WRITE, 'smtpUsers'),
  'iam.DeleteAccessKey': use(WRITE, 'smtpUsers'),
  // ---- SES v2: env show reads whether the account is in the sandbox (GetAccount names no resource)
  // and the identity's verification and DKIM state (an identity/<domain> resource; domains carry no
  // platform prefix to narrow by). Service Authorization Reference, Amazon SES v2:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html
  'sesv2.GetAccount': use(APP, 'any'),
  'sesv2.GetEmailIdentity': use(APP, 'any'),
  // ---- STS: the account for `iam-policy` and the account guard of environments in their own
  // account (always allowed; listed so the table stays complete), and the roles of those environments
  'sts.GetCallerIdentity': use(ALL, 'any'),
  'sts.AssumeRole': use(ALL, 'environmentRoles'),
};

/**
 * What AWS requires beyond the IAM action of the call itself, each with the page that says so.
 * `exec` runs `aws ecs execute-command` (the AWS CLI and the Session Manager plugin), so its
 * calls are not in src/aws: its row is here.
 */
export interface ExtraRequirement {
  action: string;
  levels: Level[];
  scopes: OperatorScope[];
  because: string;
  doc: string;
}
export const EXTRA_REQUIREMENTS: ExtraRequirement[] = [
  {
    action: 'logs:TagResource',
    levels: WRITE,
    scopes: ['logGroups'],
    because: 'deploy creates the app log group with tags (CreateLogGroup with tags)',
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  },
  {
    action: 'ecs:TagResource',
    levels: WRITE,
    scopes: ['ecsCreated'],
    because: 'RegisterTaskDefinition and RunTask with tags (one-off tasks, database admin) are tag-on-create',
    doc: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html',
  },
  {
    action: 'secretsmanager:TagResource',
    levels: WRITE,
    scopes: ['secrets'],
    because: 'CreateSecret with tags (secrets set, database logins)',
    doc: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html',
  },
  {
    action: 'iam:TagUser',
    levels: ['deploy'],
    scopes: ['smtpUsers'],
    because: "deploy creates an app's SMTP user with its cyclops tags (CreateUser with Tags)",
    doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_users.html',
  },
  {
    action: 'acm:AddTagsToCertificate',
    levels: ['deploy'],
    scopes: ['any'],
    because: 'domains requests the certificate with its cyclops tags (RequestCertificate with Tags); ACM authorises the tags as AddTagsToCertificate on the new certificate',
    doc: 'https://docs.aws.amazon.com/acm/latest/userguide/tags.html',
  },
  {
    action: 'ecs:ExecuteCommand',
    levels: WRITE,
    scopes: ['platformEcs'],
    because: 'cyclops exec runs "aws ecs execute-command"; the Session Manager plugin then uses the session ExecuteCommand returns and needs no permission of its own',
    doc: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html',
  },
  {
    action: 'ec2:DeleteNetworkInterface',
    levels: WRITE,
    scopes: ['any'],
    because: "DeleteMountTarget (destroy --delete-volumes) deletes the mount target's network interface with the caller's permissions; ENIs are named by id only",
    doc: 'https://docs.aws.amazon.com/efs/latest/ug/API_DeleteMountTarget.html',
  },
  // the push runs in the container builder (docker, podman, buildah) with the login cyclops gives it
  ...['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability'].map((action) => ({
    action,
    levels: WRITE,
    scopes: ['repositories'] as OperatorScope[],
    because: 'deploy --build pushes the image it built to the app repository (the builder calls the registry API with the GetAuthorizationToken login)',
    doc: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html',
  })),
];

/** Operations AWS allows without any policy: left out of the documents. */
export const ALWAYS_ALLOWED = ['sts:GetCallerIdentity'];

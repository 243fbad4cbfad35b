/**
 * The resources a policy statement may name, by kind. One table serves both policies: the
 * CloudFormation service role (rendered inside the platform template, with pseudo parameters)
 * and the operator's policies (`cyclops iam-policy`, with the account and region filled in).
 * Names follow src/naming.ts: stacks, clusters, roles and generated physical names all start
 * with "<platform>-"; log groups live under /cyclops/<platform>/; secrets under cyclops/<platform>/; alarms
 * start with "cyclops-<platform>-".
 */
import { GITHUB_OIDC_HOST } from '../ci/github';
import { alarmName, boundaryPolicyName, BUILDS_PREFIX, builderLogGroup, builderProject, builderRole, capacityProviderName, cfnServiceRole, ciRolePath, clusterName, ecrRepository, iamPath, legacyCfnServiceRole, logGroup } from '../naming';

/** Where a policy applies. Template rendering passes "${AWS::Partition}" and friends. */
export interface Where {
  partition: string;
  region: string;
  account: string;
  platform: string;
  bucket: string;
  /**
   * More regions of the same account the policy covers: those of environments in the platform's
   * account but another region (`environments.<env>.aws: {region}`). IAM is global, so one role
   * serves them all; its regional ARNs are repeated for each.
   */
  otherRegions?: string[];
}

export type Scope =
  | 'any'
  | 'stacks'
  | 'bucket'
  | 'objects'
  | 'buckets'
  | 'bucketObjects'
  | 'roles'
  | 'serviceRole'
  | 'legacyServiceRole'
  | 'ciRoles'
  | 'platformRoles'
  | 'githubOidcProvider'
  | 'boundary'
  | 'serviceLinkedRoles'
  | 'capacityProviders'
  | 'instanceProfiles'
  | 'policies'
  | 'logGroups'
  | 'repositories'
  | 'secrets'
  | 'generatedSecrets'
  | 'legacySecrets'
  | 'clusters'
  | 'services'
  | 'tasks'
  | 'taskDefinitions'
  | 'rules'
  | 'alarms'
  | 'topics'
  | 'amiParameters'
  | 'builderProjects'
  | 'builderRole'
  | 'builderLogs'
  | 'buildContexts';

const star = (name: string) => `${name}*`;

/** The ARNs of one scope, in `w.region` and each of `w.otherRegions`. */
export function scopeArns(scope: Scope, w: Where): string[] {
  const arns = scopeArnsIn(scope, w);
  if (!w.otherRegions?.length) return arns;
  return [...new Set([...arns, ...w.otherRegions.flatMap((region) => scopeArnsIn(scope, { ...w, region }))])];
}

function scopeArnsIn(scope: Scope, w: Where): string[] {
  const arn = (service: string, resource: string, region = w.region, account = w.account) => `arn:${w.partition}:${service}:${region}:${account}:${resource}`;
  const prefix = `${w.platform}-`;
  switch (scope) {
    case 'any':
      return ['*'];
    case 'stacks':
      // "<platform>-*" covers the platform, env and app stacks; the trailing /* is the stack id.
      return [arn('cloudformation', `stack/${star(prefix)}/*`)];
    case 'bucket':
      return [arn('s3', w.bucket, '', '')];
    case 'objects':
      return [arn('s3', `${w.bucket}/*`, '', '')];
    case 'buckets':
      return [arn('s3', star(prefix), '', '')];
    case 'bucketObjects':
      return [arn('s3', `${star(prefix)}/*`, '', '')];
    case 'roles':
      // the path, not the name: "/cyclops/acme/*" never matches acme-eu's roles
      return [arn('iam', `role${iamPath(w.platform)}*`, '')];
    case 'serviceRole':
      return [arn('iam', `role${iamPath(w.platform)}${cfnServiceRole(w.platform)}`, '')];
    case 'legacyServiceRole':
      // the service role of earlier versions, at path "/": only admin may remove it (src/iam/operator.ts)
      return [arn('iam', `role/${legacyCfnServiceRole(w.platform)}`, '')];
    case 'ciRoles':
      return [arn('iam', `role${ciRolePath(w.platform)}*`, '')];
    case 'platformRoles':
      // what IAM the platform stack itself makes: the service role, the CI deploy roles and
      // GitHub's OIDC provider (one statement: each action applies only to its own resource type)
      return [...scopeArns('serviceRole', w), ...scopeArns('builderRole', w), ...scopeArns('ciRoles', w), ...scopeArns('githubOidcProvider', w)];
    case 'githubOidcProvider':
      return [arn('iam', `oidc-provider/${GITHUB_OIDC_HOST}`, '')];
    case 'boundary':
      return [arn('iam', `policy${iamPath(w.platform)}${boundaryPolicyName(w.platform)}`, '')];
    case 'serviceLinkedRoles':
      return [arn('iam', 'role/aws-service-role/*', '')];
    case 'policies':
      return [arn('iam', `policy${iamPath(w.platform)}*`, '')];
    case 'instanceProfiles':
      return [arn('iam', `instance-profile${iamPath(w.platform)}*`, '')];
    case 'capacityProviders':
      return [arn('ecs', `capacity-provider/${capacityProviderName(w.platform, '*')}`)];
    case 'logGroups': {
      const group = logGroup(w.platform, '*', '').replace(/\*\/$/, '*');
      return [arn('logs', `log-group:${group}`), arn('logs', `log-group:${group}:*`)];
    }
    case 'repositories':
      return [arn('ecr', `repository/${ecrRepository(w.platform, '*')}`)];
    case 'secrets':
      // the platform's own namespace: acme never reaches acme-eu's secrets
      return [arn('secretsmanager', `secret:cyclops/${w.platform}/*`)];
    case 'legacySecrets':
      // secrets kept before the namespace (cyclops/<env>/<app>/...): only with this platform's tag (statements add the condition)
      return [arn('secretsmanager', 'secret:cyclops/*')];
    case 'generatedSecrets':
      // Secrets the templates create without a name (the Redis AUTH token) and RDS's own master
      // secret ("rds!db-<id>", which RDS creates with the stack's role). Never the apps' secrets.
      return [arn('secretsmanager', 'secret:RedisAuthSecret-*'), arn('secretsmanager', 'secret:rds!db-*')];
    case 'clusters':
      return [arn('ecs', `cluster/${clusterName(w.platform, '*')}`)];
    case 'services':
      return [arn('ecs', `service/${clusterName(w.platform, '*')}/*`)];
    case 'tasks':
      return [arn('ecs', `task/${clusterName(w.platform, '*')}/*`)];
    case 'taskDefinitions':
      return [arn('ecs', `task-definition/${star(prefix)}:*`)];
    case 'rules':
      return [arn('events', `rule/${star(prefix)}`)];
    case 'alarms':
      // the web services' deployment alarms: cyclops-<platform>-<env>-<app>-web-<what>
      return [arn('cloudwatch', `alarm:${alarmName(w.platform, '*', '*', '*')}`)];
    case 'topics':
      // the environments' notification topics: <platform>-<env>-notifications, or one config names (it must start with "<platform>-")
      return [arn('sns', star(prefix))];
    case 'builderProjects':
      // the remote builder's CodeBuild projects (one per architecture) and their builds (build ids are "<project>:<uuid>")
      return [arn('codebuild', `project/${builderProject(w.platform, 'arm64').replace(/arm64$/, '*')}`)];
    case 'builderRole':
      return [arn('iam', `role${iamPath(w.platform)}${builderRole(w.platform)}`, '')];
    case 'builderLogs':
      return [arn('logs', `log-group:${builderLogGroup(w.platform)}`), arn('logs', `log-group:${builderLogGroup(w.platform)}:*`)];
    case 'buildContexts':
      return [arn('s3', `${w.bucket}/${BUILDS_PREFIX}*`, '', '')];
    case 'amiParameters':
      // AWS's public parameters (no account in their ARN; "*" matches it)
      return [arn('ssm', 'parameter/aws/service/ecs/*', w.region, '*')];
  }
}


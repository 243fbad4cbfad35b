/**
 * The operator's policy documents (`cyclops iam-policy`), one per level, built from
 * SDK_OPERATIONS (src/iam/ops-map.ts) and the scopes in src/iam/scopes.ts. Env and app stacks
 * run as the CloudFormation service role, so no level needs create rights on VPCs, RDS and
 * the rest: only admin, who runs the platform stack with its own credentials, creates the ECR
 * repositories and the service role itself.
 */
import { homeAccountRegions, type Config } from '../config/model';
import { alarmName, BUILDS_PREFIX, envReadRoleArn, iamPath, lockKey, PORTS_KEY, portRequestKey, releaseKey, settingsKey, TAG_PLATFORM, templatePrefix } from '../naming';
import { iamActions } from './actions';
import { mergeSameResources, pack, passRoleStatement, serviceRoleOnlyToCloudFormation, statementsByScope, type PolicyDocument, type Statement } from './document';
import { ALWAYS_ALLOWED, EXTRA_REQUIREMENTS, SDK_OPERATIONS, type Level, type OperatorScope } from './ops-map';
import { grantsFor, HANDLER_DATA } from './resource-actions';
import { PLATFORM_ONLY_TYPES } from './service-role';
import { scopeArns, type Scope, type Where } from './scopes';

export const ACCOUNT_PLACEHOLDER = '<ACCOUNT_ID>';

/** The partition of a region: aws, aws-cn, aws-us-gov. */
export const partitionOf = (region: string) => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** `otherRegions`: those of the environments in the home account besides `region` (none: the key is left out). */
export function whereFor(config: Config, account: string, region = config.platform.region): Where {
  const otherRegions = homeAccountRegions(config).filter((r) => r !== region);
  return { partition: partitionOf(region), region, account, platform: config.platform.name, bucket: config.platform.bucket, ...(otherRegions.length ? { otherRegions } : {}) };
}

/**
 * Config-bucket keys a deploy-level operator writes: app templates, locks, release records
 * and the ports file with its pending requests. Everything else in the bucket (platform and cluster templates) is admin's.
 */
export function deployObjectKeys(): string[] {
  const wild = (key: string) => key.replace(/\*[^/]*$/, '*');
  return [templatePrefix('app', { platform: '', env: '*', app: '*' }).replace(/\*\/\*\/$/, '*'), wild(lockKey('*', '*')), wild(releaseKey('*', '*')), wild(settingsKey('*', '*')), PORTS_KEY, portRequestKey('*', '*'), `${BUILDS_PREFIX}*`];
}

/** What `iam-policy` looked up in the account: each RDS environment's master secret ARN (its env stack's output). */
export interface Resolved {
  masterSecrets?: Record<string, string>;
}

/** A placeholder for the master secret of an environment whose stack was not read (offline, or not created yet). */
export const masterSecretPlaceholder = (env: string) => `<MASTER_SECRET_ARN_OF_${env}>`;

/**
 * The database admin secrets: each RDS environment's own master secret (never every "rds!" secret
 * of the account), and each external database's admin secret, whose ARN config may give without
 * Secrets Manager's six-character suffix: "-??????" matches it.
 */
function masterSecretArns(config: Config, where: Where, resolved: Resolved): string[] {
  const out = Object.entries(config.environments).flatMap(([env, e]) => {
    if (e.database.type === 'rds') return [resolved.masterSecrets?.[env] ?? masterSecretPlaceholder(env)];
    if (e.database.type === 'external' && e.database.adminSecretArn) return [e.database.adminSecretArn, `${e.database.adminSecretArn}-??????`];
    return [];
  });
  return [...new Set(out)].sort();
}

/**
 * Scopes named "<platform>-*", which also matches another platform whose name starts the same way
 * (acme and acme-eu), and whose service authorises every action cyclops calls on them by tags:
 * a resource tagged with another platform is out of reach, and so is a create that tags one for
 * another platform. cyclops tags every one it creates (templates: tagged(); ECS services propagate
 * theirs to their tasks; RunTask and RegisterTaskDefinition pass the tags). Stack and cluster names
 * allow no delimiter a platform name cannot contain, so tags are the only way to tell them apart.
 * IfExists: a resource that does not exist yet has no tags, and reads carry no request tags.
 * - CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#resource-level-permissions
 * - ECS (aws:ResourceTag on clusters, services, tasks and task definitions; aws:RequestTag on
 *   RunTask, RegisterTaskDefinition and TagResource): https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 *   and https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_service-with-iam.html#security_iam_service-with-iam-tags
 * CloudWatch alarms cannot be told apart by tags (DescribeAlarms takes no condition key): their
 * ARNs name each environment instead (operatorArns).
 */
const TAGGED_BY_PLATFORM: OperatorScope[] = ['stacks', 'platformEcs', 'ecsCreated'];

/** Statement conditions by scope: EFS and ACM deletes and pre-namespace secrets only when tagged with this platform; TAGGED_BY_PLATFORM's. */
const conditionOf = (where: Where) => (scope: OperatorScope): Statement['Condition'] => {
  const tag = TAG_PLATFORM;
  if (scope === 'platformFileSystems' || scope === 'platformCertificates' || scope === 'legacySecrets') return { StringEquals: { [`aws:ResourceTag/${tag}`]: where.platform } };
  if (scope === 'boundedSmtpUsers') return { StringEquals: { 'iam:PermissionsBoundary': scopeArns('boundary', where)[0] } };
  if (TAGGED_BY_PLATFORM.includes(scope)) return { StringEqualsIfExists: { [`aws:ResourceTag/${tag}`]: where.platform, [`aws:RequestTag/${tag}`]: where.platform } };
  return undefined;
};

const regionsOf = (where: Where) => [where.region, ...(where.otherRegions ?? [])];

/**
 * The web services' deployment alarms, environment by environment: DescribeAlarms is authorised
 * on the alarm's ARN alone, with no condition key (Service Authorization Reference, CloudWatch:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html), so
 * "cyclops-acme-*" would cover acme-eu's alarms; "cyclops-acme-staging-*-web-*" does not. Only
 * environments in config: one added later needs `iam-policy` re-applied, as its RDS master secret does.
 */
const alarmArns = (config: Config, where: Where): string[] =>
  Object.keys(config.environments)
    .sort()
    .flatMap((env) => regionsOf(where).map((region) => `arn:${where.partition}:cloudwatch:${region}:${where.account}:alarm:${alarmName(where.platform, env, '*', '*')}`));

function operatorArns(config: Config, where: Where, level: Level, resolved: Resolved): (scope: OperatorScope) => string[] {
  const objects = (keys: string[]) => keys.map((k) => `${scopeArns('bucket', where)[0]}/${k}`);
  return (scope) => {
    switch (scope) {
      case 'readObjects':
        return objects(['*']);
      case 'writeObjects':
        return objects(level === 'admin' ? ['*'] : deployObjectKeys());
      case 'masterSecrets':
        return masterSecretArns(config, where, resolved);
      case 'platformFileSystems':
        return regionsOf(where).map((r) => `arn:${where.partition}:elasticfilesystem:${r}:${where.account}:file-system/*`);
      case 'platformCertificates':
        return regionsOf(where).map((r) => `arn:${where.partition}:acm:${r}:${where.account}:certificate/*`);
      case 'secretNames':
        return scopeArns('legacySecrets', where);
      case 'environmentRoles':
        // read commands take each environment's read role; deploy and admin run read commands too
        return level === 'read' ? environmentReadRoles(config) : [...environmentRoles(config), ...environmentReadRoles(config)].sort();
      case 'alarms':
        return alarmArns(config, where);
      case 'platformEcs':
        return (['clusters', 'services', 'tasks', 'taskDefinitions'] as const).flatMap((s) => scopeArns(s, where));
      case 'ecsCreated':
        return (['tasks', 'taskDefinitions'] as const).flatMap((s) => scopeArns(s, where));
      case 'smtpUserLookups':
        // the SMTP users' names (src/naming.ts smtpUserName) without a path, for GetUser of one not created yet:
        // environments with email only, each "<platform>-<env>-*-smtp" (a name cut to 64 characters keeps its first 50)
        return Object.keys(config.environments)
          .filter((env) => config.environments[env].email)
          .sort()
          .map((env) => {
            const prefix = `${where.platform}-${env}-`.slice(0, 50);
            return `arn:${where.partition}:iam::${where.account}:user/${prefix}*-smtp`;
          });
      case 'smtpUsers':
      case 'boundedSmtpUsers':
        // the apps' SMTP users, under the platform's IAM path (src/naming.ts smtpUserName)
        return [`arn:${where.partition}:iam::${where.account}:user${iamPath(where.platform)}*`];
      default:
        return scopeArns(scope, where);
    }
  };
}

/** The roles cyclops assumes into environments of other accounts (`environments.<env>.aws.roleArn`), sorted. */
export const environmentRoles = (config: Config): string[] =>
  [...new Set(Object.values(config.environments).flatMap((e) => (e.aws?.roleArn ? [e.aws.roleArn] : [])))].sort();

/** The read roles beside them (src/naming.ts envReadRoleArn), which read commands assume, sorted. */
export const environmentReadRoles = (config: Config): string[] => [...new Set(environmentRoles(config).map((arn) => envReadRoleArn(config.platform.name, arn)))].sort();

const LABEL: Record<Level, string> = { admin: 'Admin', deploy: 'Deploy', read: 'Read' };

export function operatorPolicy(config: Config, level: Level, where: Where, resolved: Resolved = {}): PolicyDocument {
  const grants = Object.entries(SDK_OPERATIONS)
    .filter(([, u]) => u.levels.includes(level))
    .flatMap(([key, u]) => {
      const [svc, op] = key.split('.');
      const actions = iamActions(svc, op).filter((a) => !ALWAYS_ALLOWED.includes(a));
      return u.scopes.map((scope) => ({ scope, actions }));
    })
    // no environment in another account's role: no AssumeRole statement (it would name no resource)
    .filter((g) => g.scope !== 'environmentRoles' || environmentRoles(config).length > 0);
  const extra = EXTRA_REQUIREMENTS.filter((r) => r.levels.includes(level)).flatMap((r) => r.scopes.map((scope) => ({ scope, actions: [r.action] })));
  // a scope with no resource for this config (no database admin secret) grants nothing: IAM refuses a statement without resources
  const statements = statementsByScope([...grants, ...extra], operatorArns(config, where, level, resolved), LABEL[level], conditionOf(where)).filter((s) => s.Resource.length > 0);
  if (level === 'read') return { Version: '2012-10-17', Statement: statements };
  statements.push(
    passRoleStatement(`${LABEL[level]} pass service role`, scopeArns('serviceRole', where), ['cloudformation.amazonaws.com']),
    passRoleStatement(`${LABEL[level]} pass app roles`, scopeArns('roles', where), ['ecs-tasks.amazonaws.com']),
    serviceRoleOnlyToCloudFormation(`${LABEL[level]} service role only to CloudFormation`, scopeArns('serviceRole', where)),
  );
  if (level === 'admin') {
    statements.push(...statementsByScope(platformStackGrants(), (s) => scopeArns(s, where), 'Admin platform stack'));
    // the remote builder's projects run as the builder role (CreateProject and UpdateProject pass it)
    statements.push(passRoleStatement('Admin pass builder role', scopeArns('builderRole', where), ['codebuild.amazonaws.com']));
    // bootstrap removes the service role of earlier versions (at path "/") once no stack records it:
    // what CloudFormation's AWS::IAM::Role read and delete handlers call, on that one ARN (no create, update or pass)
    statements.push({ Sid: 'AdminRemoveLegacyServiceRole', Effect: 'Allow', Action: legacyRoleRemoval(), Resource: scopeArns('legacyServiceRole', where) });
  }
  return { Version: '2012-10-17', Statement: mergeSameResources(statements) };
}

/**
 * IAM's quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a
 * customer managed policy holds at most 6,144 characters, whitespace not counted; a role or user
 * takes 10 managed policies by default (20 after a quota increase).
 */
export const MANAGED_POLICY_CHARS = 6144;
export const MANAGED_POLICIES_PER_ROLE = 10;
/** What a master-secret placeholder may grow by once the real ARN replaces it (an RDS master secret's ARN is about 100 characters). */
const PLACEHOLDER_GROWTH = 100;

/**
 * A level's policy as the managed policies to create and attach together: the statements of
 * operatorPolicy, in order, packed into as few documents as keep each under IAM's limit (a
 * statement too long alone is split by its actions). Placeholders are counted at the length of
 * what replaces them, so a document stays under the limit once they are filled in.
 */
export function operatorPolicies(config: Config, level: Level, where: Where, resolved: Resolved = {}): PolicyDocument[] {
  const policy = operatorPolicy(config, level, where, resolved);
  const placeholders = JSON.stringify(policy).split(masterSecretPlaceholder('').slice(0, -1)).length - 1;
  return pack(policy.Statement, MANAGED_POLICY_CHARS - PLACEHOLDER_GROWTH * placeholders);
}

/** The AWS::IAM::Role registry handlers' read and delete permissions (src/iam/data): removing a role, no more. */
export function legacyRoleRemoval(): string[] {
  const handlers = HANDLER_DATA.types['AWS::IAM::Role'];
  return [...new Set([...(handlers.read ?? []), ...(handlers.delete ?? [])])].sort();
}

/**
 * The platform stack runs with admin's own credentials: its resource types, the roles narrowed
 * to the service role and the CI deploy roles (`bootstrap --github`, under their own path).
 */
function platformStackGrants(): { scope: Scope; actions: string[] }[] {
  return [...PLATFORM_ONLY_TYPES, 'AWS::IAM::Role'].flatMap((type) =>
    (grantsFor(type) ?? []).map((g) => ({ scope: g.scope === 'roles' || g.scope === 'githubOidcProvider' ? ('platformRoles' as const) : g.scope, actions: g.actions })),
  );
}

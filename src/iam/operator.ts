/**
 * The operator's policy documents (`cyclops iam-policy`), one per level, built from
 * SDK_OPERATIONS (src/iam/ops-map.ts) and the scopes in src/iam/scopes.ts. Env and app stacks
 * run as the CloudFormation service role, so no level needs create rights on VPCs, RDS and
 * the rest: only admin, who runs the platform stack with its own credentials, creates the ECR
 * repositories and the service role itself.
 */
import type { Config } from '../config/model';
import { iamPath, lockKey, PORTS_KEY, portRequestKey, releaseKey, settingsKey, TAG_PLATFORM, templatePrefix } from '../naming';
import { iamActions } from './actions';
import { mergeSameResources, pack, passRoleStatement, statementsByScope, type PolicyDocument, type Statement } from './document';
import { ALWAYS_ALLOWED, EXTRA_REQUIREMENTS, SDK_OPERATIONS, type Level, type OperatorScope } from './ops-map';
import { grantsFor } from './resource-actions';
import { PLATFORM_ONLY_TYPES } from './service-role';
import { scopeArns, type Scope, type Where } from './scopes';

export const ACCOUNT_PLACEHOLDER = '<ACCOUNT_ID>';

/** The partition of a region: aws, aws-cn, aws-us-gov. */
export const partitionOf = (region: string) => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

export function whereFor(config: Config, account: string, region = config.platform.region): Where {
  return { partition: partitionOf(region), region, account, platform: config.platform.name, bucket: config.platform.bucket };
}

/**
 * Config-bucket keys a deploy-level operator writes: app templates, locks, release records
 * and the ports file with its pending requests. Everything else in the bucket (platform and cluster templates) is admin's.
 */
export function deployObjectKeys(): string[] {
  const wild = (key: string) => key.replace(/\*[^/]*$/, '*');
  return [templatePrefix('app', { platform: '', env: '*', app: '*' }).replace(/\*\/\*\/$/, '*'), wild(lockKey('*', '*')), wild(releaseKey('*', '*')), wild(settingsKey('*', '*')), PORTS_KEY, portRequestKey('*', '*')];
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
 * Statement conditions by scope: EFS and ACM deletes and pre-namespace secrets only when tagged with this
 * platform. Stacks: "<platform>-*" also matches another platform whose name starts the same way
 * (acme and acme-eu), and stack names allow no other delimiter, so a stack tagged with another
 * platform (cyclops tags every stack it creates) is out of reach, and so is a create that tags one
 * for another platform. IfExists: a stack that does not exist yet has no tags, and reads carry none.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#resource-level-permissions
 */
const conditionOf = (where: Where) => (scope: OperatorScope): Statement['Condition'] => {
  const tag = TAG_PLATFORM;
  if (scope === 'platformFileSystems' || scope === 'platformCertificates' || scope === 'legacySecrets') return { StringEquals: { [`aws:ResourceTag/${tag}`]: where.platform } };
  if (scope === 'boundedSmtpUsers') return { StringEquals: { 'iam:PermissionsBoundary': scopeArns('boundary', where)[0] } };
  if (scope === 'stacks') return { StringEqualsIfExists: { [`aws:ResourceTag/${tag}`]: where.platform, [`aws:RequestTag/${tag}`]: where.platform } };
  return undefined;
};

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
        return [`arn:${where.partition}:elasticfilesystem:${where.region}:${where.account}:file-system/*`];
      case 'platformCertificates':
        return [`arn:${where.partition}:acm:${where.region}:${where.account}:certificate/*`];
      case 'secretNames':
        return scopeArns('legacySecrets', where);
      case 'environmentRoles':
        return environmentRoles(config);
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
  );
  if (level === 'admin') statements.push(...statementsByScope(platformStackGrants(), (s) => scopeArns(s, where), 'Admin platform stack'));
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

/**
 * The platform stack runs with admin's own credentials: its resource types, the roles narrowed
 * to the service role and the CI deploy roles (`bootstrap --github`, under their own path).
 */
function platformStackGrants(): { scope: Scope; actions: string[] }[] {
  return [...PLATFORM_ONLY_TYPES, 'AWS::IAM::Role'].flatMap((type) =>
    (grantsFor(type) ?? []).map((g) => ({ scope: g.scope === 'roles' || g.scope === 'githubOidcProvider' ? ('platformRoles' as const) : g.scope, actions: g.actions })),
  );
}

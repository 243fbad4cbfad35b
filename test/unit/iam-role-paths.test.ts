/**
 * No policy cyclops writes or prints grants iam:* on a role or a policy outside the platform's
 * IAM path (src/naming.ts iamPath): the operator levels (`iam-policy --for admin|deploy|read`), the
 * CI deploy roles' policy (`bootstrap --github`), the deploy role of an environment's own account
 * (`bootstrap --env`), the CloudFormation service role and the permissions boundary. The allowed
 * ARNs are derived from naming.ts, never written out. Admin alone runs the platform stack, so it
 * also reaches the CI roles' own path and GitHub's OIDC provider, and may remove (never create,
 * change or pass) the service role of earlier versions.
 */
import { operatorPolicy, legacyRoleRemoval, whereFor } from '../../src/iam/operator';
import type { Statement } from '../../src/iam/document';
import { LEVELS } from '../../src/iam/ops-map';
import { ciRolePath, cfnServiceRole, iamPath, legacyCfnServiceRole } from '../../src/naming';
import { ciDeployPolicy } from '../../src/ops/ci';
import { renderPlatform } from '../../src/plan';
import { accountTemplate } from '../../templates/account';
import { accountInput } from '../../src/ops/env-account';
import { fakeOps, testConfig } from './fakes/ops';

const ACCOUNT = '123456789012';
const config = testConfig();
const platform = config.platform.name;
const iamArn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const underPath = (r: string) => ['role', 'policy', 'instance-profile', 'user'].some((kind) => r.startsWith(iamArn(`${kind}${iamPath(platform)}`)));
const isRoleOrPolicy = (r: string) => r === '*' || /^arn:aws:iam::[^:]*:(role|policy)\//.test(r) || !r.startsWith('arn:aws:iam:');

/** A template's ${AWS::…} written out for this account and region. */
const resolve = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v).replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1').replace(/\$\{AWS::AccountId\}/g, ACCOUNT).replace(/\$\{AWS::Region\}/g, 'eu-west-1').replace(/\$\{AWS::Partition\}/g, 'aws'));

/** Allow statements with an iam: action, and the resources of theirs that are roles or policies outside the path. */
function outside(statements: Statement[]): { sid?: string; actions: string[]; resources: string[] }[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && s.Action.some((a) => a.startsWith('iam:')))
    .map((s) => ({ sid: s.Sid, actions: s.Action.filter((a) => a.startsWith('iam:')), resources: s.Resource.filter((r) => isRoleOrPolicy(r) && !underPath(r)) }))
    .filter((s) => s.resources.length);
}

const managedPolicies = (template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }, id: RegExp) =>
  Object.entries(template.Resources)
    .filter(([k, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.test(k))
    .flatMap(([, r]) => (resolve(r.Properties!.PolicyDocument) as { Statement: Statement[] }).Statement);

test.each(['deploy', 'read'] as const)('iam-policy --for %s: no iam:* on a role or policy outside the path', (level) => {
  const policy = operatorPolicy(config, level, whereFor(config, ACCOUNT));
  expect(outside(policy.Statement)).toEqual([]);
  // the service role it passes is under the path
  if (level === 'deploy') expect(policy.Statement.flatMap((s) => s.Resource)).toContain(iamArn(`role${iamPath(platform)}${cfnServiceRole(platform)}`));
});

test('iam-policy --for admin: outside the path only the CI roles\' own path, GitHub\'s OIDC provider, and removing the old service role', () => {
  const found = outside(operatorPolicy(config, 'admin', whereFor(config, ACCOUNT)).Statement);
  const legacy = iamArn(`role/${legacyCfnServiceRole(platform)}`);
  for (const s of found) {
    for (const r of s.resources) {
      if (r === legacy) expect({ sid: s.sid, actions: s.actions }).toEqual({ sid: s.sid, actions: legacyRoleRemoval() });
      else expect(r).toBe(iamArn(`role${ciRolePath(platform)}*`));
    }
  }
  // removal is reading and deleting: no create, change of policy or trust, or pass
  expect(legacyRoleRemoval().filter((a) => /^iam:(Create|Put|Attach|Update|Pass)/.test(a))).toEqual([]);
  expect(found.some((s) => s.resources.includes(legacy))).toBe(true);
});

test('the CI deploy roles (bootstrap --github), an environment account\'s deploy role (bootstrap --env), the service role and the boundary: nothing outside the path', () => {
  const ops = fakeOps(config).ops;
  // the service role also makes AWS's service-linked roles (AWS's own path), for the services its types need only
  const linked = (x: Statement) => x.Action.join() === 'iam:CreateServiceLinkedRole' && x.Resource.join() === iamArn('role/aws-service-role/*') && !!x.Condition?.StringEquals?.['iam:AWSServiceName'];
  const deployPolicy = ciDeployPolicy(ops, {});
  const ci = { repos: [{ repo: 'acme/shop', refs: ['refs/heads/main'], pullRequests: false, environments: [] }], deployPolicy } as never;
  for (const legacyServiceRole of [false, true]) {
    const t = renderPlatform(config, ci, { legacyServiceRole }) as never;
    expect(outside(managedPolicies(t, /^CiDeployPolicy/))).toEqual([]);
    expect(outside(managedPolicies(t, /^ServiceRolePolicy/).filter((x) => !linked(x)))).toEqual([]);
    expect(outside(managedPolicies(t, /^Boundary$/))).toEqual([]);
    expect(managedPolicies(t, /^CiDeployPolicy/).length).toBeGreaterThan(0);
  }
  for (const legacyServiceRole of [false, true, 'detached'] as const) {
    const account = accountTemplate({ ...accountInput(config, 'staging', '222222222222', {}), legacyServiceRole }) as unknown as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    expect(outside(managedPolicies(account, /^(DeployPolicy|ReadPolicy|ServiceRolePolicy|Boundary)/).filter((x) => !linked(x)))).toEqual([]);
    // the account's old role stays while its stacks use it (with the policies, then detached), as the platform stack's does
    const roles = account.Resources.ServiceRolePolicy1.Properties!.Roles;
    expect(roles).toEqual(legacyServiceRole === true ? [{ Ref: 'CloudFormationServiceRole' }, { Ref: 'ServiceRole' }] : [{ Ref: 'CloudFormationServiceRole' }]);
    expect(Boolean(account.Resources.ServiceRole)).toBe(legacyServiceRole !== false);
  }
});

test('every level in LEVELS is covered', () => {
  expect([...LEVELS].sort()).toEqual(['admin', 'deploy', 'read']);
});

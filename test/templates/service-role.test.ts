/**
 * The CloudFormation service role (templates/platform.ts, src/iam): every resource type the
 * rendered templates use has a row in RESOURCE_ACTIONS, and the role's policy grants those
 * actions; the role trusts only CloudFormation in its own account; each policy fits IAM's
 * size limit; the platform stack outputs the role's ARN.
 */
import { PLATFORM_ONLY_TYPES } from '../../src/iam/service-role';
import { RESOURCE_ACTIONS } from '../../src/iam/resource-actions';
import { policySize } from '../../src/iam/document';
import { cfnServiceRole, PLATFORM_OUTPUT } from '../../src/naming';
import { renderPlatform } from '../../src/plan';
import { renderAll } from '../../src/plan/all';
import { example, variants } from './fixtures';

type Res = { Type: string; Properties?: Record<string, any> };
const resources = (t: unknown) => Object.values((t as { Resources: Record<string, Res> }).Resources);

function usedTypes(): Map<string, string> {
  const used = new Map<string, string>(); // type → first stack that uses it
  for (const config of [example(), variants()]) {
    for (const r of renderAll(config)) for (const res of resources(r.template)) if (!used.has(res.Type)) used.set(res.Type, r.stack);
  }
  return used;
}

const platform = () => renderPlatform(example()) as unknown as { Resources: Record<string, Res>; Outputs: Record<string, any> };
const rolePolicies = () => resources(platform()).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
const grantedActions = () => new Set(rolePolicies().flatMap((p) => p.Properties!.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => s.Action)));

describe('CloudFormation service role', () => {
  it('has a row for every resource type the templates use', () => {
    const missing = [...usedTypes()].filter(([type]) => !Object.hasOwn(RESOURCE_ACTIONS, type)).map(([type, stack]) => `${type} (in ${stack})`);
    expect(missing).toEqual([]); // add the type to src/iam/resource-actions.ts
  });

  it('grants every action of every type the env and app stacks create', () => {
    const granted = grantedActions();
    const lacking: string[] = [];
    for (const [type] of usedTypes()) {
      if (PLATFORM_ONLY_TYPES.includes(type)) continue;
      for (const grant of RESOURCE_ACTIONS[type] ?? []) for (const a of grant.actions) if (!granted.has(a)) lacking.push(`${type}: ${a}`);
    }
    expect(lacking).toEqual([]);
    expect(granted.has('ecr:CreateRepository')).toBe(false); // the platform stack runs without the role
  });

  it('scopes IAM to the platform\'s roles and hands them only to the services that use them', () => {
    const statements = rolePolicies().flatMap((p) => p.Properties!.PolicyDocument.Statement);
    const roleStatement = statements.find((s: any) => s.Action.includes('iam:CreateRole'));
    expect(roleStatement.Resource).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/acme-*' }]);
    const pass = statements.find((s: any) => s.Effect === 'Allow' && s.Action.includes('iam:PassRole'));
    expect(pass.Condition.StringEquals['iam:PassedToService']).toEqual(expect.arrayContaining(['ecs-tasks.amazonaws.com', 'events.amazonaws.com']));
    const logs = statements.find((s: any) => s.Action.includes('logs:CreateLogGroup'));
    expect(logs.Resource[0]).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/cyclops/acme/*' });
    const deny = statements.find((s: any) => s.Effect === 'Deny');
    expect(deny.Resource).toEqual([{ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${cfnServiceRole('acme')}` }]);
    expect(deny.Action).toContain('iam:PutRolePolicy');
  });

  it('trusts CloudFormation in its own account only, and is an output of the platform stack', () => {
    const t = platform();
    const role = t.Resources.ServiceRole;
    expect(role.Properties!.RoleName).toBe('acme-cloudformation');
    expect(role.Properties!.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    expect(t.Outputs[PLATFORM_OUTPUT.serviceRoleArn].Value).toEqual({ 'Fn::GetAtt': ['ServiceRole', 'Arn'] });
    for (const p of rolePolicies()) expect(p.Properties!.Roles).toEqual([{ Ref: 'ServiceRole' }]);
  });

  it('keeps each managed policy under IAM\'s 6,144-character limit, with account and region substituted', () => {
    for (const p of rolePolicies()) {
      const doc = JSON.stringify(p.Properties!.PolicyDocument).replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1');
      const resolved = doc.replace(/\$\{AWS::AccountId\}/g, '123456789012').replace(/\$\{AWS::Region\}/g, 'ap-southeast-2').replace(/\$\{AWS::Partition\}/g, 'aws-us-gov');
      expect(policySize(JSON.parse(resolved))).toBeLessThanOrEqual(6144);
    }
    const sids = rolePolicies().flatMap((p) => p.Properties!.PolicyDocument.Statement.map((s: any) => s.Sid));
    expect(new Set(sids).size).toBe(sids.length);
  });
});

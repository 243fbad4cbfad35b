/**
 * Blue/green, canary and linear web services (templates/app-deployment.ts). moto has no ECS
 * deployment strategies and ignores these properties, so the templates are proven here: the
 * strategy keys, both target groups, the weighted production rule with weights as parameters,
 * the test rule, the infrastructure role under the platform's boundary and path, the alarms
 * kept as rollback triggers. Golden files for canary and blue-green in golden-delivery/;
 * cfn-lint for all four strategies is in cfn-lint.test.ts.
 * UPDATE_GOLDEN=1 npx jest test/templates/delivery.test.ts rewrites the goldens.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderApp, templateBody } from '../../src/plan';
import { boundaryPolicyName, iamPath } from '../../src/naming';
import { delivery, example } from './fixtures';

type Res = { Type: string; Properties: Record<string, any>; DependsOn?: string | string[] };
const render = (app: string, env = 'staging', port = 20005) => renderApp(delivery(), env, app, { port }) as { Resources: Record<string, Res>; Parameters: Record<string, any>; Outputs: Record<string, any> };

describe('strategy keys on the web service', () => {
  test('canary: Strategy CANARY, its percent and bake, the bake after the last shift, alarms still roll back', () => {
    const dc = render('canary').Resources.WebService.Properties.DeploymentConfiguration;
    expect(dc).toMatchObject({ Strategy: 'CANARY', BakeTimeInMinutes: 5, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 }, DeploymentCircuitBreaker: { Enable: true, Rollback: true } });
    expect(dc.Alarms).toEqual({ AlarmNames: expect.arrayContaining([expect.stringContaining('canary')]), Enable: true, Rollback: true });
    expect(dc.LinearConfiguration).toBeUndefined();
  });
  test('linear: Strategy LINEAR with its steps; blue-green: BLUE_GREEN with the bake only', () => {
    expect(render('linear').Resources.WebService.Properties.DeploymentConfiguration).toMatchObject({ Strategy: 'LINEAR', BakeTimeInMinutes: 10, LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 2 } });
    const bg = render('azure').Resources.WebService.Properties.DeploymentConfiguration;
    expect(bg).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 15 });
    expect(bg.CanaryConfiguration).toBeUndefined();
  });
  test('rolling: none of it (no Strategy key, one target group, a plain forward)', () => {
    const t = render('steady');
    expect(t.Resources.WebService.Properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(Object.values(t.Resources).filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(1);
    expect(t.Resources.WebListenerRule.Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'WebTargetGroup' } }]);
    expect(t.Parameters.WebWeightPrimary).toBeUndefined();
  });
});

describe('the load balancer side', () => {
  const t = render('canary', 'staging', 20005);
  test('a second target group alike the first, and AdvancedConfiguration naming both rules and the role', () => {
    expect(t.Resources.WebTargetGroupAlternate.Properties).toEqual(t.Resources.WebTargetGroup.Properties);
    expect(t.Resources.WebService.Properties.LoadBalancers).toEqual([
      {
        ContainerName: 'web',
        ContainerPort: 3000,
        TargetGroupArn: { Ref: 'WebTargetGroup' },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: 'WebTargetGroupAlternate' },
          ProductionListenerRule: { Ref: 'WebListenerRule' },
          TestListenerRule: { Ref: 'WebTestRule' },
          RoleArn: { 'Fn::GetAtt': ['DeploymentInfrastructureRole', 'Arn'] },
        },
      },
    ]);
  });
  test('the production rule is the weighted forward ECS writes, weights as parameters (0..999, 100/0 on a new stack)', () => {
    expect(t.Resources.WebListenerRule.Properties.Actions).toEqual([
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: 'WebTargetGroup' }, Weight: { Ref: 'WebWeightPrimary' } }, { TargetGroupArn: { Ref: 'WebTargetGroupAlternate' }, Weight: { Ref: 'WebWeightAlternate' } }] },
      },
    ]);
    expect(t.Parameters.WebWeightPrimary).toMatchObject({ Type: 'Number', Default: 100, MinValue: 0, MaxValue: 999 });
    expect(t.Parameters.WebWeightAlternate).toMatchObject({ Type: 'Number', Default: 0, MinValue: 0, MaxValue: 999 });
    expect(t.Outputs.WebListenerRuleArn).toEqual({ Value: { Ref: 'WebListenerRule' } });
  });
  test('the test rule: same host and allow list plus X-Cyclops-Test: 1, evaluated before the production rule', () => {
    const rule = t.Resources.WebTestRule.Properties;
    expect(rule.Priority).toBe(20005 - 10000);
    expect(rule.Priority).toBeLessThan(t.Resources.WebListenerRule.Properties.Priority);
    expect(rule.Conditions).toEqual([...t.Resources.WebListenerRule.Properties.Conditions, { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Cyclops-Test', Values: ['1'] } }]);
    expect(rule.ListenerArn).toEqual(t.Resources.WebListenerRule.Properties.ListenerArn);
    expect(render('linear').Resources.WebTestRule).toBeUndefined();
  });
  test('the infrastructure role: trusted by ecs.amazonaws.com, the load-balancer managed policy, the platform boundary and path', () => {
    const role = t.Resources.DeploymentInfrastructureRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(role.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers' }]);
    expect(role.Path).toBe(iamPath('acme'));
    expect(JSON.stringify(role.PermissionsBoundary)).toContain(boundaryPolicyName('acme'));
  });
});

test('the example config (all rolling) renders as before: no strategy resource anywhere', () => {
  const t = renderApp(example(), 'staging', 'shop', { port: 20001 }) as { Resources: Record<string, Res> };
  expect(Object.keys(t.Resources).filter((k) => /Alternate|Infrastructure|TestRule/.test(k))).toEqual([]);
});

const DIR = path.join(__dirname, 'golden-delivery');
const update = process.env.UPDATE_GOLDEN === '1';
describe('golden templates for canary and blue-green', () => {
  if (update) mkdirSync(DIR, { recursive: true });
  for (const [env, app] of [['staging', 'canary'], ['production', 'canary'], ['staging', 'azure'], ['production', 'azure']]) {
    test(`app-${env}-${app}.json matches its golden file`, () => {
      const file = path.join(DIR, `app-${env}-${app}.json`);
      const body = templateBody(renderApp(delivery(), env, app, { port: 20005 })) + '\n';
      if (update) writeFileSync(file, body);
      if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest test/templates/delivery.test.ts`);
      expect(body).toBe(readFileSync(file, 'utf8'));
    });
  }
});

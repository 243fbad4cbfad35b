/**
 * A canary app on moto, end to end through the CLI: bootstrap, env create, deploy, a second
 * deploy (a stack update, whose live weights are read and passed through), and the stack's
 * template and resources read back from CloudFormation.
 *
 * moto ignores what it does not know of AWS::ECS::Service (Strategy, CanaryConfiguration,
 * LoadBalancers[].AdvancedConfiguration) and has no ECS service deployments; it still creates the
 * second target group, the weighted rule and the infrastructure role. How ECS moves the traffic,
 * the phases, the alarm rollback and abort are proven over mocked ECS answers in
 * test/unit/progressive-deploy.test.ts; the templates by the golden files and cfn-lint
 * (test/templates/delivery.test.ts).
 */
import { motoPlatform, setUp, type MotoPlatform } from '../support/moto-platform';
import { ok, outcome } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'dlv';
const STACK = `${PLATFORM}-staging-shop`;
let p: MotoPlatform;
let aws: Aws;
const cli = (...args: string[]) => p.run(...args);

beforeAll(async () => {
  p = await motoPlatform({
    platform: PLATFORM,
    database: 'none',
    apps: { shop: { processes: { web: { port: 8080 } }, database: false, deployment: { strategy: 'canary', canaryPercent: 10, canaryBakeMinutes: 5, bakeMinutes: 5, testTraffic: true } } },
  });
  aws = p.aws;
  await setUp(p);
}, 180_000);

afterAll(() => p.close());

test('a canary app deploys and updates on moto; its stack has Strategy CANARY, both target groups and the infrastructure role', async () => {
  const first = await cli('deploy', 'registry.example.com/shop:1.0', 'shop', 'staging', '--json');
  expect(outcome(first)).toEqual(ok);
  const second = await cli('deploy', 'registry.example.com/shop:1.1', 'shop', 'staging', '--json');
  expect(outcome(second)).toEqual(ok);
  expect(second.json()).toMatchObject({ changed: true, release: { number: 2, image: 'registry.example.com/shop:1.1' } });

  const stack = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: STACK }))).Stacks![0];
  expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
  const params = Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  expect(params).toMatchObject({ Image: 'registry.example.com/shop:1.1', WebWeightPrimary: '100', WebWeightAlternate: '0' });

  const template = JSON.parse((await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: STACK }))).TemplateBody!);
  const service = template.Resources.WebService.Properties;
  expect(service.DeploymentConfiguration).toMatchObject({ Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 }, BakeTimeInMinutes: 5, Alarms: { Rollback: true } });
  expect(Object.keys(service.LoadBalancers[0].AdvancedConfiguration).sort()).toEqual(['AlternateTargetGroupArn', 'ProductionListenerRule', 'RoleArn', 'TestListenerRule']);
  expect(template.Resources.DeploymentInfrastructureRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' });

  const resources = (await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: STACK }))).StackResourceSummaries ?? [];
  const ofType = (type: string) => resources.filter((x) => x.ResourceType === type).map((x) => x.LogicalResourceId).sort();
  expect(ofType('AWS::ElasticLoadBalancingV2::TargetGroup')).toEqual(['WebTargetGroup', 'WebTargetGroupAlternate']);
  expect(ofType('AWS::IAM::Role')).toContain('DeploymentInfrastructureRole');
  expect(ofType('AWS::ElasticLoadBalancingV2::ListenerRule')).toEqual(expect.arrayContaining(['WebListenerRule', 'WebTestRule']));
  // the release log says the strategy was followed or why it could not be (moto has no service deployments)
  expect(second.stderr).toMatch(/canary: following the deployment of shop-web|cannot follow the deployment/);
}, 240_000);

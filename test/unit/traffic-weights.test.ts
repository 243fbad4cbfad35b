/**
 * The weights trap (src/ops/traffic.ts): every stack update of a blue/green, canary or linear
 * app passes the live production weights through, and refuses an update that would change
 * them. ELBv2 is mocked with aws-sdk-client-mock over recorded DescribeRules answers in AWS's
 * documented shape (test/unit/recorded/describe-rules.ts): moto cannot show ECS moving the
 * weights. The deploy runs over the in-memory fakes, with ops.traffic reading through the
 * real src/aws/elbv2 over the mocked client.
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { forwardWeights, ruleWeights } from '../../src/aws/elbv2';
import { CyclopsError } from '../../src/errors';
import { applyTemplate } from '../../src/ops/apply-template';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { fakeOps, testConfig, type Fake } from './fakes/ops';
import { afterBlueGreen, BLUE_TG, duringCanary, GREEN_TG, plainForward, RULE_ARN } from './recorded/describe-rules';
import { fakeAwsOf } from './stacks-fakes';

const elb = mockClient(sdk.elbv2.ElasticLoadBalancingV2Client);
const aws = fakeAwsOf('elbv2');
beforeEach(() => elb.reset());

const target = { platform: 'acme', env: 'staging', app: 'web' };
const canaryConfig = () => testConfig({ apps: { web: { processes: { web: { port: 8080 } }, database: false, deployment: { strategy: 'canary', testTraffic: true } } } });
const run = (f: Fake, image: string) => deploy(f.ops, { target, image, ref: parseImage(image) });
const weightsOf = (f: Fake, i: number) => Object.fromEntries((f.applied[i].parameters ?? []).filter((p) => p.ParameterKey.startsWith('WebWeight')).map((p) => [p.ParameterKey, p.ParameterValue]));

/** A canary app deployed once, its stack outputs naming the rule and the primary group as CloudFormation would. */
async function deployedCanary(answer: unknown): Promise<Fake> {
  const f = fakeOps(canaryConfig());
  f.ops.traffic = { ruleWeights: (arn) => ruleWeights(aws, arn) };
  elb.on(sdk.elbv2.DescribeRulesCommand, { RuleArns: [RULE_ARN] }).resolves(answer as never);
  await run(f, 'nginx:1.27');
  const stack = f.stacks.get('acme-staging-web')!;
  stack.outputs.WebListenerRuleArn = RULE_ARN;
  stack.outputs.WebTargetGroupArn = BLUE_TG;
  // DescribeStacks lists every declared parameter, defaults included (the first deploy passed none)
  Object.assign(stack.parameters, { WebWeightPrimary: '100', WebWeightAlternate: '0' });
  return f;
}

test('forwardWeights reads a recorded weighted forward and a plain forward', () => {
  expect(forwardWeights(afterBlueGreen)).toEqual({ [BLUE_TG]: 0, [GREEN_TG]: 100 });
  expect(forwardWeights(plainForward)).toEqual({ [BLUE_TG]: 1 });
  expect(forwardWeights({ Rules: [] })).toBeNull();
});

test('a first deploy sets no weights (the template defaults: all on the primary group) and reads no rule', async () => {
  const f = fakeOps(canaryConfig());
  f.ops.traffic = { ruleWeights: (arn) => ruleWeights(aws, arn) };
  await run(f, 'nginx:1.27');
  expect(weightsOf(f, 0)).toEqual({});
  expect(elb.commandCalls(sdk.elbv2.DescribeRulesCommand)).toHaveLength(0);
});

test('after ECS moved all traffic to green, the next deploy passes 0/100 through, not the template default 100/0', async () => {
  const f = await deployedCanary(afterBlueGreen);
  await run(f, 'nginx:1.28');
  expect(elb.commandCalls(sdk.elbv2.DescribeRulesCommand)).toHaveLength(1);
  expect(weightsOf(f, 1)).toEqual({ WebWeightPrimary: '0', WebWeightAlternate: '100' });
  expect(JSON.stringify(f.events.events)).toMatch(/ECS moved the production weights to 0\/100.*passed through unchanged/);
});

test('mid-canary weights (90/10) are passed through as they are', async () => {
  const f = await deployedCanary(duringCanary);
  await run(f, 'nginx:1.28');
  expect(weightsOf(f, 1)).toEqual({ WebWeightPrimary: '90', WebWeightAlternate: '10' });
});

test('an update that asks for other weights than the live ones is refused (exit 2) and the stack is not touched', async () => {
  const f = await deployedCanary(afterBlueGreen);
  const before = f.applied.length;
  const stack = f.stacks.get('acme-staging-web')!;
  const body = f.templates.get([...f.templates.keys()].pop()!)!;
  const e = await applyTemplate(f.ops, {
    kind: 'app',
    ids: target,
    stackName: stack.name,
    body,
    parameters: [...Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })), { ParameterKey: 'WebWeightPrimary', ParameterValue: '100' }, { ParameterKey: 'WebWeightAlternate', ParameterValue: '0' }],
  }).catch((x) => x);
  expect(e).toBeInstanceOf(CyclopsError);
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/would set the production weights to 100\/0 while live traffic runs 0\/100/);
  expect(f.applied.length).toBe(before);
});

test('a rule that cannot be read (RuleNotFound) refuses the update instead of guessing', async () => {
  const f = await deployedCanary(afterBlueGreen);
  elb.on(sdk.elbv2.DescribeRulesCommand).rejects(Object.assign(new sdk.elbv2.ElasticLoadBalancingV2ServiceException({ name: 'RuleNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'One or more rules not found' })));
  const before = f.applied.length;
  const e = await run(f, 'nginx:1.28').catch((x) => x);
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/cannot read its forward weights/);
  expect(f.applied.length).toBe(before);
});

test('a rolling app reads no rule and passes no weights', async () => {
  const f = fakeOps();
  f.ops.traffic = { ruleWeights: (arn) => ruleWeights(aws, arn) };
  await run(f, 'nginx:1.27');
  await run(f, 'nginx:1.28');
  expect(elb.commandCalls(sdk.elbv2.DescribeRulesCommand)).toHaveLength(0);
  expect(weightsOf(f, 1)).toEqual({});
});

/**
 * Blue/green, canary and linear deploys of the web process, run by ECS itself (no CodeDeploy).
 * Pure. A rolling app gets none of this: its template stays as it was.
 *
 * What ECS needs (checked against AWS's references and the cfn-lint schema installed here):
 * - DeploymentConfiguration.Strategy BLUE_GREEN | CANARY | LINEAR, BakeTimeInMinutes,
 *   CanaryConfiguration {CanaryPercent, CanaryBakeTimeInMinutes}, LinearConfiguration
 *   {StepPercent, StepBakeTimeInMinutes}
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html
 * - LoadBalancers[].AdvancedConfiguration {AlternateTargetGroupArn (required), ProductionListenerRule,
 *   TestListenerRule, RoleArn}
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-advancedconfiguration.html
 * - an infrastructure role ECS assumes (ecs.amazonaws.com) to move traffic, with AWS's managed
 *   policy AmazonECSInfrastructureRolePolicyForLoadBalancers
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
 *
 * The weights trap: while and after ECS shifts traffic it rewrites the production rule's action
 * into a weighted forward over both groups. A template that declared a plain forward would put
 * it back on the next stack update and move live traffic. So the rule is declared as a weighted
 * forward whose weights are parameters, and every deploy passes the live weights through
 * (src/ops/traffic.ts). ELB weights are integers 0..999:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html
 */
import type { DeploymentConfig } from '../src/config/deployment';
import { ECS_STRATEGY } from '../src/config/deployment';
import type { EnvOutputKey, Ids } from '../src/naming';
import { webTargetGroup } from './app-routing';
import { getAtt, managedPolicy, output, ref, serviceRole, type Output, type Parameter, type Resource, type Value } from './cfn';

export const ALTERNATE_TARGET_GROUP = 'WebTargetGroupAlternate';
export const INFRASTRUCTURE_ROLE = 'DeploymentInfrastructureRole';
export const TEST_RULE = 'WebTestRule';
/** The header that sends a request to the new revision while test traffic is on. */
export const TEST_HEADER = { name: 'X-Cyclops-Test', value: '1' };
/** The stack output naming the production rule: deploy reads its live weights by it. */
export const PRODUCTION_RULE_OUTPUT = 'WebListenerRuleArn';
/** The stack output naming the primary target group: which of the rule's weights is which. */
export const PRIMARY_TARGET_GROUP_OUTPUT = 'WebTargetGroupArn';
/** The weight parameters of the production rule's two target groups. */
export const WEIGHT_PARAMETERS = { primary: 'WebWeightPrimary', alternate: 'WebWeightAlternate' } as const;
export const MAX_WEIGHT = 999;
/** A new stack: all traffic on the primary group. */
export const INITIAL_WEIGHTS = { primary: 100, alternate: 0 };

export const isProgressive = (d: DeploymentConfig) => d.strategy !== 'rolling';

/** The DeploymentConfiguration keys of the strategy; nothing for rolling (its template is unchanged). */
export function strategyConfiguration(d: DeploymentConfig): Record<string, Value> {
  if (!isProgressive(d)) return {};
  return {
    Strategy: ECS_STRATEGY[d.strategy],
    BakeTimeInMinutes: d.bakeMinutes,
    ...(d.strategy === 'canary' ? { CanaryConfiguration: { CanaryPercent: d.canaryPercent, CanaryBakeTimeInMinutes: d.canaryBakeMinutes } } : {}),
    ...(d.strategy === 'linear' ? { LinearConfiguration: { StepPercent: d.stepPercent, StepBakeTimeInMinutes: d.stepBakeMinutes } } : {}),
  };
}

/** The web service's LoadBalancers[0].AdvancedConfiguration. */
export function advancedConfiguration(d: DeploymentConfig): Record<string, Value> {
  if (!isProgressive(d)) return {};
  return {
    AdvancedConfiguration: {
      AlternateTargetGroupArn: ref(ALTERNATE_TARGET_GROUP),
      ProductionListenerRule: ref('WebListenerRule'),
      ...(d.testTraffic ? { TestListenerRule: ref(TEST_RULE) } : {}),
      RoleArn: getAtt(INFRASTRUCTURE_ROLE, 'Arn'),
    },
  };
}

export interface ProgressiveInput {
  ids: Ids & { app: string };
  deployment: DeploymentConfig;
  healthCheckPath: string;
  /** evaluated before the production rule (whose priority is the port): port - ports.range size */
  testPriority: number;
  imp: (key: EnvOutputKey) => Value;
}

/**
 * Adds the second target group, the infrastructure role, the weight parameters, the test rule
 * and the rule output, and turns the production rule (made by webRouting) into the weighted
 * forward ECS itself writes.
 */
export function addProgressiveWeb(
  t: { parameters: Record<string, Parameter>; resources: Record<string, Resource>; outputs: Record<string, Output> },
  input: ProgressiveInput,
): void {
  const { parameters, resources, outputs } = t;
  const production = resources.WebListenerRule.Properties as Record<string, Value>;
  const weight = (which: string): Parameter => ({
    Type: 'Number',
    Default: INITIAL_WEIGHTS[which === WEIGHT_PARAMETERS.primary ? 'primary' : 'alternate'],
    MinValue: 0,
    MaxValue: MAX_WEIGHT,
    Description: `production traffic weight of the ${which === WEIGHT_PARAMETERS.primary ? 'primary' : 'alternate'} web target group; deploy passes the live weight through`,
  });
  parameters[WEIGHT_PARAMETERS.primary] = weight(WEIGHT_PARAMETERS.primary);
  parameters[WEIGHT_PARAMETERS.alternate] = weight(WEIGHT_PARAMETERS.alternate);
  production.Actions = [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: ref('WebTargetGroup'), Weight: ref(WEIGHT_PARAMETERS.primary) },
          { TargetGroupArn: ref(ALTERNATE_TARGET_GROUP), Weight: ref(WEIGHT_PARAMETERS.alternate) },
        ],
      },
    },
  ];
  resources[ALTERNATE_TARGET_GROUP] = webTargetGroup(input.ids, input.healthCheckPath, input.imp);
  resources[INFRASTRUCTURE_ROLE] = serviceRole(input.ids, 'ecs.amazonaws.com', { ManagedPolicyArns: [managedPolicy('AmazonECSInfrastructureRolePolicyForLoadBalancers')] });
  if (input.deployment.testTraffic) {
    // The same host (and allow list) plus the test header; ECS points it at the new revision
    // during the test-traffic stages.
    const conditions = production.Conditions as Value[];
    resources[TEST_RULE] = {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
      Properties: {
        ListenerArn: production.ListenerArn,
        Priority: input.testPriority,
        Conditions: [...conditions, { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: TEST_HEADER.name, Values: [TEST_HEADER.value] } }],
        // Outside a deployment ECS leaves it where production goes: the same weights.
        Actions: production.Actions,
      },
    };
  }
  outputs[PRODUCTION_RULE_OUTPUT] = output(ref('WebListenerRule'));
  outputs[PRIMARY_TARGET_GROUP_OUTPUT] = output(ref('WebTargetGroup'));
}

/**
 * DescribeRules answers in the shape AWS documents for the ELBv2 API (Rule, Action,
 * ForwardActionConfig, TargetGroupTuple):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ForwardActionConfig.html
 * The ARNs follow AWS's examples. After a blue/green deployment, ECS leaves the production rule
 * as a weighted forward with all traffic on the group it moved to.
 */
import type { Action, DescribeRulesCommandOutput } from '@aws-sdk/client-elastic-load-balancing-v2';

export const RULE_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/acme-staging/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
export const BLUE_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-staging-web-blue/73e2d6bc24d8a067';
export const GREEN_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-staging-web-green/09e2a8e1a5d04e2b';

const rule = (actions: Action[]): Pick<DescribeRulesCommandOutput, 'Rules'> => ({
  Rules: [
    {
      RuleArn: RULE_ARN,
      Priority: '20000',
      Conditions: [{ Field: 'host-header', Values: ['web.staging.acme.dev'], HostHeaderConfig: { Values: ['web.staging.acme.dev'] } }],
      Actions: actions,
      IsDefault: false,
    },
  ],
});

/** after a completed blue/green deployment: everything on the alternate (green) group */
export const afterBlueGreen = rule([
  {
    Type: 'forward',
    Order: 1,
    ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_TG, Weight: 0 }, { TargetGroupArn: GREEN_TG, Weight: 100 }], TargetGroupStickinessConfig: { Enabled: false } },
  },
]);

/** during a canary at 10 percent */
export const duringCanary = rule([
  { Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_TG, Weight: 90 }, { TargetGroupArn: GREEN_TG, Weight: 10 }] } },
]);

/** a rule as a plain forward (the form CloudFormation writes for a single group) */
export const plainForward = rule([{ Type: 'forward', Order: 1, TargetGroupArn: BLUE_TG }]);

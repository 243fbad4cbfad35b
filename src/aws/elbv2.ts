/**
 * Elastic Load Balancing v2, in cyclops's own types: a listener rule's forward weights.
 * DescribeRules: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html
 * A forward action names its groups either as TargetGroupArn (one group, all traffic) or as
 * ForwardConfig.TargetGroups [{TargetGroupArn, Weight}]:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Action.html
 */
import type { DescribeRulesCommandOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Aws } from './client';
import { callOr } from './call';
import { awsErrorName } from './errors';

/** Target group ARN → weight, of the rule's forward action; null: no such rule, or no forward action. */
export type RuleWeights = Record<string, number>;

/** The forward weights of the one rule in a DescribeRules answer (pure: unit-tested over recorded answers). */
export function forwardWeights(out: Pick<DescribeRulesCommandOutput, 'Rules'>): RuleWeights | null {
  const rule = out.Rules?.[0];
  const forward = rule?.Actions?.find((a) => a.Type === 'forward');
  if (!forward) return null;
  const groups = forward.ForwardConfig?.TargetGroups;
  if (groups?.length) return Object.fromEntries(groups.map((g) => [g.TargetGroupArn ?? '', g.Weight ?? 1]));
  // A plain forward sends everything to its one group.
  return forward.TargetGroupArn ? { [forward.TargetGroupArn]: 1 } : null;
}

export async function ruleWeights(aws: Aws, ruleArn: string): Promise<RuleWeights | null> {
  const out = await callOr(
    aws,
    `read listener rule ${ruleArn}`,
    () => aws.elbv2.send(new aws.sdk.elbv2.DescribeRulesCommand({ RuleArns: [ruleArn] })),
    (e) => (awsErrorName(e) === 'RuleNotFoundException' ? null : undefined),
  );
  return out ? forwardWeights(out) : null;
}

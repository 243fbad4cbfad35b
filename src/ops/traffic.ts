/**
 * The weights trap (docs/deployments.md). ECS moves traffic by rewriting the production rule
 * of a blue/green, canary or linear app into a weighted forward over its two target groups.
 * The stack declares that rule with the weights as parameters, and every update of such a
 * stack passes the live weights through (read with DescribeRules), so no stack update, from
 * deploy, rollback, scale or vars alike, ever moves live traffic. Weights a caller sets that
 * differ from the live ones are refused, never applied.
 */
import { usageError } from '../errors';
import { say } from '../events';
import type { Parameter } from '../stacks';
import type { StackSummary } from '../aws/cloudformation';
import type { RuleWeights } from '../aws/elbv2';
import { INITIAL_WEIGHTS, PRIMARY_TARGET_GROUP_OUTPUT, PRODUCTION_RULE_OUTPUT, WEIGHT_PARAMETERS } from '../../templates/app-deployment';
import type { Ops } from './context';

export interface Weights {
  primary: number;
  alternate: number;
}

const WEIGHT_KEYS: string[] = Object.values(WEIGHT_PARAMETERS);
export const isWeightParameter = (key: string) => WEIGHT_KEYS.includes(key);

/** The template declares the weight parameters (a blue/green, canary or linear app). */
export function declaresWeights(body: string): boolean {
  try {
    const t = JSON.parse(body) as { Parameters?: Record<string, unknown> };
    return !!t.Parameters && WEIGHT_PARAMETERS.primary in t.Parameters;
  } catch {
    return false; // YAML bodies are only ever written by synth, never applied
  }
}

/**
 * The live weights of the stack's production rule, from a DescribeRules answer (pure).
 * A stack without the rule output ran rolling until now: its rule is a plain forward to the
 * primary group, which is what the initial weights say.
 */
export function liveWeights(stack: StackSummary, rule: RuleWeights | null): Weights {
  const ruleArn = stack.outputs[PRODUCTION_RULE_OUTPUT];
  if (!ruleArn) return { ...INITIAL_WEIGHTS };
  const primaryArn = stack.outputs[PRIMARY_TARGET_GROUP_OUTPUT];
  if (!rule || !primaryArn) {
    throw usageError(`listener rule ${ruleArn} of stack ${stack.name}: cannot read its forward weights, so an update could move live traffic; nothing was changed. Check the rule in the EC2 console (Load Balancers → Listeners), then deploy again`);
  }
  const others = Object.keys(rule).filter((arn) => arn !== primaryArn);
  if (others.length > 1) {
    throw usageError(`listener rule ${ruleArn} of stack ${stack.name} forwards to ${Object.keys(rule).length} target groups, not the app's two; nothing was changed. Put the rule back to the app's groups, then deploy again`);
  }
  return { primary: rule[primaryArn] ?? 0, alternate: others.length ? rule[others[0]] : 0 };
}

/**
 * The parameters to apply, with the live weights. Refuses (exit 2, nothing written) when the
 * caller asked for weights other than the live ones.
 */
export async function passThroughWeights(ops: Ops, stackName: string, body: string, parameters: Parameter[] | undefined): Promise<Parameter[] | undefined> {
  if (!declaresWeights(body)) return parameters;
  const stack = await ops.stacks.describe(stackName);
  const rest = (parameters ?? []).filter((p) => !isWeightParameter(p.ParameterKey));
  if (!stack) return rest; // a new stack: the template's defaults (all traffic on the primary group)
  const ruleArn = stack.outputs[PRODUCTION_RULE_OUTPUT];
  const rule = ruleArn && ops.traffic ? await ops.traffic.ruleWeights(ruleArn) : null;
  const live = liveWeights(stack, rule);
  const asked = Object.fromEntries((parameters ?? []).filter((p) => isWeightParameter(p.ParameterKey)).map((p) => [p.ParameterKey, Number(p.ParameterValue)]));
  const askedPrimary = asked[WEIGHT_PARAMETERS.primary];
  const askedAlternate = asked[WEIGHT_PARAMETERS.alternate];
  if ((askedPrimary !== undefined && askedPrimary !== live.primary) || (askedAlternate !== undefined && askedAlternate !== live.alternate)) {
    throw usageError(
      `stack ${stackName}: this update would set the production weights to ${askedPrimary ?? live.primary}/${askedAlternate ?? live.alternate} while live traffic runs ${live.primary}/${live.alternate}; cyclops never moves traffic through the stack. Nothing was changed; let ECS move it with a deploy, or stop a deployment with "cyclops abort"`,
    );
  }
  const last = { primary: stack.parameters[WEIGHT_PARAMETERS.primary], alternate: stack.parameters[WEIGHT_PARAMETERS.alternate] };
  if (last.primary !== undefined && (Number(last.primary) !== live.primary || Number(last.alternate) !== live.alternate)) {
    say.info(ops.events, 'traffic.weights.moved', { primary: live.primary, alternate: live.alternate, lastPrimary: last.primary, lastAlternate: last.alternate ?? '' }, `traffic: ECS moved the production weights to ${live.primary}/${live.alternate} (the stack last set ${last.primary}/${last.alternate}); passed through unchanged`);
  } else {
    say.debug(ops.events, 'traffic.weights.passed', { ...live }, `traffic: production weights ${live.primary}/${live.alternate} passed through`);
  }
  return [...rest, { ParameterKey: WEIGHT_PARAMETERS.primary, ParameterValue: String(live.primary) }, { ParameterKey: WEIGHT_PARAMETERS.alternate, ParameterValue: String(live.alternate) }];
}

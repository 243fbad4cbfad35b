/** Read a stack's outputs; null when the stack does not exist. */
import type { Aws } from '../aws/client';
import type * as Sdk from '../aws/sdk';
import { awsErrorName, describeAwsError } from '../aws/errors';
import { ENV_OUTPUT, envStack, type EnvOutputKey } from '../naming';
import { usageError } from '../errors';
import type { Config } from '../config/model';

export interface StackSummary {
  name: string;
  id: string;
  status: string;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** StackStatusReason, when CloudFormation gives one */
  reason?: string;
  lastUpdated?: Date;
}

/** True for the error CloudFormation gives for a stack name that does not exist. */
export function isMissingStack(e: unknown): boolean {
  return awsErrorName(e) === 'ValidationError' && /does not exist/.test(String((e as Error)?.message ?? ''));
}

export function toSummary(s: Sdk.cfn.Stack, name = ''): StackSummary {
  return {
    name: s.StackName ?? name,
    id: s.StackId ?? name,
    status: s.StackStatus ?? 'UNKNOWN',
    reason: s.StackStatusReason,
    outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
    tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    lastUpdated: s.LastUpdatedTime ?? s.CreationTime,
  };
}

/** DescribeStacks for one stack, SDK errors passed through (the engine retries throttling). */
export async function fetchStack(aws: Aws, name: string): Promise<StackSummary | null> {
  try {
    const out = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name }));
    const s = out.Stacks?.[0];
    return s && s.StackStatus !== 'DELETE_COMPLETE' ? toSummary(s, name) : null;
  } catch (e) {
    if (isMissingStack(e)) return null;
    throw e;
  }
}

export async function describeStack(aws: Aws, name: string): Promise<StackSummary | null> {
  try {
    return await fetchStack(aws, name);
  } catch (e) {
    throw describeAwsError(e, { action: `describe stack ${name}`, region: aws.region, endpoint: aws.endpoint });
  }
}

export type EnvOutputs = Partial<Record<EnvOutputKey, string>>;

/** The env stack's outputs by their cyclops key; a usage error when the env has no stack. */
export async function envOutputs(aws: Aws, config: Config, env: string): Promise<EnvOutputs> {
  const stack = envStack(config.platform.name, env);
  const s = await describeStack(aws, stack);
  if (!s) throw usageError(`environment ${env}: stack ${stack} does not exist; run "cyclops env create ${env}" first`);
  const out: EnvOutputs = {};
  for (const [k, name] of Object.entries(ENV_OUTPUT) as [EnvOutputKey, string][]) {
    if (s.outputs[name] !== undefined) out[k] = s.outputs[name];
  }
  return out;
}

/** Read a stack's outputs; null when the stack does not exist. */
import type { Aws } from '../aws/client';
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
  lastUpdated?: Date;
}

export async function describeStack(aws: Aws, name: string): Promise<StackSummary | null> {
  try {
    const out = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name }));
    const s = out.Stacks?.[0];
    if (!s) return null;
    if (s.StackStatus === 'DELETE_COMPLETE') return null;
    return {
      name: s.StackName ?? name,
      id: s.StackId ?? name,
      status: s.StackStatus ?? 'UNKNOWN',
      outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
      lastUpdated: s.LastUpdatedTime ?? s.CreationTime,
    };
  } catch (e) {
    const msg = String((e as Error).message ?? '');
    if (awsErrorName(e) === 'ValidationError' && /does not exist/.test(msg)) return null;
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

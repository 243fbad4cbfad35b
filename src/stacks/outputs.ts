/** Read a stack's outputs; null when the stack does not exist. */
import type { Aws } from '../aws/client';
import { getStack, type StackSummary } from '../aws/cloudformation';
import { ENV_OUTPUT, envStack, type EnvOutputKey } from '../naming';
import { usageError } from '../errors';
import type { Config } from '../config/model';

export { isMissingStack, type StackSummary } from '../aws/cloudformation';

/** DescribeStacks for one stack (the engine retries throttling: the error's cause says so). */
export const fetchStack = getStack;

export async function describeStack(aws: Aws, name: string): Promise<StackSummary | null> {
  return getStack(aws, name);
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

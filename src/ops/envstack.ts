/** The env stack's outputs, and when it is missing, the first step that is missing. */
import { usageError, type CyclopsError } from '../errors';
import { envStack } from '../naming';
import type { EnvOutputs } from '../stacks';
import type { Ops } from './context';

/**
 * No config bucket: bootstrap first. The bucket is in another region: the env stack is
 * probably there too, so say the region. Otherwise the environment was never created.
 */
export async function missingEnvError(ops: Ops, env: string): Promise<CyclopsError> {
  const stack = envStack(ops.config.platform.name, env);
  const region = await ops.store.bucketRegion();
  if (region === null) {
    return usageError(`environment ${env}: there is no config bucket ${ops.store.bucket} yet; run "cyclops bootstrap" first, then "cyclops env create ${env}"`);
  }
  if (region !== ops.stacks.region && !ops.config.environments[env]?.aws) {
    return usageError(
      `environment ${env}: stack ${stack} is not in ${ops.stacks.region}, and the config bucket ${ops.store.bucket} is in ${region}; pass --region ${region} (or set platform.region) rather than creating a second environment`,
    );
  }
  return usageError(`environment ${env}: stack ${stack} does not exist; run "cyclops env create ${env}" first`);
}

export async function requireEnvOutputs(ops: Ops, env: string): Promise<EnvOutputs> {
  const outputs = await ops.stacks.envOutputs(env);
  if (!outputs) throw await missingEnvError(ops, env);
  return outputs;
}

/** Who the credentials act as: the account id (`iam-policy` fills its ARNs with it). */
import type { Ops } from './context';

export const callerAccount = (ops: Ops): Promise<string> => ops.identity.account();

/**
 * Each RDS environment's master secret ARN, from its env stack's output (`iam-policy` names
 * exactly these secrets); `missing` lists the environments whose stack has none (not created yet).
 */
export async function masterSecrets(ops: Ops, envs: string[]): Promise<{ found: Record<string, string>; missing: string[] }> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const env of envs) {
    const arn = (await ops.stacks.envOutputs(env))?.databaseMasterSecretArn;
    if (arn) found[env] = arn;
    else missing.push(env);
  }
  return { found, missing };
}

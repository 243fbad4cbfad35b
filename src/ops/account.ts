/** Who the credentials act as: the account id (`iam-policy` fills its ARNs with it). */
import type { EnvAwsConfig } from '../config/model';
import { usageError } from '../errors';
import type { IdentityApi, Ops } from './context';

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

/**
 * The account guard: before anything is read from or written to an environment in its own
 * account, the credentials must act in that account (STS GetCallerIdentity). A mismatch is a
 * usage error (exit 2) naming both accounts, and nothing has been written.
 */
export async function checkEnvAccount(identity: IdentityApi, env: string, aws: EnvAwsConfig): Promise<void> {
  if (!aws.account) return; // the home credentials in another region: nothing to compare with
  const actual = await identity.account();
  if (actual === aws.account) return;
  const how = aws.roleArn
    ? `check that environments.${env}.aws.roleArn (${aws.roleArn}) is the role cyclops should take there`
    : aws.profile
      ? `set environments.${env}.aws.profile to a profile of account ${aws.account} (now "${aws.profile}")`
      : `set environments.${env}.aws.roleArn to a role in account ${aws.account}, or aws.profile to a profile of it`;
  throw usageError(
    `environment ${env}: the credentials act in account ${actual}, but environments.${env}.aws.account is ${aws.account}; nothing was written; ${how}`,
  );
}

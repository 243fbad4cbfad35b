/** Who the credentials act as: the account id (`iam-policy` fills its ARNs with it). */
import type { EnvAwsConfig } from '../config/model';
import { usageError } from '../errors';
import type { IdentityApi, Ops } from './context';

export const callerAccount = (ops: Ops): Promise<string> => ops.identity.account();

/**
 * The ops of an environment where it lives (`environments.<env>.aws`: its account and region,
 * through its role or profile, after the account guard); the platform's own ops for the others.
 */
export type OpsIn = (env: string) => Promise<Ops>;

export interface MasterSecrets {
  found: Record<string, string>;
  /** environments whose env stack has no master secret (not created yet) */
  missing: string[];
  /** environments whose account could not be read (its role not made yet, the account guard): why */
  unreachable: { env: string; reason: string }[];
}

/**
 * Each RDS environment's master secret ARN, from its env stack's output, read where the
 * environment lives (`iam-policy` and the deploy roles name exactly these secrets).
 */
export async function masterSecrets(opsIn: OpsIn, envs: string[]): Promise<MasterSecrets> {
  const out: MasterSecrets = { found: {}, missing: [], unreachable: [] };
  for (const env of envs) {
    let arn: string | undefined;
    try {
      arn = (await (await opsIn(env)).stacks.envOutputs(env))?.databaseMasterSecretArn;
    } catch (e) {
      out.unreachable.push({ env, reason: (e as Error).message.split('\n')[0] });
      continue;
    }
    if (arn) out.found[env] = arn;
    else out.missing.push(env);
  }
  return out;
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

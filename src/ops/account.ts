/** Who the credentials act as: the account id (`iam-policy` fills its ARNs with it). */
import type { EnvAwsConfig } from '../config/model';
import { usageError } from '../errors';
import type { CommandLevel } from '../iam/commands';
import { envReadRoleArn } from '../naming';
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

/**
 * The role a command at `level` assumes in an environment reached through aws.roleArn: read
 * commands take the read role `bootstrap --env` made beside the deploy role (`iam-policy --for read`
 * grants sts:AssumeRole on it alone), every other command the deploy role. An account stack made
 * before read roles existed has none: STS refuses, and the line says to refresh the stack.
 */
export function envRoleFor(platform: string, env: string, aws: EnvAwsConfig, level: CommandLevel | undefined): { arn: string; denied?: string } | undefined {
  if (!aws.roleArn) return undefined;
  if (level !== 'read') return { arn: aws.roleArn };
  const arn = envReadRoleArn(platform, aws.roleArn);
  const account = aws.roleArn.split(':')[4];
  return {
    arn,
    denied: `environment ${env}: cannot assume its read role ${arn} (access denied); read commands take that role, which an account stack made before it does not have: run "cyclops bootstrap --env ${env} --env-profile PROFILE" with administrator credentials of account ${account}, and apply "cyclops iam-policy --for read" to read operators`,
  };
}

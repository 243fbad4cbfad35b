/** STS: who the caller is. */
import type { Aws } from './client';
import { call } from './call';

/** The caller's account id (GetCallerIdentity needs no permission). */
export async function callerAccount(aws: Aws): Promise<string> {
  const out = await call(aws, 'read the account id (STS GetCallerIdentity)', () => aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({})));
  if (!out.Account) throw new Error('STS GetCallerIdentity returned no account');
  return out.Account;
}

/** The caller's ARN (an assumed role's session, a user), for saying who did something. */
export async function callerArn(aws: Aws): Promise<string> {
  const out = await call(aws, 'read who the caller is (STS GetCallerIdentity)', () => aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({})));
  return out.Arn ?? out.UserId ?? 'unknown';
}

/** STS: who the caller is, and credentials of a role in another account. */
import type { Aws, CredentialProvider } from './client';
import { call } from './call';
import { failure, isCyclopsError } from '../errors';

/** The caller's account id (GetCallerIdentity needs no permission). */
export async function callerAccount(aws: Aws): Promise<string> {
  const out = await call(aws, 'read the account id (STS GetCallerIdentity)', () => aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({})));
  if (!out.Account) throw new Error('STS GetCallerIdentity returned no account');
  return out.Account;
}

/** An hour: AssumeRole's default, and within the one-hour ceiling of role chaining (a CI role assuming an environment's role). */
export const ASSUMED_SESSION_SECONDS = 3600;
/** Renew this long before the session ends, so no call is signed with credentials about to expire. */
const RENEW_MS = 5 * 60_000;

/**
 * Credentials of `roleArn`, assumed with `aws`'s (the home) credentials (STS AssumeRole) on first use and
 * again shortly before each session ends, so a deploy that waits longer than a session keeps
 * working. The session name says who acts (it shows in CloudTrail of the other account).
 * `denied`: the one line to fail with when STS refuses (access denied), instead of the generic one.
 */
export function assumedRole(aws: Aws, roleArn: string, sessionName: string, denied?: string): CredentialProvider {
  let current: { value: Awaited<ReturnType<CredentialProvider>>; until: number } | undefined;
  return async () => {
    if (current && Date.now() < current.until - RENEW_MS) return current.value;
    const out = await call(aws, `assume role ${roleArn} (STS AssumeRole)`, () =>
      aws.sts.send(new aws.sdk.sts.AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: ASSUMED_SESSION_SECONDS })),
    ).catch((e: unknown) => {
      throw denied && isCyclopsError(e, 'access-denied') ? failure(denied, e, 'access-denied') : e;
    });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS AssumeRole of ${roleArn} returned no credentials`);
    const expiration = c.Expiration ?? new Date(Date.now() + ASSUMED_SESSION_SECONDS * 1000);
    current = { value: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration }, until: expiration.getTime() };
    return current.value;
  };
}

/** A RoleSessionName (2-64 of [\w+=,.@-]) naming cyclops and the local user. */
export function sessionName(user: string): string {
  return `cyclops-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** The caller's ARN (an assumed role's session, a user), for saying who did something. */
export async function callerArn(aws: Aws): Promise<string> {
  const out = await call(aws, 'read who the caller is (STS GetCallerIdentity)', () => aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({})));
  return out.Arn ?? out.UserId ?? 'unknown';
}

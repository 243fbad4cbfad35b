/**
 * SES v2 reads for `env show`: whether the account may send (the sandbox), and the state of the
 * environment's identity (verification and DKIM). Nothing here sends or changes anything.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName } from './errors';

export interface SesAccount {
  /** still in the sandbox: mail goes only to verified addresses, 200 a day */
  sandbox: boolean;
  sendingEnabled: boolean;
  /** the 24-hour quota (Max24HourSend); absent when SES does not say */
  max24HourSend?: number;
}

export interface SesIdentity {
  /** SUCCESS, PENDING, FAILED, TEMPORARY_FAILURE, NOT_STARTED */
  verification: string;
  /** the Easy DKIM status, same values */
  dkim: string;
  sendingEnabled: boolean;
  /** the custom MAIL FROM domain's status, when there is one */
  mailFrom?: string;
}

/** SES v2 GetAccount: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetAccount.html */
export async function sesAccount(aws: Aws): Promise<SesAccount> {
  const out = await call(aws, 'read the SES account (SES GetAccount)', () => aws.sesv2.send(new aws.sdk.sesv2.GetAccountCommand({})));
  return {
    sandbox: out.ProductionAccessEnabled !== true,
    sendingEnabled: out.SendingEnabled !== false,
    ...(out.SendQuota?.Max24HourSend !== undefined ? { max24HourSend: out.SendQuota.Max24HourSend } : {}),
  };
}

/** SES v2 GetEmailIdentity; null when SES has no such identity. https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html */
export async function sesIdentity(aws: Aws, identity: string): Promise<SesIdentity | null> {
  const out = await callOr(
    aws,
    `read SES identity ${identity} (SES GetEmailIdentity)`,
    () => aws.sesv2.send(new aws.sdk.sesv2.GetEmailIdentityCommand({ EmailIdentity: identity })),
    (e) => (awsErrorName(e) === 'NotFoundException' ? null : undefined),
  );
  if (!out) return null;
  return {
    verification: out.VerificationStatus ?? (out.VerifiedForSendingStatus ? 'SUCCESS' : 'PENDING'),
    dkim: out.DkimAttributes?.Status ?? 'NOT_STARTED',
    sendingEnabled: out.VerifiedForSendingStatus === true,
    ...(out.MailFromAttributes?.MailFromDomainStatus ? { mailFrom: out.MailFromAttributes.MailFromDomainStatus } : {}),
  };
}

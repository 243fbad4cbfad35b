/**
 * What `env show` says about the environment's email: the identity's verification and DKIM
 * status (SES v2 GetEmailIdentity) and whether the account may send to anyone (GetAccount: in
 * the sandbox, mail goes only to verified addresses, 200 a day).
 */
import type { SesIdentity } from '../aws/sesv2';
import type { Ops } from '../ops/context';

/** Where AWS lifts the sandbox, once per account and region. */
export const SANDBOX_DOC = 'https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html';

export interface EmailStatus {
  domain: string;
  /** null: SES has no such identity (the environment stack was not updated since email was set) */
  identity: SesIdentity | null;
  sandbox: boolean;
  sendingEnabled: boolean;
  /** the reads failed (permissions, SES unavailable in the region): why, and nothing else is known */
  unavailable?: string;
}

export async function emailStatus(ops: Ops, env: string): Promise<EmailStatus | null> {
  const e = ops.config.environments[env]?.email;
  if (!e) return null;
  try {
    const [account, identity] = await Promise.all([ops.email.account(), ops.email.identity(e.domain)]);
    return { domain: e.domain, identity, sandbox: account.sandbox, sendingEnabled: account.sendingEnabled };
  } catch (err) {
    return { domain: e.domain, identity: null, sandbox: true, sendingEnabled: false, unavailable: err instanceof Error ? err.message : String(err) };
  }
}

/** The one line `env show` prints. */
export function emailLine(s: EmailStatus): string {
  if (s.unavailable) return `${s.domain}: SES status unavailable (${s.unavailable})`;
  const identity = s.identity
    ? `identity ${s.identity.verification.toLowerCase()}, DKIM ${s.identity.dkim.toLowerCase()}${s.identity.mailFrom ? `, MAIL FROM ${s.identity.mailFrom.toLowerCase()}` : ''}`
    : 'no SES identity yet (run "cyclops env update")';
  const account = s.sandbox
    ? `SES sandbox: only verified recipients get mail, 200 a day; ask AWS to lift it: ${SANDBOX_DOC}`
    : s.sendingEnabled
      ? 'production access'
      : 'sending is paused for the account';
  return `${s.domain}: ${identity}; ${account}`;
}

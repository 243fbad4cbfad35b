/**
 * The certificate of an app's domains whose zone is elsewhere: which of the app's tagged ACM
 * certificates the stack should carry (ExternalCertificateArn), and the idempotency token a
 * request for a set of names uses. `cyclops domains` requests it; every deploy passes the
 * issued one to the stack, so a deploy after ACM issued it attaches it.
 */
import { createHash } from 'node:crypto';
import type { CertificateInfo } from '../aws/acm';
import { externalDomains, hasExternalCertificate } from '../config/domains';
import { appConfig } from '../config/model';
import { say } from '../events';
import { EXTERNAL_CERTIFICATE_PARAMETER } from '../plan';
import type { AppTarget } from '../plan/target';
import type { StackSummary } from '../stacks';
import type { Ops } from './context';

/** Statuses from which a certificate can still be (or is) issued; the others are dead ends. */
export const LIVE_STATUSES = ['PENDING_VALIDATION', 'ISSUED'];

/** The same names, in any order (ACM keeps the domain name first). */
export const sameNames = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

/** The app's certificate for exactly these names that is issued or on its way (issued first); null when none. */
export function currentCertificate(certs: CertificateInfo[], names: string[]): CertificateInfo | null {
  const mine = certs.filter((c) => sameNames(c.names, names) && LIVE_STATUSES.includes(c.status));
  return mine.find((c) => c.status === 'ISSUED') ?? mine[0] ?? null;
}

/**
 * The ARN the stack's ExternalCertificateArn takes: the issued certificate for exactly the
 * external names; else the one the stack has while it is still issued (a changed list keeps
 * serving the names it covers until the new certificate is issued); else '' (none).
 */
export function certificateToAttach(certs: CertificateInfo[], names: string[], attached: string | undefined): string {
  const cur = currentCertificate(certs, names);
  if (cur?.status === 'ISSUED') return cur.arn;
  const kept = attached ? certs.find((c) => c.arn === attached && c.status === 'ISSUED') : undefined;
  return kept ? kept.arn : '';
}

/**
 * RequestCertificate's IdempotencyToken (\w, at most 32): from the app and its names, so a
 * rerun within ACM's hour gets the same certificate, not a second one; the dead certificates
 * for the same names go in, so a new request after a failed validation is a new certificate.
 */
export function requestToken(t: AppTarget, names: string[], dead: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([t.platform, t.env, t.app, [...names].sort(), [...dead].sort()]))
    .digest('hex')
    .slice(0, 32);
}

/** Deploy's read step: the certificate the stack takes (''), and a warning while there is none to take. */
export async function externalCertificateFor(ops: Ops, t: AppTarget, stack: StackSummary | null): Promise<string | undefined> {
  const app = appConfig(ops.config, t.app, t.env);
  if (!hasExternalCertificate(ops.config, t.env, app)) return undefined;
  const names = externalDomains(ops.config, t.env, app);
  const certs = await ops.certificates.list(t.env, t.app);
  const arn = certificateToAttach(certs, names, stack?.parameters[EXTERNAL_CERTIFICATE_PARAMETER] || undefined);
  const cur = currentCertificate(certs, names);
  if (cur?.status !== 'ISSUED') {
    const state = cur ? `its certificate is ${cur.status}` : 'no certificate was requested for them';
    say.warn(
      ops.events,
      'deploy.domains.certificate-pending',
      { app: t.app, env: t.env, names, status: cur?.status ?? null },
      `${names.join(', ')}: ${state}, so HTTPS for ${names.length > 1 ? 'them' : 'it'} ${arn ? 'keeps the certificate the stack has' : 'is not served yet'}; "cyclops domains ${t.app} ${t.env}" ${cur ? 'prints the DNS records ACM waits for' : 'requests it and prints the DNS records to create'}`,
    );
  }
  return arn;
}

/**
 * `cyclops domains APP ENV [--prune]`: the custom domains whose DNS zone is elsewhere.
 *
 * 1. read    the config's external names, the env stack's load balancer, the app stack, the
 *            release pointer and the app's tagged ACM certificates
 * 2. decide  request a certificate (none issued or pending for exactly these names)? attach the
 *            issued one (the stack's ExternalCertificateArn differs)? delete stale ones (--prune)?
 * 3. write   only if any of those, under the app lock, after reading again:
 *            RequestCertificate (DNS validation, idempotency token from the names), the current
 *            release's own template re-applied with ExternalCertificateArn set (a release of
 *            kind "domains"), DeleteCertificate of certificates nothing uses
 * 4. report  the exact records to create at the DNS provider: each validation CNAME ACM gives,
 *            and per domain a CNAME to the load balancer (ALIAS/ANAME at a zone apex)
 *
 * The certificate is requested through the API, not as a stack resource: CloudFormation would
 * hold the app stack in CREATE_IN_PROGRESS until someone created the validation records
 * elsewhere, blocking every deploy. ACM issues it once the records resolve; the next deploy
 * (or this command) then puts it on the HTTPS listener.
 */
import type { CertificateInfo } from '../aws/acm';
import { externalDomains, hasExternalCertificate } from '../config/domains';
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { EXTERNAL_CERTIFICATE_PARAMETER } from '../plan';
import type { AppTarget } from '../plan/target';
import type { EnvOutputs, StackSummary } from '../stacks';
import type { ReleaseState } from '../store';
import { now, type Ops } from './context';
import { checkOwner } from './desired-state';
import { domainStates, type DomainState } from './domain-states';
import { requireEnvOutputs } from './envstack';
import { certificateToAttach, currentCertificate, LIVE_STATUSES, requestToken, sameNames } from './external-certificate';
import { withAppLock, type LockScope } from './lock';
import { reapply, requireTemplate } from './reapply';

export interface DnsRecord {
  /** validation: ACM's proof of control; traffic: the domain to the load balancer */
  purpose: 'validation' | 'traffic';
  domain: string;
  name: string;
  /** ALIAS: a CNAME cannot sit at a zone apex; the provider's ALIAS/ANAME/flattened CNAME (or a Route 53 zone) does this */
  type: string;
  value: string;
}

export type Attachment =
  /** the stack now carries the issued certificate */
  | 'attached'
  /** it carried it already */
  | 'already'
  /** ACM has not issued it yet: create the validation records */
  | 'pending-validation'
  /** no release whose template takes it (not deployed, or deployed before these domains): the next deploy attaches it */
  | 'needs-deploy'
  /** no domains elsewhere, or no HTTPS listener (tls.mode "none") */
  | 'not-needed'
  /** the certificate failed or timed out; delete it with --prune and run again for a new one */
  | 'failed';

export interface DomainsResult {
  app: string;
  env: string;
  https: boolean;
  /** the load balancer's DNS name: the target of every traffic record */
  loadBalancer: string | null;
  domains: DomainState[];
  /** the certificate for the domains elsewhere (null: none needed, or HTTP only) */
  certificate: (CertificateInfo & { requested: boolean }) | null;
  records: DnsRecord[];
  attached: Attachment;
  /** the stack release that attached it */
  release: number | null;
  /** certificates for an earlier list of names; deleted with --prune unless in use */
  stale: { arn: string; names: string[]; status: string; outcome?: 'deleted' | 'in-use' | 'missing' }[];
}

export interface DomainsOptions {
  prune?: boolean;
  timeoutSeconds?: number;
  /** how long to wait for ACM to publish the validation records (default 30 s) */
  recordWaitMs?: number;
  pollMs?: number;
}

interface Seen {
  stack: StackSummary | null;
  release: ReleaseState;
  certs: CertificateInfo[];
}

/** A name with two labels (acme.com) is a zone apex wherever its zone is; deeper names may be too (acme.co.uk), the note says so. */
const isApex = (name: string) => name.split('.').length === 2;

export async function domains(ops: Ops, t: AppTarget, opts: DomainsOptions = {}): Promise<DomainsResult> {
  const started = now(ops);
  const app = appConfig(ops.config, t.app, t.env);
  if (app.domains.length && !app.processes.some((p) => p.kind === 'web')) {
    throw usageError(`${t.app} in ${t.env}: has domains but no "web" process to route them to; add one or remove the domains from ${ops.config.file}`);
  }
  const https = ops.config.environments[t.env].tls.mode !== 'none';
  const names = externalDomains(ops.config, t.env, app);
  const outputs = await requireEnvOutputs(ops, t.env);
  const read = async (): Promise<Seen> => {
    const [stack, release, certs] = await Promise.all([
      ops.stacks.describe(appStack(t.platform, t.env, t.app)),
      ops.store.readRelease(t.env, t.app),
      https ? ops.certificates.list(t.env, t.app) : Promise.resolve([]),
    ]);
    checkOwner(stack, t);
    return { stack, release, certs };
  };
  let seen = await read();
  let decided = decide(ops, t, names, https, seen, !!opts.prune);
  let requested = false;
  let release: number | null = null;
  let outcomes = new Map<string, 'deleted' | 'in-use' | 'missing'>();
  if (decided.request || decided.attach || decided.prune.length) {
    await withAppLock(ops, t, 'domains', async (scope) => {
      seen = await read(); // converge on what is there now
      decided = decide(ops, t, names, https, seen, !!opts.prune);
      if (decided.request) {
        scope.checkpoint();
        const dead = seen.certs.filter((c) => sameNames(c.names, names) && !LIVE_STATUSES.includes(c.status)).map((c) => c.arn);
        const arn = await ops.certificates.request(t.env, t.app, names, requestToken(t, names, dead));
        say.step(ops.events, 'domains.certificate.requested', { app: t.app, env: t.env, arn, names }, `requested certificate ${arn} for ${names.join(', ')} (DNS validation)`);
        requested = true;
        const info = await ops.certificates.describe(arn);
        if (info) seen = { ...seen, certs: [...seen.certs.filter((c) => c.arn !== arn), info] };
        decided = decide(ops, t, names, https, seen, !!opts.prune);
      }
      if (decided.attach) {
        release = await attach(ops, t, scope, seen, decided.attach, opts, started);
        // the certificate the stack had is now stale: --prune deletes it in this same run
        seen = { ...seen, stack: await ops.stacks.describe(appStack(t.platform, t.env, t.app)), release: await ops.store.readRelease(t.env, t.app) };
        decided = decide(ops, t, names, https, seen, !!opts.prune);
      }
      if (decided.prune.length) outcomes = await prune(ops, decided.prune);
    });
  }
  const cur = https && names.length ? await withRecords(ops, currentCertificate(seen.certs, names), opts) : null;
  if (cur) seen = { ...seen, certs: seen.certs.map((c) => (c.arn === cur.arn ? cur : c)) };
  const stale = staleCertificates(seen, names, decided.keep).map((c) => ({ arn: c.arn, names: c.names, status: c.status, ...(outcomes.has(c.arn) ? { outcome: outcomes.get(c.arn) } : {}) }));
  const left = stale.filter((s) => s.outcome !== 'deleted' && s.outcome !== 'missing');
  if (left.length && !opts.prune) say.info(ops.events, 'domains.certificate.stale', { app: t.app, env: t.env, arns: left.map((s) => s.arn) }, `${left.length} certificate(s) for an earlier list of domains remain (${left.map((s) => s.arn).join(', ')}); "cyclops domains ${t.app} ${t.env} --prune" deletes those nothing uses`);
  const attached = attachment(ops, t, names, https, seen, cur, release);
  const result: DomainsResult = {
    app: t.app,
    env: t.env,
    https,
    loadBalancer: outputs.loadBalancerDnsName ?? null,
    domains: await domainStates(ops, t, seen.stack, outputs, seen.certs),
    certificate: cur ? { ...cur, requested } : null,
    records: records(names, cur, outputs),
    attached,
    release,
    stale,
  };
  say.success(ops.events, 'domains.done', { app: t.app, env: t.env, certificate: cur?.arn ?? null, status: cur?.status ?? null, attached }, summary(result));
  return result;
}

interface Decision {
  request: boolean;
  /** the ARN to put on the stack; null: nothing to attach now */
  attach: string | null;
  prune: CertificateInfo[];
  /** certificates that stay whatever happens: the current one and the one the stack has */
  keep: string[];
}

/** What this run writes, from what was read. */
function decide(ops: Ops, t: AppTarget, names: string[], https: boolean, seen: Seen, prune: boolean): Decision {
  const app = appConfig(ops.config, t.app, t.env);
  const onStack = seen.stack?.parameters[EXTERNAL_CERTIFICATE_PARAMETER] || undefined;
  const cur = names.length ? currentCertificate(seen.certs, names) : null;
  const want = hasExternalCertificate(ops.config, t.env, app) ? certificateToAttach(seen.certs, names, onStack) : '';
  const takes = seen.stack !== null && seen.release.state === 'ok' && seen.release.record.parameters?.[EXTERNAL_CERTIFICATE_PARAMETER] !== undefined;
  const keep = [cur?.arn, want, onStack].filter((a): a is string => !!a);
  return {
    request: https && names.length > 0 && !cur,
    attach: takes && want && want !== onStack ? want : null,
    prune: prune ? staleCertificates(seen, names, keep) : [],
    keep,
  };
}

/** The app's certificates that are neither current nor on the stack (an earlier list of names, or failed). */
const staleCertificates = (seen: Seen, names: string[], keep: string[]): CertificateInfo[] => seen.certs.filter((c) => !keep.includes(c.arn) && !(sameNames(c.names, names) && LIVE_STATUSES.includes(c.status)));

/** Re-apply the current release's template with the certificate set: a release of kind "domains". */
async function attach(ops: Ops, t: AppTarget, scope: LockScope, seen: Seen, arn: string, opts: DomainsOptions, started: number): Promise<number | null> {
  if (seen.release.state !== 'ok') return null;
  const base = seen.release.record;
  const template = await requireTemplate(ops, base, 'domains');
  say.step(ops.events, 'domains.certificate.attaching', { app: t.app, env: t.env, arn, release: base.number ?? null }, `attaching certificate ${arn} to the HTTPS listener (release ${base.number} with ${EXTERNAL_CERTIFICATE_PARAMETER} set)`);
  const r = await reapply(ops, t, scope, { base, parameters: { ...template.parameters, [EXTERNAL_CERTIFICATE_PARAMETER]: arn }, kind: 'domains', timeoutSeconds: opts.timeoutSeconds, started });
  return r.release?.number ?? null;
}

async function prune(ops: Ops, stale: CertificateInfo[]): Promise<Map<string, 'deleted' | 'in-use' | 'missing'>> {
  const out = new Map<string, 'deleted' | 'in-use' | 'missing'>();
  for (const c of stale) {
    const outcome = await ops.certificates.delete(c.arn); // ACM refuses one a listener still has
    out.set(c.arn, outcome);
    say.info(ops.events, 'domains.certificate.deleted', { arn: c.arn, outcome }, outcome === 'in-use' ? `certificate ${c.arn}: still in use (${c.inUseBy.join(', ') || 'a listener'}); kept` : `certificate ${c.arn}: ${outcome}`);
  }
  return out;
}

/** ACM publishes the validation records a few seconds after the request: wait for them (bounded), then report what there is. */
async function withRecords(ops: Ops, cert: CertificateInfo | null, opts: DomainsOptions): Promise<CertificateInfo | null> {
  if (!cert) return null;
  const lacking = (c: CertificateInfo) => (c.status === 'PENDING_VALIDATION' ? c.validation.filter((v) => !v.record).map((v) => v.domain) : []);
  const until = now(ops) + (opts.recordWaitMs ?? 30_000);
  let c = cert;
  while ((lacking(c).length || !c.validation.length) && c.status === 'PENDING_VALIDATION' && now(ops) < until && !ops.signal.aborted) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
    c = (await ops.certificates.describe(c.arn)) ?? c;
  }
  if (lacking(c).length) say.info(ops.events, 'domains.certificate.waiting-records', { arn: c.arn, missing: lacking(c) }, `ACM has not published the validation record of ${lacking(c).join(', ')} yet; run the command again in a minute`);
  return c;
}

/** The records to create at the DNS provider. */
function records(names: string[], cert: CertificateInfo | null, outputs: EnvOutputs): DnsRecord[] {
  const out: DnsRecord[] = [];
  const seen = new Set<string>();
  for (const v of cert?.status === 'PENDING_VALIDATION' || cert?.status === 'ISSUED' ? cert.validation : []) {
    if (!v.record || seen.has(v.record.name)) continue; // names may share one record
    seen.add(v.record.name);
    out.push({ purpose: 'validation', domain: v.domain, name: v.record.name, type: v.record.type, value: v.record.value });
  }
  const lb = outputs.loadBalancerDnsName;
  if (lb) for (const n of names) out.push({ purpose: 'traffic', domain: n, name: `${n}.`, type: isApex(n) ? 'ALIAS' : 'CNAME', value: `${lb}.` });
  return out;
}

function attachment(ops: Ops, t: AppTarget, names: string[], https: boolean, seen: Seen, cur: CertificateInfo | null, release: number | null): Attachment {
  if (!https || !names.length) return 'not-needed';
  if (release !== null) return 'attached';
  if (!cur) return 'failed';
  const onStack = seen.stack?.parameters[EXTERNAL_CERTIFICATE_PARAMETER];
  if (cur.status === 'ISSUED') return onStack === cur.arn ? 'already' : 'needs-deploy';
  return LIVE_STATUSES.includes(cur.status) ? 'pending-validation' : 'failed';
}

function summary(r: DomainsResult): string {
  const c = r.certificate;
  switch (r.attached) {
    case 'not-needed':
      return r.https ? `${r.app} in ${r.env}: no domains outside this account's zones` : `${r.app} in ${r.env}: environment ${r.env} serves HTTP only (tls.mode "none"); no certificate`;
    case 'attached':
      return `certificate ${c?.arn} is on the HTTPS listener (release ${r.release})`;
    case 'already':
      return `certificate ${c?.arn} is issued and on the HTTPS listener`;
    case 'needs-deploy':
      return `certificate ${c?.arn} is issued; "cyclops deploy IMAGE ${r.app} ${r.env}" puts it on the HTTPS listener (the running release predates these domains)`;
    case 'pending-validation':
      return `certificate ${c?.arn} waits for validation: create the records below at your DNS provider; ACM checks them every few minutes`;
    case 'failed':
      return `certificate ${c?.arn ?? '-'} is ${c?.status ?? 'missing'}${c?.failureReason ? ` (${c.failureReason})` : ''}; fix the records, then "cyclops domains ${r.app} ${r.env} --prune" deletes it and requests a new one`;
  }
}

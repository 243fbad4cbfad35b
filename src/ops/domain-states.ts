/**
 * Each custom domain of an app as it is now: which zone holds it, the state of the certificate
 * that covers it, and whether its DNS reaches the load balancer. `status` and `domains` show
 * these. Domains in a zone of the account: the stack's own certificate (DomainCertificate) and
 * its alias record in Route 53. Domains elsewhere: the certificate `cyclops domains` requested
 * and a public DNS lookup ("unknown" when it cannot tell; never a failure).
 */
import type { CertificateInfo } from '../aws/acm';
import { externalDomains, resolveDomains } from '../config/domains';
import { appConfig } from '../config/model';
import { appStack } from '../naming';
import { EXTERNAL_CERTIFICATE_PARAMETER } from '../plan';
import type { AppTarget } from '../plan/target';
import type { EnvOutputs, StackSummary } from '../stacks';
import { DOMAIN_CERTIFICATE } from '../../templates/app-domains';
import type { Ops } from './context';
import { currentCertificate } from './external-certificate';

export interface DomainState {
  name: string;
  /** "env": the environment's zone; "account": another zone of this account; "external": elsewhere */
  zone: 'env' | 'account' | 'external';
  /** the hosted zone id (null: elsewhere, or the env's zone before its stack reports it) */
  zoneId: string | null;
  certificate: {
    /** null: none yet */
    arn: string | null;
    /** ACM's status (ISSUED, PENDING_VALIDATION, FAILED...); NONE before one exists; HTTP when the environment has no TLS */
    status: string;
    /** on the HTTPS listener (the stack has it) */
    attached: boolean;
  };
  /**
   * points: an alias record (account zones) or public DNS (elsewhere) sends it to the load
   * balancer; missing: no alias record; elsewhere: public DNS answers something else;
   * unknown: could not tell (offline, a slow resolver, the load balancer's name unknown)
   */
  dns: 'points' | 'missing' | 'elsewhere' | 'unknown';
}

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

/** The states of the app's domains (in config order); [] when it has none. `certs`: the app's external certificates, when already read. */
export async function domainStates(ops: Ops, t: AppTarget, stack: StackSummary | null, outputs: EnvOutputs | null, certs?: CertificateInfo[]): Promise<DomainState[]> {
  const app = appConfig(ops.config, t.app, t.env);
  if (!app.domains.length || !app.processes.some((p) => p.kind === 'web')) return [];
  const https = ops.config.environments[t.env].tls.mode !== 'none';
  const resolved = resolveDomains(ops.config, t.env, app);
  const external = externalDomains(ops.config, t.env, app);
  const lb = outputs?.loadBalancerDnsName ? bare(outputs.loadBalancerDnsName) : null;
  // the stack's own certificate for the domains in zones of this account
  const stackCert = https && stack && resolved.some((d) => d.zone !== null) ? await ownCertificate(ops, t) : null;
  const ext = https && external.length ? currentCertificate(certs ?? (await ops.certificates.list(t.env, t.app)), external) : null;
  const attachedExternal = stack?.parameters[EXTERNAL_CERTIFICATE_PARAMETER] || null;
  return Promise.all(
    resolved.map(async (d): Promise<DomainState> => {
      const zoneId = d.zone === 'env' ? (outputs?.hostedZoneId ?? null) : d.zone;
      const zone = d.zone === null ? 'external' : d.zone === 'env' ? 'env' : 'account';
      const cert = !https ? { arn: null, status: 'HTTP', attached: false } : d.zone === null ? certOf(ext, attachedExternal) : certOf(stackCert, stackCert?.arn ?? null);
      let dns: DomainState['dns'] = 'unknown';
      if (lb && d.zone !== null && zoneId) {
        const target = await ops.dns.aliasTarget(zoneId, d.name);
        dns = target === null ? 'missing' : bare(target) === lb ? 'points' : 'elsewhere';
      } else if (lb && d.zone === null) {
        const answer = await ops.dns.resolvesTo(d.name, lb);
        dns = answer === 'yes' ? 'points' : answer === 'no' ? 'elsewhere' : 'unknown';
      }
      return { name: d.name, zone, zoneId, certificate: cert, dns };
    }),
  );
}

const certOf = (c: CertificateInfo | null, attached: string | null): DomainState['certificate'] =>
  c ? { arn: c.arn, status: c.status, attached: attached === c.arn } : { arn: null, status: 'NONE', attached: false };

/** The stack's DomainCertificate, described; null before the stack made it. */
async function ownCertificate(ops: Ops, t: AppTarget): Promise<CertificateInfo | null> {
  const resources = await ops.stacks.resources(appStack(t.platform, t.env, t.app));
  const arn = resources.find((r) => r.logicalId === DOMAIN_CERTIFICATE)?.physicalId;
  return arn ? ops.certificates.describe(arn) : null;
}

/**
 * Custom domains of an app in an environment: which hosted zone holds each (resolved from
 * config, so templates stay pure and every re-render is the same), how many listener rules
 * the host names take, and the priorities those rules get. Pure.
 *
 * A domain's zone, the most specific of:
 * - the `hostedZoneId` its own entry gives (a zone in this account);
 * - the environment's own zone (`dns.domain`, given or created by the env stack), when the
 *   domain is under it;
 * - a zone another entry of the list gives, or another environment's given `dns.hostedZoneId`,
 *   when the domain is under that entry's name or that environment's domain.
 * Otherwise the zone is elsewhere ("external"): the listener rule answers for it, and
 * `cyclops domains APP ENV` prints the records to create there.
 *
 * Limits (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
 * 5 condition values per rule (not adjustable), 100 rules and 25 certificates (besides the
 * default one) per load balancer. ACM: 10 names per certificate by default
 * (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html).
 */
import { appHost } from '../naming';
import type { AppConfig, Config } from './model';

export const MAX_CONDITION_VALUES = 5;
export const MAX_RULES_PER_LISTENER = 100;
export const MAX_CERTIFICATES_PER_LISTENER = 25;
export const MAX_NAMES_PER_CERTIFICATE = 10;
export const MAX_RULE_PRIORITY = 50000;

/** "env": the environment's own zone (its stack exports the id); a string: that zone id; null: elsewhere. */
export type DomainZone = 'env' | string | null;
export interface ResolvedDomain {
  name: string;
  zone: DomainZone;
}

const under = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

export function resolveDomains(config: Config, env: string, app: AppConfig): ResolvedDomain[] {
  const e = config.environments[env];
  const candidates: { suffix: string; zone: DomainZone }[] = [
    ...app.domains.filter((d) => d.hostedZoneId).map((d) => ({ suffix: d.name, zone: d.hostedZoneId! })),
    { suffix: e.dns.domain, zone: 'env' as const },
    ...Object.values(config.environments)
      .filter((o) => o.name !== env && o.dns.hostedZoneId)
      .map((o) => ({ suffix: o.dns.domain, zone: o.dns.hostedZoneId! })),
  ];
  return app.domains.map((d) => {
    if (d.hostedZoneId) return { name: d.name, zone: d.hostedZoneId };
    const best = candidates.filter((c) => under(d.name, c.suffix)).sort((a, b) => b.suffix.length - a.suffix.length)[0];
    return { name: d.name, zone: best ? best.zone : null };
  });
}

/** Every host name of the web process: APP.<env domain> first, then the custom domains. */
export const webHosts = (config: Config, env: string, app: AppConfig): string[] => [appHost(app.name, config.environments[env].dns.domain), ...app.domains.map((d) => d.name)];

/** Host names per listener rule: 5 condition values, less the allow list's source CIDRs. */
export const hostsPerRule = (app: AppConfig) => Math.max(1, MAX_CONDITION_VALUES - app.allow.length); // allow takes at most 4 (rules-processes)

/** The host names in groups of one rule each, in order. */
export function hostChunks(hosts: string[], perRule: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < hosts.length; i += perRule) out.push(hosts.slice(i, i + perRule));
  return out;
}

/**
 * Listener-rule priorities of an app: blocks of the size of ports.range above its port. Rule i
 * forwards at port + i × size; with an allow list, forward rules take the even blocks and
 * their 403 rules the odd ones (port + (2i+1) × size, after their own forward rule). Rule 0 is
 * the port itself and its 403 rule the block above, as always.
 */
export function rulePriorities(config: Config, port: number, chunks: number, allow: boolean): { forward: number[]; deny: number[] } {
  const [lo, hi] = config.ports.range;
  const size = hi - lo + 1;
  const forward = Array.from({ length: chunks }, (_, i) => port + (allow ? 2 * i : i) * size);
  const deny = allow ? Array.from({ length: chunks }, (_, i) => port + (2 * i + 1) * size) : [];
  return { forward, deny };
}

/** Listener rules the app takes: one per group of host names, twice that with an allow list. */
export function rulesOf(config: Config, env: string, app: AppConfig): number {
  if (!app.processes.some((p) => p.kind === 'web')) return 0;
  const chunks = hostChunks(webHosts(config, env, app), hostsPerRule(app)).length;
  return app.allow.length ? 2 * chunks : chunks;
}

/** Whether the app's custom domains get a certificate in its stack (those in a zone of this account, on HTTPS). */
export const certifiedDomains = (config: Config, env: string, app: AppConfig): ResolvedDomain[] =>
  config.environments[env].tls.mode === 'none' ? [] : resolveDomains(config, env, app).filter((d) => d.zone !== null);

/** The app's custom domains whose zone is elsewhere: `cyclops domains` requests their certificate. */
export const externalDomains = (config: Config, env: string, app: AppConfig): string[] => resolveDomains(config, env, app).filter((d) => d.zone === null).map((d) => d.name);

/** The app stack has the ExternalCertificateArn parameter: external domains on HTTPS (templates/app-domains.ts). */
export const hasExternalCertificate = (config: Config, env: string, app: AppConfig): boolean =>
  config.environments[env].tls.mode !== 'none' && app.processes.some((p) => p.kind === 'web') && externalDomains(config, env, app).length > 0;

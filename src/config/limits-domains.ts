/**
 * Custom domains against what AWS allows (see domains.ts for the sources): rule priorities
 * within 1..50000, names per certificate, certificates and rules per load balancer, and each
 * host name served by one app only. Errors carry the key path that fixes them.
 */
import { appHost } from '../naming';
import { appsIn, type AppConfig, type Config } from './model';
import {
  certifiedDomains,
  externalDomains,
  hasExternalCertificate,
  hostChunks,
  hostsPerRule,
  MAX_CERTIFICATES_PER_LISTENER,
  MAX_NAMES_PER_CERTIFICATE,
  MAX_RULE_PRIORITY,
  MAX_RULES_PER_LISTENER,
  rulePriorities,
  rulesOf,
  webHosts,
} from './domains';

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Where an app's setting in an environment lives: under `environments.<env>` when the environment has its own settings. */
export const appPath = (config: Config, app: AppConfig, env: string, ...rest: (string | number)[]) =>
  config.apps[app.name]?.byEnv?.[env] ? ['apps', app.name, 'environments', env, ...rest] : ['apps', app.name, ...rest];

export function domainProblems(config: Config, env: string): { errors: Problem[]; warnings: string[] } {
  const errors: Problem[] = [];
  const apps = appsIn(config, env);
  const hi = config.ports.range[1];
  const owner = new Map<string, string>();
  for (const a of apps) if (a.processes.some((p) => p.kind === 'web')) owner.set(appHost(a.name, config.environments[env].dns.domain), a.name);
  let certificates = 0;
  for (const a of apps) {
    if (!a.domains.length) continue;
    const at = (...k: (string | number)[]) => appPath(config, a, env, 'domains', ...k);
    if (!a.processes.some((p) => p.kind === 'web')) {
      errors.push({ path: at(), message: 'applies only to an app with a "web" process (the load balancer routes the domains to it); remove it' });
      continue;
    }
    a.domains.forEach((d, i) => {
      const other = owner.get(d.name);
      if (other) errors.push({ path: at(i), message: `"${d.name}" is already served in environment ${env} by ${other === a.name ? 'this app' : `app ${other}`}; list each host name once` });
      else owner.set(d.name, a.name);
    });
    const chunks = hostChunks(webHosts(config, env, a), hostsPerRule(a)).length;
    const { forward, deny } = rulePriorities(config, hi, chunks, a.allow.length > 0);
    const top = Math.max(...forward, ...deny);
    if (top > MAX_RULE_PRIORITY) {
      errors.push({
        path: at(),
        message: `needs ${forward.length + deny.length} listener rules (5 condition values each${a.allow.length ? `, ${a.allow.length} of them the allow list` : ''}), whose priorities would reach ${top}, above ${MAX_RULE_PRIORITY}; list fewer domains, or use a smaller ports.range (the rules of an app take blocks of its size above its port)`,
      });
    }
    const certified = certifiedDomains(config, env, a);
    if (certified.length > MAX_NAMES_PER_CERTIFICATE) {
      errors.push({ path: at(), message: `has ${certified.length} domains in zones of this account, more than the ${MAX_NAMES_PER_CERTIFICATE} names ACM puts on one certificate by default; list at most ${MAX_NAMES_PER_CERTIFICATE}` });
    }
    const external = hasExternalCertificate(config, env, a) ? externalDomains(config, env, a) : [];
    if (external.length > MAX_NAMES_PER_CERTIFICATE) {
      errors.push({ path: at(), message: `has ${external.length} domains whose zone is elsewhere, more than the ${MAX_NAMES_PER_CERTIFICATE} names ACM puts on one certificate by default (cyclops domains requests one for them); list at most ${MAX_NAMES_PER_CERTIFICATE}` });
    }
    // the stack's certificate for zones of the account, and the one `cyclops domains` requests for the others
    certificates += (certified.length ? 1 : 0) + (external.length ? 1 : 0);
  }
  if (certificates > MAX_CERTIFICATES_PER_LISTENER) {
    errors.push({
      path: ['environments', env],
      message: `needs ${certificates} certificates for custom domains on its HTTPS listener (one per app for domains in zones of this account, one per app for domains elsewhere), more than the ${MAX_CERTIFICATES_PER_LISTENER} certificates a load balancer listener takes besides its default one; move apps to another environment`,
    });
  }
  const rules = apps.reduce((n, a) => n + rulesOf(config, env, a), 0);
  // (without custom domains, "more than 100 web apps" says it already)
  const warnings =
    rules > MAX_RULES_PER_LISTENER && apps.some((a) => a.domains.length)
      ? [`environment ${env}: its apps need ${rules} listener rules, more than the ${MAX_RULES_PER_LISTENER} a load balancer has by default; ask AWS for a higher "Rules per Application Load Balancer" quota, or move apps to another environment`]
      : [];
  return { errors, warnings };
}

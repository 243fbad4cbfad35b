/**
 * Limits AWS enforces that config alone can check, on the resolved config: load-balancer host
 * headers, ACM certificate names, and task sizes against EC2 container instances.
 */
import { appHost } from '../naming';
import { appsIn, processArch, type AppConfig, type Config } from './model';
import { appPath, domainProblems, type Problem } from './limits-domains';
import { instanceArch, instanceCpu, instanceSpec, instanceTaskMemory } from './instances';

/** A load-balancer host-header condition value has at most 128 characters. */
export const MAX_HOST_HEADER = 128;
/** ACM allows at most 64 characters in a certificate's domain name. */
export const MAX_ACM_NAME = 64;

export type { Problem } from './limits-domains';

export function limitProblems(config: Config): Problem[] {
  const out: Problem[] = [];
  for (const env of Object.values(config.environments)) {
    const domain = env.dns.domain;
    const apps = appsIn(config, env.name);
    for (const app of apps) {
      const host = appHost(app.name, domain);
      if (host.length > MAX_HOST_HEADER) {
        out.push({
          path: ['apps', app.name],
          message: `its host name in environment ${env.name} (${host}) has ${host.length} characters, more than the ${MAX_HOST_HEADER} a load-balancer rule accepts; use a shorter app name or domain`,
        });
      }
    }
    out.push(...domainProblems(config, env.name).errors);
    const wildcard = `*.${domain}`;
    if (env.tls.mode === 'create' && wildcard.length > MAX_ACM_NAME) {
      out.push({
        path: ['environments', env.name, 'dns', 'domain'],
        message: `gives the certificate name ${wildcard} of ${wildcard.length} characters, more than ACM's ${MAX_ACM_NAME}; use a shorter domain, or tls.certificateArn with a certificate you issue yourself`,
      });
    }
    if (env.capacity.type !== 'ec2') continue;
    const type = env.capacity.instanceType;
    out.push(...archProblems(config, env.name, type, apps));
    const spec = instanceSpec(type);
    if (!spec) continue; // configWarnings says that it is not checked
    const cpu = instanceCpu(spec);
    const memory = instanceTaskMemory(spec);
    for (const app of apps) {
      for (const p of app.processes) {
        if (p.cpu <= cpu && p.memory <= memory) continue;
        out.push({
          path: appPath(config, app, env.name, 'processes', p.name),
          message: `needs ${p.cpu} CPU units and ${p.memory} MiB, more than one ${type} of environment ${env.name} offers tasks (${cpu} units, ${memory} MiB); use a smaller task or a larger capacity.instanceType`,
        });
      }
    }
  }
  return out;
}

/** EC2 capacity runs one architecture, its instance family's: every task there must be built for it. */
function archProblems(config: Config, env: string, type: string, apps: AppConfig[]): Problem[] {
  const want = instanceArch(type);
  const out: Problem[] = [];
  for (const app of apps) {
    for (const p of app.processes) {
      const arch = processArch(p);
      if (arch === want) continue;
      out.push({
        path: appPath(config, app, env, 'processes', p.name, 'arch'),
        message: `is ${arch}${p.arch ? '' : ` (the default)`}, but environment ${env} runs ${type} instances, which are ${want}; set "arch": "${want}" for ${app.name} in apps.${app.name}.environments.${env} (with an image built for ${want}), or use ${want === 'arm64' ? 'an x86_64' : 'a Graviton (arm64)'} capacity.instanceType`,
      });
    }
  }
  return out;
}

/**
 * Planning is pure: Config + ids → template input → template object. No I/O, no SDK.
 * Commands (synth, deploy, env, platform) call these and act on the result.
 */
import { createHash } from 'node:crypto';
import type { AppConfig, Config, EnvironmentConfig } from '../config/model';
import { appConfig, appsIn, envAccounts, homeAccountRegions, serviceProcesses } from '../config/model';
import { usageError } from '../errors';
import { configuredSecretRefs } from '../iam/boundary';
import { checkApp, checkAppPort, checkEnv, internalHost, TEMPLATE_DIGEST_OUTPUT, usesVariable } from '../naming';
import { platformTemplate, type PlatformInput } from '../../templates/platform';
import { clusterTemplate, type AdoptedZone } from '../../templates/cluster';
import { appTemplate, countParameter, PLACEHOLDER_IMAGE } from '../../templates/app';
import { maxParameter, minParameter, webAlarmNames } from '../../templates/app-scaling';
import { appVolumes, keptParameter } from '../../templates/app-volumes';
import { HOLD_PARAMETER, holds } from '../../templates/app-hold';

export { appVolumes, keptParameter };

import { templateBody } from './serialize';
import { applyOverrides } from './overrides';
import { hasExternalCertificate, hostChunks, hostsPerRule, resolveDomains, rulePriorities, webHosts } from '../config/domains';
import { EXTERNAL_CERTIFICATE_PARAMETER } from '../../templates/app-domains';

export { EXTERNAL_CERTIFICATE_PARAMETER };

export { templateBody, toYaml } from './serialize';
export { PLACEHOLDER_IMAGE, countParameter, maxParameter, minParameter, webAlarmNames };

export type { TemplateKind } from '../naming';
export type CfnTemplate = Record<string, unknown>;

/** The environment's config, or a usage error naming the closest configured one. */
export const environment = (config: Config, env: string): EnvironmentConfig => checkEnv(config, env);

/** `ci`: the CI part (`bootstrap --github`); without it the template is what it always was. */
/**
 * `legacyServiceRole`: keep the service role of earlier versions while stacks still record it (bootstrap).
 * `builder`: the remote builder's CodeBuild projects (bootstrap --remote-builder, kept once added).
 */
export function renderPlatform(config: Config, ci?: PlatformInput['ci'], opts: Pick<PlatformInput, 'legacyServiceRole'> & { builder?: boolean } = {}): CfnTemplate {
  const regions = homeAccountRegions(config).slice(1); // the platform's own region comes first
  return platformTemplate({
    platform: config.platform.name, bucket: config.platform.bucket, apps: Object.keys(config.apps), secretRefs: configuredSecretRefs(config), pullAccounts: envAccounts(config), regions,
    ...(ci ? { ci } : {}), ...(opts.legacyServiceRole ? { legacyServiceRole: opts.legacyServiceRole } : {}), ...(opts.builder ? { builder: true } : {}),
  }) as unknown as CfnTemplate;
}

export function renderCluster(config: Config, env: string, opts: { patched?: boolean; adoptedZone?: AdoptedZone } = {}): CfnTemplate {
  const e = environment(config, env);
  const template = clusterTemplate({ platform: config.platform.name, region: e.aws?.region ?? config.platform.region, env: e, adoptedZone: opts.adoptedZone }) as unknown as CfnTemplate;
  return opts.patched === false ? template : applyOverrides(template, e.overrides, `environment ${env}`);
}

/** What `cyclops vars` and `cyclops secrets` set for an app: variables, and secret ARNs by name. */
export interface AppOverlay {
  vars: Record<string, string>;
  secrets: Record<string, string>;
}

/**
 * The app's config with its stored settings layered over: vars over config `env`, stored
 * secrets over config `secrets`; a name that is a secret is never also a plain variable.
 */
export function effectiveApp(config: Config, app: string, env: string, overlay?: AppOverlay): AppConfig {
  const a = appConfig(config, app, env);
  if (!overlay) return a;
  const secrets = { ...a.secrets, ...overlay.secrets };
  const vars = Object.fromEntries(Object.entries({ ...a.env, ...overlay.vars }).filter(([k]) => !Object.hasOwn(secrets, k)));
  return { ...a, env: vars, secrets };
}

export function renderApp(
  config: Config,
  env: string,
  app: string,
  opts: { port: number; databaseSecretArn?: string; overlay?: AppOverlay; patched?: boolean },
): CfnTemplate {
  const e = environment(config, env);
  checkApp(app);
  checkAppPort(opts.port);
  const a = effectiveApp(config, app, env, opts.overlay);
  const template = appTemplate({
    platform: config.platform.name,
    env,
    app: a,
    domain: e.dns.domain,
    https: e.tls.mode !== 'none',
    redis: e.redis !== null,
    ...(e.notifications ? { notifications: true } : {}),
    capacity: e.capacity.type,
    port: opts.port,
    database: a.database && e.database.type !== 'none',
    databaseSecretArn: opts.databaseSecretArn,
    zones: e.network.mode === 'create' ? e.network.azs : e.network.privateSubnets.length,
    ...(a.allow.length ? { denyPriority: denyPriority(config, opts.port) } : {}),
    ...(a.deployment.testTraffic && a.deployment.strategy !== 'rolling' ? { testPriority: testPriority(config, opts.port) } : {}),
    ...(a.uses.length ? { uses: usesUrls(config, env, a) } : {}),
    ...(a.domains.length ? { domains: domainsInput(config, env, a, opts.port) } : {}),
    ...(a.email && e.email ? { email: { smtp: a.email.smtp } } : {}),
  }) as unknown as CfnTemplate;
  // The escape hatch goes last: what it patches is what synth prints, the guard judges and the digest covers.
  return withDigest(opts.patched === false ? template : applyOverrides(template, a.overrides, `${app} in ${env}`));
}

/**
 * The priority of an app's 403 rule behind its allow list. Forward rules take the app's port,
 * so priorities [lo, hi] of ports.range are theirs; deny rules take port + (hi - lo + 1), the
 * block right above it: one-to-one, never a port, and always after the app's own forward
 * rule. Config validation keeps the block within the 50000 priorities. Changing ports.range
 * moves these priorities: redeploy the apps that use allow after changing it.
 */
export function denyPriority(config: Config, port: number): number {
  const [lo, hi] = config.ports.range;
  return port + (hi - lo + 1);
}

/**
 * The priority of a blue/green, canary or linear app's test-traffic rule: the block right below
 * the forward rules (port - range size), so it is evaluated before the app's production rule.
 * Config validation refuses testTraffic when the block would start below 1.
 */
export function testPriority(config: Config, port: number): number {
  const [lo, hi] = config.ports.range;
  return port - (hi - lo + 1);
}

/** Custom domains: their zones, and every host name of the web process in rules of at most 5 condition values. */
function domainsInput(config: Config, env: string, a: AppConfig, port: number) {
  const hosts = hostChunks(webHosts(config, env, a), hostsPerRule(a));
  return { resolved: resolveDomains(config, env, a), rules: { hosts, ...rulePriorities(config, port, hosts.length, a.allow.length > 0) } };
}

/** `uses`: <APP>_<PROCESS>_URL → http://<app>-<process>.<env>.internal:<port>. */
function usesUrls(config: Config, env: string, a: AppConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const u of a.uses) {
    for (const other of appsIn(config, env)) {
      const p = other.processes.find((q) => q.kind === 'internal' && `${other.name}-${q.name}` === u);
      if (p) out[usesVariable(other.name, p.name)] = `http://${internalHost(other.name, p.name, env)}:${p.port}`;
    }
  }
  return out;
}

/**
 * sha256 of the canonical template body without its TemplateDigest output. Deploy compares
 * it with the digest the live stack reports (skip-deploy).
 */
export function templateDigest(template: CfnTemplate): string {
  const outputs = { ...((template.Outputs as Record<string, unknown> | undefined) ?? {}) };
  delete outputs[TEMPLATE_DIGEST_OUTPUT];
  return createHash('sha256').update(templateBody({ ...template, Outputs: outputs })).digest('hex');
}

/** The template with a TemplateDigest output: the stack itself then says what it was made from. */
function withDigest(template: CfnTemplate): CfnTemplate {
  const digest = templateDigest(template);
  const outputs = { ...((template.Outputs as Record<string, unknown> | undefined) ?? {}) };
  outputs[TEMPLATE_DIGEST_OUTPUT] = { Description: 'sha256 of this template without this output (cyclops skip-deploy)', Value: digest };
  return { ...template, Outputs: outputs };
}

/** Autoscaling bounds a scale command may set instead of the config's. */
export type Ranges = Record<string, { min: number; max: number }>;

/**
 * The app stack's parameters: the image, a count per fixed-size service process (the config
 * count unless `counts` overrides it), and <Process>Min/<Process>Max per autoscaled one (the
 * config bounds unless `ranges` overrides them). Exactly the Parameters renderApp declares.
 */
export function appParameters(
  config: Config,
  env: string,
  app: string,
  image: string,
  counts: Record<string, number> = {},
  ranges: Ranges = {},
  /** volume name → a kept file system to attach (the others: none, the stack makes its own) */
  keptVolumes: Record<string, string> = {},
  /** the issued certificate for the domains whose zone is elsewhere (cyclops domains); '' while there is none */
  externalCertificateArn = '',
): { ParameterKey: string; ParameterValue: string }[] {
  environment(config, env);
  checkApp(app);
  const params = [{ ParameterKey: 'Image', ParameterValue: image }];
  const procs = serviceProcesses(appConfig(config, app, env));
  for (const name of [...Object.keys(counts), ...Object.keys(ranges)]) {
    if (!procs.some((p) => p.name === name)) {
      throw usageError(`process ${name}: ${app} has no such service process; use one of: ${procs.map((p) => p.name).join(', ') || '(none)'}`);
    }
  }
  for (const p of procs) {
    if (p.autoscaling) {
      if (counts[p.name] !== undefined) {
        throw usageError(`${p.name} count ${counts[p.name]}: ${p.name} autoscales between ${p.autoscaling.min} and ${p.autoscaling.max}; change its bounds instead (cyclops scale ${app} ${env} ${p.name}=MIN..MAX)`);
      }
      const { min, max } = ranges[p.name] ?? p.autoscaling;
      if (![min, max].every((n) => Number.isInteger(n) && n >= 0 && n <= 100) || max < 1 || min > max) {
        throw usageError(`${p.name} range ${min}..${max}: not a valid autoscaling range; use whole numbers MIN..MAX with 0 <= MIN <= MAX <= 100 and MAX >= 1`);
      }
      params.push({ ParameterKey: minParameter(p.name), ParameterValue: String(min) }, { ParameterKey: maxParameter(p.name), ParameterValue: String(max) });
      continue;
    }
    if (ranges[p.name] !== undefined) throw usageError(`${p.name}: does not autoscale; set its count instead (--count ${p.name}=N)`);
    const n = counts[p.name] ?? p.count;
    if (!Number.isInteger(n) || n < 0 || n > 100) {
      throw usageError(`${p.name} count ${n}: not a valid task count; use a whole number from 0 to 100`);
    }
    params.push({ ParameterKey: countParameter(p.name), ParameterValue: String(n) });
  }
  const a = appConfig(config, app, env);
  for (const name of appVolumes(a)) params.push({ ParameterKey: keptParameter(name), ParameterValue: keptVolumes[name] ?? '' });
  // the stack's creation holds the tasks until the release phase ran (src/ops/first-release.ts)
  if (holds(a)) params.push({ ParameterKey: HOLD_PARAMETER, ParameterValue: 'false' });
  if (hasExternalCertificate(config, env, a)) params.push({ ParameterKey: EXTERNAL_CERTIFICATE_PARAMETER, ParameterValue: externalCertificateArn });
  return params;
}

/**
 * Planning is pure: Config + ids → template input → template object. No I/O, no SDK.
 * Commands (synth, deploy, env, platform) call these and act on the result.
 */
import type { Config, EnvironmentConfig } from '../config/model';
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { LABEL_RE } from '../naming';
import { platformTemplate } from '../../templates/platform';
import { clusterTemplate } from '../../templates/cluster';
import { appTemplate, countParameter, PLACEHOLDER_IMAGE } from '../../templates/app';

export { templateBody, toYaml } from './serialize';
export { PLACEHOLDER_IMAGE };

export type TemplateKind = 'platform' | 'cluster' | 'app';
export type CfnTemplate = Record<string, unknown>;

/** ALB listener-rule priorities run 1..50000; the app's port is its priority. */
const MAX_PRIORITY = 50000;

/** The environment's config, or a usage error naming the environments there are. */
export function environment(config: Config, env: string): EnvironmentConfig {
  const e = Object.prototype.hasOwnProperty.call(config.environments, env) ? config.environments[env] : undefined;
  if (!e) {
    const known = Object.keys(config.environments);
    throw usageError(
      `environment "${env}": not in ${config.file}; use one of: ${known.join(', ') || '(none configured)'}, or add it to environments`,
    );
  }
  return e;
}

function checkAppName(app: string): void {
  if (!LABEL_RE.test(app)) {
    throw usageError(`app "${app}": not a valid app name; use lowercase letters, digits and dashes, starting with a letter (it becomes a DNS label)`);
  }
}

export function renderPlatform(config: Config): CfnTemplate {
  return platformTemplate({ platform: config.platform.name, apps: Object.keys(config.apps) }) as unknown as CfnTemplate;
}

export function renderCluster(config: Config, env: string): CfnTemplate {
  return clusterTemplate({ platform: config.platform.name, region: config.platform.region, env: environment(config, env) }) as unknown as CfnTemplate;
}

export function renderApp(config: Config, env: string, app: string, opts: { port: number; databaseSecretArn?: string }): CfnTemplate {
  const e = environment(config, env);
  checkAppName(app);
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > MAX_PRIORITY) {
    throw usageError(`port ${opts.port}: not a valid app port; use a whole number from 1 to ${MAX_PRIORITY} (it is the load-balancer rule priority)`);
  }
  const a = appConfig(config, app);
  return appTemplate({
    platform: config.platform.name,
    env,
    app: a,
    domain: e.dns.domain,
    https: e.tls.mode !== 'none',
    redis: e.redis !== null,
    capacity: e.capacity.type,
    port: opts.port,
    database: a.database && e.database.type !== 'none',
    databaseSecretArn: opts.databaseSecretArn,
  }) as unknown as CfnTemplate;
}

/**
 * The app stack's parameters: the image and a count per web/worker process (the config
 * count unless `counts` overrides it). Exactly the Parameters renderApp declares.
 */
export function appParameters(
  config: Config,
  env: string,
  app: string,
  image: string,
  counts: Partial<Record<'web' | 'worker', number>> = {},
): { ParameterKey: string; ParameterValue: string }[] {
  environment(config, env);
  checkAppName(app);
  const params = [{ ParameterKey: 'Image', ParameterValue: image }];
  for (const p of appConfig(config, app).processes) {
    if (p.kind === 'cron') continue;
    const n = counts[p.kind] ?? p.count;
    if (!Number.isInteger(n) || n < 0 || n > 100) {
      throw usageError(`${p.kind} count ${n}: not a valid task count; use a whole number from 0 to 100`);
    }
    params.push({ ParameterKey: countParameter(p.kind), ParameterValue: String(n) });
  }
  return params;
}

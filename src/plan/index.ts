/**
 * Planning is pure: Config + ids → template input → template object. No I/O, no SDK.
 * Commands (synth, deploy, env, platform) call these and act on the result.
 */
import { createHash } from 'node:crypto';
import type { Config, EnvironmentConfig } from '../config/model';
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { checkApp, checkAppPort, checkEnv, TEMPLATE_DIGEST_OUTPUT } from '../naming';
import { platformTemplate } from '../../templates/platform';
import { clusterTemplate } from '../../templates/cluster';
import { appTemplate, countParameter, PLACEHOLDER_IMAGE } from '../../templates/app';

import { templateBody } from './serialize';

export { templateBody, toYaml } from './serialize';
export { PLACEHOLDER_IMAGE };

export type { TemplateKind } from '../naming';
export type CfnTemplate = Record<string, unknown>;

/** The environment's config, or a usage error naming the closest configured one. */
export const environment = (config: Config, env: string): EnvironmentConfig => checkEnv(config, env);

export function renderPlatform(config: Config): CfnTemplate {
  return platformTemplate({ platform: config.platform.name, bucket: config.platform.bucket, apps: Object.keys(config.apps) }) as unknown as CfnTemplate;
}

export function renderCluster(config: Config, env: string): CfnTemplate {
  return clusterTemplate({ platform: config.platform.name, region: config.platform.region, env: environment(config, env) }) as unknown as CfnTemplate;
}

export function renderApp(config: Config, env: string, app: string, opts: { port: number; databaseSecretArn?: string }): CfnTemplate {
  const e = environment(config, env);
  checkApp(app);
  checkAppPort(opts.port);
  const a = appConfig(config, app);
  const template = appTemplate({
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
  return withDigest(template);
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
  checkApp(app);
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

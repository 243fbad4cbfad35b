/** Every template of a config, for `synth --all`, golden files and linting. Pure. */
import type { Config } from '../config/model';
import { usageError } from '../errors';
import { appStack, envStack, platformStack } from '../naming';
import { renderApp, renderCluster, renderPlatform, type CfnTemplate, type TemplateKind } from './index';

export interface Rendered {
  kind: TemplateKind;
  stack: string;
  env?: string;
  app?: string;
  template: CfnTemplate;
}

/** The platform, each environment, and each configured app in each environment (ports in config order from the range). */
export function renderAll(config: Config): Rendered[] {
  const platform = config.platform.name;
  const out: Rendered[] = [{ kind: 'platform', stack: platformStack(platform), template: renderPlatform(config) }];
  const apps = Object.keys(config.apps);
  const [lo, hi] = config.ports.range;
  if (apps.length > hi - lo + 1) {
    throw usageError(`ports.range in ${config.file}: ${hi - lo + 1} ports for ${apps.length} apps; widen the range`);
  }
  for (const env of Object.keys(config.environments)) {
    out.push({ kind: 'cluster', stack: envStack(platform, env), env, template: renderCluster(config, env) });
    apps.forEach((app, i) => {
      out.push({ kind: 'app', stack: appStack(platform, env, app), env, app, template: renderApp(config, env, app, { port: lo + i }) });
    });
  }
  return out;
}

/** platform.json, cluster-<env>.json, app-<env>-<app>.json (or .yaml). */
export function fileName(r: Rendered, ext: 'json' | 'yaml' = 'json'): string {
  const base = r.kind === 'platform' ? 'platform' : r.kind === 'cluster' ? `cluster-${r.env}` : `app-${r.env}-${r.app}`;
  return `${base}.${ext}`;
}

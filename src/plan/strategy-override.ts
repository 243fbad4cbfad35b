/**
 * `deploy --strategy rolling`: this one deploy rolls the web process, whatever the app's
 * blue/green, canary or linear strategy says (an emergency fix that cannot wait for a bake).
 * The config the deploy renders from is a copy with the strategy set to rolling; config itself
 * is untouched, so the next deploy renders the app's own strategy again.
 */
import type { Config } from '../config/model';
import { usageError } from '../errors';

export function rollingOnce(config: Config, app: string, env: string, strategy: string): Config {
  if (strategy !== 'rolling') {
    throw usageError(`--strategy ${strategy}: only "rolling" can be chosen for one deploy; set apps.${app}.deployment.strategy in ${config.file} for the others`);
  }
  const a = config.apps[app];
  if (!a) return config;
  const rolling = <T extends { deployment: { strategy: string } }>(x: T): T => ({ ...x, deployment: { ...x.deployment, strategy: 'rolling' } });
  const byEnv = a.byEnv ? { ...a.byEnv, ...(a.byEnv[env] ? { [env]: rolling(a.byEnv[env]) } : {}) } : undefined;
  return { ...config, apps: { ...config.apps, [app]: { ...rolling(a), ...(byEnv ? { byEnv } : {}) } } };
}

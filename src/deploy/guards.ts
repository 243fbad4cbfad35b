/**
 * Operations on an app's database and port that must not pull the rug from under a running
 * app or a deploy in progress: they take the app's lock, and they check the app stack.
 */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { usageError } from '../errors';
import { appStack, envStack, ENV_OUTPUT } from '../naming';
import type { Reporter } from '../report/reporter';
import { restartServices, stackServices } from '../services/rollout';
import { describeStack } from '../stacks';
import { releasePort } from '../store';
import { holdLock, letGo } from './lock';

export interface GuardDeps {
  aws: Aws;
  config: Config;
  reporter: Reporter;
  signal?: AbortSignal;
  runner?: 'direct' | 'task';
}

async function deployed(deps: GuardDeps, app: string, env: string): Promise<boolean> {
  return !!(await describeStack(deps.aws, appStack(deps.config.platform.name, env, app)));
}

async function locked<T>(deps: GuardDeps, app: string, env: string, operation: string, fn: () => Promise<T>): Promise<T> {
  const lock = await holdLock(deps, env, app, operation);
  try {
    return await fn();
  } finally {
    await letGo(lock, deps.reporter, app, env);
  }
}

/**
 * `db ensure`: under the app's lock. With a new password, the app's running tasks still hold
 * the old one, so its services are restarted (a new deployment) to read the new secret.
 */
export async function ensureDatabase(deps: GuardDeps, app: string, env: string, opts: { rotatePassword?: boolean }) {
  const { ensureAppDatabase, checkEnsure } = await import('../database');
  checkEnsure(deps.config, env, app, deps.runner); // config mistakes: exit 2 before the lock
  return locked(deps, app, env, opts.rotatePassword ? 'db ensure --rotate-password' : 'db ensure', async () => {
    const result = await ensureAppDatabase(deps, env, app, opts);
    let restarted: string[] = [];
    if (opts.rotatePassword && (await deployed(deps, app, env))) {
      const envOut = (await describeStack(deps.aws, envStack(deps.config.platform.name, env)))?.outputs ?? {};
      const cluster = envOut[ENV_OUTPUT.clusterName] ?? envOut[ENV_OUTPUT.clusterArn];
      const services = await stackServices(deps.aws, appStack(deps.config.platform.name, env, app));
      if (cluster && services.length) {
        restarted = await restartServices(deps.aws, cluster, services);
        deps.reporter.step(`restarted ${restarted.length} service(s) of ${app} so that new tasks read the new password`);
      }
    }
    return { ...result, restarted };
  });
}

/** `db drop`: refused while the app is deployed, unless forced; under the app's lock. */
export async function dropDatabase(deps: GuardDeps, app: string, env: string, opts: { force?: boolean }) {
  const { dropAppDatabase } = await import('../database');
  return locked(deps, app, env, 'db drop', async () => {
    if (!opts.force && (await deployed(deps, app, env))) {
      throw usageError(`app ${app} in ${env}: is deployed and uses this database; run "cyclops destroy ${app} ${env} --drop-database", or pass --force to drop it anyway`);
    }
    return dropAppDatabase(deps, env, app);
  });
}

/** `ports release`: refused while the app is deployed (its load-balancer rule uses the port). */
export async function releaseAppPort(deps: GuardDeps, app: string, env: string) {
  return locked(deps, app, env, 'ports release', async () => {
    if (await deployed(deps, app, env)) {
      throw usageError(`app ${app} in ${env}: is deployed and its load-balancer rule uses the port; run "cyclops destroy ${app} ${env}", which releases it`);
    }
    return releasePort(deps.aws, deps.config, env, app);
  });
}

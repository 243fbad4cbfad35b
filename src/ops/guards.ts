/**
 * Operations on an app's database and port that must not pull the rug from under a running
 * app or a deploy in progress. What refuses refuses before the lock (no write at all); under
 * the lock the same check runs again, since a deploy may have finished meanwhile.
 */
import type { Runner } from '../database';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import type { Ops } from './context';
import { withAppLock } from './lock';
import { appServices } from './desired-state';
import type { AppTarget } from '../plan/target';

const deployed = async (ops: Ops, t: AppTarget) => !!(await ops.stacks.describe(appStack(t.platform, t.env, t.app)));

/**
 * `db ensure`: under the app's lock. With a new password, the app's running tasks still hold
 * the old one, so its services are restarted (a new deployment) to read the new secret.
 */
export async function ensureDatabase(ops: Ops, t: AppTarget, opts: { rotatePassword?: boolean; runner?: Runner }) {
  await ops.database.preflight(t.env, t.app, opts.runner); // config and credentials: exit 2 before the lock
  return withAppLock(ops, t, opts.rotatePassword ? 'db ensure --rotate-password' : 'db ensure', async (scope) => {
    const result = await ops.database.ensure(t.env, t.app, { rotatePassword: opts.rotatePassword, runner: opts.runner, signal: scope.signal });
    let restarted: string[] = [];
    if (opts.rotatePassword && (await deployed(ops, t))) {
      const services = await ops.services.stackServices(appStack(t.platform, t.env, t.app));
      if (services.length) {
        scope.checkpoint();
        restarted = await ops.services.restart(appServices(ops.config, t).cluster, services);
        say.step(ops.events, 'db.password.services-restarted', { services: restarted.length }, `restarted ${restarted.length} service(s) of ${t.app} so that new tasks read the new password`);
      }
    }
    return { ...result, restarted };
  });
}

const stillDeployedForDb = (t: AppTarget) =>
  usageError(`app ${t.app} in ${t.env}: is deployed and uses this database; run "cyclops destroy ${t.app} ${t.env} --drop-database", or pass --force to drop it anyway`);

/** `db drop`: refused while the app is deployed, unless forced; under the app's lock. */
export async function dropDatabase(ops: Ops, t: AppTarget, opts: { force?: boolean; runner?: Runner }) {
  if (!opts.force && (await deployed(ops, t))) throw stillDeployedForDb(t);
  return withAppLock(ops, t, 'db drop', async (scope) => {
    if (!opts.force && (await deployed(ops, t))) throw stillDeployedForDb(t);
    return ops.database.drop(t.env, t.app, { runner: opts.runner, signal: scope.signal });
  });
}

const stillDeployedForPort = (t: AppTarget) =>
  usageError(`app ${t.app} in ${t.env}: is deployed and its load-balancer rule uses the port; run "cyclops destroy ${t.app} ${t.env}", which releases it`);

/** `ports release`: refused while the app is deployed (its load-balancer rule uses the port). */
export async function releaseAppPort(ops: Ops, t: AppTarget): Promise<{ port: number | null }> {
  if (await deployed(ops, t)) throw stillDeployedForPort(t);
  const ports = await ops.store.readPorts();
  if (ports?.environments[t.env]?.[t.app] === undefined) return { port: null }; // nothing to release: no lock, no write
  return withAppLock(ops, t, 'ports release', async () => {
    if (await deployed(ops, t)) throw stillDeployedForPort(t);
    return ops.store.releasePort(t.env, t.app);
  });
}

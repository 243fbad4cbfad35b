/** Day-one operations on deployed apps: status, listing, destroy. */
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack, closest } from '../naming';
import { restoreHint, type ReleaseRecord } from '../store';
import type { Ops } from './context';
import { withAppLock } from './lock';
import { appServices, appUrlFor, checkOwner } from './release';
import type { AppTarget, Target } from './target';

export interface AppStatus {
  app: string;
  env: string;
  stack: string;
  status: string;
  image: string | null;
  url: string | null;
  port: number | null;
  processes: { name: string; desired: number; running: number; pending: number; rollout?: string }[];
  release: ReleaseRecord | null;
}

/** An app that is neither in config nor deployed is a typo: exit 2 with the closest name. */
async function unknownApp(ops: Ops, t: AppTarget): Promise<never> {
  const deployed = (await ops.stacks.listAppStacks(t.env)).map((s) => s.app);
  const near = closest(t.app, new Set([...Object.keys(ops.config.apps), ...deployed]));
  throw usageError(`app "${t.app}": not in ${ops.config.file} and not deployed in ${t.env}${near ? `; did you mean ${near}?` : '; run "cyclops apps list ' + t.env + '" to see what is'}`);
}

export async function appStatus(ops: Ops, t: AppTarget): Promise<AppStatus> {
  const stack = appStack(t.platform, t.env, t.app);
  const [summary, ports, release] = await Promise.all([ops.stacks.describe(stack), ops.store.readPorts(), ops.store.readRelease(t.env, t.app)]);
  const port = ports?.environments[t.env]?.[t.app] ?? null;
  if (release.state === 'corrupt') say.warn(ops.events, `s3://${release.bucket}/${release.key}: is not a valid release record (${release.problem}); ${restoreHint(release)}`);
  const record = release.state === 'ok' ? release.record : null;
  if (!summary) {
    if (!Object.hasOwn(ops.config.apps, t.app) && port === null && !record) await unknownApp(ops, t);
    return { app: t.app, env: t.env, stack, status: 'NOT_DEPLOYED', image: null, url: null, port, processes: [], release: record };
  }
  const { cluster, services } = appServices(ops.config, t);
  const states = services.length ? await ops.services.describe(cluster, services) : [];
  return {
    app: t.app,
    env: t.env,
    stack,
    status: summary.status,
    image: summary.parameters.Image ?? record?.image ?? null,
    url: appConfig(ops.config, t.app).processes.some((p) => p.kind === 'web') ? appUrlFor(ops.config, t) : null,
    port,
    processes: states.map((s) => ({ name: s.name, desired: s.desired, running: s.running, pending: s.pending, rollout: s.rollout })),
    release: record,
  };
}

export interface AppListing {
  app: string;
  stack: string;
  status: string;
  image: string | null;
  port: number | null;
  updated: string | null;
}

export async function listApps(ops: Ops, t: Target): Promise<AppListing[]> {
  const [stacks, ports] = await Promise.all([ops.stacks.listAppStacks(t.env), ops.store.readPorts()]);
  return stacks.map((s) => ({
    app: s.app,
    stack: s.name,
    status: s.status,
    image: s.parameters.Image ?? null,
    port: ports?.environments[t.env]?.[s.app] ?? null,
    updated: s.lastUpdated ? s.lastUpdated.toISOString() : null,
  }));
}

export interface DestroyResult {
  app: string;
  env: string;
  stack: string;
  deleted: boolean;
  port: number | null;
  database: 'kept' | 'dropped' | 'none';
}

/**
 * Delete the stack, release the port and the record, and drop the database if asked. What
 * can refuse (a stack that is another app's, missing database credentials) refuses before the lock.
 */
export async function destroyApp(ops: Ops, t: AppTarget, opts: { dropDatabase?: boolean; timeoutSeconds?: number } = {}): Promise<DestroyResult> {
  const stack = appStack(t.platform, t.env, t.app);
  checkOwner(await ops.stacks.describe(stack), t);
  const hasDb = ops.config.environments[t.env].database.type !== 'none' && appConfig(ops.config, t.app).database;
  if (hasDb && opts.dropDatabase) await ops.database.preflight(t.env, t.app);
  const roleArn = await ops.stacks.serviceRole();
  return withAppLock(ops, t, 'destroy', async (scope) => {
    const { deleted } = await ops.stacks.delete(stack, { roleArn, timeoutSeconds: opts.timeoutSeconds, signal: scope.signal });
    scope.checkpoint();
    const { port } = await ops.store.releasePort(t.env, t.app);
    if (port !== null) say.step(ops.events, `released port ${port}`);
    scope.checkpoint();
    await ops.store.deleteRelease(t.env, t.app);
    let database: DestroyResult['database'] = hasDb ? 'kept' : 'none';
    if (hasDb && opts.dropDatabase) {
      scope.checkpoint();
      await ops.database.drop(t.env, t.app, { signal: scope.signal });
      database = 'dropped';
    }
    return { app: t.app, env: t.env, stack, deleted, port, database };
  });
}

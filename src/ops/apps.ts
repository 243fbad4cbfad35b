/** Day-one operations on deployed apps: status, listing, destroy. */
import { removeSmtp, type SmtpRemoveResult } from '../email/smtp-user';
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack, closest, serviceProcess, LOG_RETENTION_DAYS, logGroup, TAG_APP, TAG_ENV, TAG_PLATFORM } from '../naming';
import { pooled } from '../pool';
import type { AppStack, StackSummary } from '../stacks';
import { domainStates, type DomainState } from './domain-states';
import { maxParameter, minParameter, webAlarmNames } from '../plan';
import type { AlarmState } from '../aws/cloudwatch';
import { restoreHint, type PortsFile, type ReleaseRecord } from '../store';
import type { Ops } from './context';
import { withAppLock } from './lock';
import { appServices, appUrlFor, checkOwner } from './desired-state';
import { pendingSettings, type PendingSettings } from './pending-settings';
import type { AppTarget, Target } from '../plan/target';

export interface AppStatus {
  app: string;
  env: string;
  stack: string;
  status: string;
  image: string | null;
  url: string | null;
  port: number | null;
  /** per service: its process, the counts ECS reports, and the autoscaling bounds the stack runs (null: a fixed count) */
  processes: { name: string; process: string; desired: number; running: number; pending: number; min: number | null; max: number | null; rollout?: string }[];
  release: ReleaseRecord | null;
  /** the web service's deployment alarms the stack has; null when they could not be read */
  alarms: AlarmState[] | null;
  /** vars/secrets stored (--no-deploy, an interrupted change) that the current release does not run; null: none */
  pendingSettings: PendingSettings | null;
  /** each custom domain's zone, certificate and DNS state; null when they could not be read */
  domains: DomainState[] | null;
}

/** The deployment alarms of a deployed app; a failure to read them is a warning, not a failed status. */
async function appAlarms(ops: Ops, t: AppTarget): Promise<AlarmState[] | null> {
  try {
    return await ops.alarms.describe(webAlarmNames(t));
  } catch (e) {
    say.warn(ops.events, 'status.alarms-unavailable', { app: t.app, env: t.env, reason: (e as Error).message }, `${t.app} in ${t.env}: alarm states not shown: ${(e as Error).message}`);
    return null;
  }
}

/** The custom domains' states; a failure to read them is a warning, not a failed status. */
async function appDomains(ops: Ops, t: AppTarget, stack: StackSummary): Promise<DomainState[] | null> {
  try {
    if (!appConfig(ops.config, t.app, t.env).domains.length) return [];
    return await domainStates(ops, t, stack, await ops.stacks.envOutputs(t.env));
  } catch (e) {
    say.warn(ops.events, 'status.domains-unavailable', { app: t.app, env: t.env, reason: (e as Error).message }, `${t.app} in ${t.env}: domain states not shown: ${(e as Error).message}`);
    return null;
  }
}

/** An app that is neither in config nor deployed is a typo: exit 2 with the closest name. */
async function unknownApp(ops: Ops, t: AppTarget): Promise<never> {
  const deployed = (await ops.stacks.listAppStacks(t.env)).map((s) => s.app);
  const near = closest(t.app, new Set([...Object.keys(ops.config.apps), ...deployed]));
  throw usageError(`app "${t.app}": not in ${ops.config.file} and not deployed in ${t.env}${near ? `; did you mean ${near}?` : '; run "cyclops apps list ' + t.env + '" to see what is'}`);
}

export async function appStatus(ops: Ops, t: AppTarget): Promise<AppStatus> {
  const stack = appStack(t.platform, t.env, t.app);
  const [summary, ports, release, settings] = await Promise.all([ops.stacks.describe(stack), ops.store.readPorts(), ops.store.readRelease(t.env, t.app), ops.store.readSettings(t.env, t.app)]);
  const port = ports?.environments[t.env]?.[t.app] ?? null;
  const pending = pendingSettings(settings, release);
  if (pending) say.info(ops.events, 'status.settings-pending', { revision: pending.revision, runningRevision: pending.runningRevision, names: pending.names }, `settings stored but not running (revision ${pending.revision}, release runs ${pending.runningRevision}): ${pending.names.join(', ') || 'removals'}; "cyclops deploy" or the same vars/secrets command without --no-deploy applies them`);
  if (release.state === 'corrupt') say.warn(ops.events, 'status.release-corrupt', { key: release.key, problem: release.problem }, `s3://${release.bucket}/${release.key}: is not a valid release record (${release.problem}); ${restoreHint(release)}`);
  const record = release.state === 'ok' ? release.record : null;
  if (!summary) {
    if (!Object.hasOwn(ops.config.apps, t.app) && port === null && !record) await unknownApp(ops, t);
    return { app: t.app, env: t.env, stack, status: 'NOT_DEPLOYED', image: null, url: null, port, processes: [], release: record, alarms: [], pendingSettings: pending, domains: [] };
  }
  const { cluster, services } = appServices(ops.config, t);
  const [states, alarms, domains] = await Promise.all([services.length ? ops.services.describe(cluster, services) : [], appAlarms(ops, t), appDomains(ops, t, summary)]);
  return {
    app: t.app,
    env: t.env,
    stack,
    status: summary.status,
    image: summary.parameters.Image ?? record?.image ?? null,
    url: appConfig(ops.config, t.app, t.env).processes.some((p) => p.kind === 'web') ? appUrlFor(ops.config, t) : null,
    port,
    processes: states.map((s) => {
      const process = serviceProcess(t.app, s.name);
      const min = summary.parameters[minParameter(process)];
      const max = summary.parameters[maxParameter(process)];
      const bounds = min !== undefined && max !== undefined ? { min: Number(min), max: Number(max) } : { min: null, max: null };
      return { name: s.name, process, desired: s.desired, running: s.running, pending: s.pending, ...bounds, rollout: s.rollout };
    }),
    release: record,
    alarms,
    pendingSettings: pending,
    domains,
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

/** How many DescribeStacks calls a listing keeps in flight. */
const PARALLEL_DESCRIBES = 8;

/**
 * The deployed apps of an env, found through cyclops's own registry: every app with a port
 * there in ports.json (a deploy allocates it before it creates the stack), each stack
 * described by name and kept when its cyclops tags name this platform, env and app. One read
 * and one DescribeStacks per app of the env, however many stacks the region holds.
 */
export async function registeredAppStacks(ops: Ops, t: Target, ports?: PortsFile | null): Promise<AppStack[]> {
  const file = ports === undefined ? await ops.store.readPorts() : ports;
  const apps = Object.keys(file?.environments[t.env] ?? {}).sort();
  const stacks = await pooled(apps, PARALLEL_DESCRIBES, async (app): Promise<AppStack | null> => {
    const s = await ops.stacks.describe(appStack(t.platform, t.env, app));
    const ours = s && s.tags[TAG_PLATFORM] === t.platform && s.tags[TAG_ENV] === t.env && s.tags[TAG_APP] === app;
    return ours ? { ...s, app } : null;
  });
  return stacks.filter((s): s is AppStack => s !== null);
}

export async function listApps(ops: Ops, t: Target): Promise<AppListing[]> {
  const ports = await ops.store.readPorts();
  const stacks = await registeredAppStacks(ops, t, ports);
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
  /** destroyed: the stack went; cleared: no stack, but what was left of the app (port, record, volumes) went; nothing: nothing of it existed */
  outcome: 'destroyed' | 'cleared' | 'nothing';
  port: number | null;
  database: 'kept' | 'dropped' | 'none';
  /** EFS file systems of the app's volumes: kept unless --delete-volumes */
  volumes: { kept: string[]; deleted: string[] };
  /** where the app's logs stay (the log group outlives the stack); null when there was no stack */
  logs: { group: string; retentionDays: number } | null;
  /** the SMTP user and secret removed; absent when the app had none */
  smtp?: SmtpRemoveResult;
}

/**
 * Delete the stack, release the port and the record, and drop the database if asked. What
 * can refuse (a stack that is another app's, missing database credentials) refuses before the lock.
 */
export async function destroyApp(ops: Ops, t: AppTarget, opts: { dropDatabase?: boolean; deleteVolumes?: boolean; timeoutSeconds?: number } = {}): Promise<DestroyResult> {
  const stack = appStack(t.platform, t.env, t.app);
  const [summary, ports, release] = await Promise.all([ops.stacks.describe(stack), ops.store.readPorts(), ops.store.readRelease(t.env, t.app)]);
  checkOwner(summary, t);
  const hasDb = ops.config.environments[t.env].database.type !== 'none' && appConfig(ops.config, t.app, t.env).database;
  const hadPort = ports?.environments[t.env]?.[t.app] !== undefined;
  // With the stack gone, --delete-volumes still deletes the file systems an earlier destroy kept.
  const keptVolumes = !summary && opts.deleteVolumes ? (await ops.volumes.list(t.env, t.app)).length > 0 : false;
  if (!summary && !hadPort && release.state === 'none' && !keptVolumes) {
    // Nothing of it exists: a typo is exit 2; a configured app has nothing to destroy (no lock, no write).
    if (!Object.hasOwn(ops.config.apps, t.app)) await unknownApp(ops, t);
    if (!(hasDb && opts.dropDatabase)) {
      // One message, the command's: a second destroy of the same app says only this.
      return { app: t.app, env: t.env, stack, deleted: false, outcome: 'nothing', port: null, database: hasDb ? 'kept' : 'none', volumes: { kept: [], deleted: [] }, logs: null };
    }
  }
  if (hasDb && opts.dropDatabase) await ops.database.preflight(t.env, t.app);
  const logs = summary ? { group: logGroup(t.platform, t.env, t.app), retentionDays: LOG_RETENTION_DAYS } : null;
  const roleArn = await ops.stacks.serviceRole();
  return withAppLock(ops, t, 'destroy', async (scope) => {
    const { deleted } = await ops.stacks.delete(stack, { roleArn, timeoutSeconds: opts.timeoutSeconds, signal: scope.signal });
    scope.checkpoint();
    // with the tasks gone: the SMTP user, its keys and its secret (also when config no longer asks for SMTP)
    const smtp = await removeSmtp(ops, t);
    scope.checkpoint();
    const { port } = await ops.store.releasePort(t.env, t.app);
    if (port !== null) say.step(ops.events, 'destroy.port.released', { port }, `released port ${port}`);
    scope.checkpoint();
    await ops.store.deleteRelease(t.env, t.app);
    let database: DestroyResult['database'] = hasDb ? 'kept' : 'none';
    if (hasDb && opts.dropDatabase) {
      scope.checkpoint();
      await ops.database.drop(t.env, t.app, { signal: scope.signal });
      database = 'dropped';
    }
    // The stack retains its file systems (DeletionPolicy Retain): they go only when asked.
    scope.checkpoint();
    const found = (await ops.volumes.list(t.env, t.app)).map((v) => v.id);
    const volumes: DestroyResult['volumes'] = { kept: [], deleted: [] };
    for (const id of found) {
      if (!opts.deleteVolumes) continue;
      scope.checkpoint();
      await ops.volumes.delete(id, { signal: scope.signal });
      say.step(ops.events, 'destroy.volume.deleted', { id }, `deleted file system ${id}`);
      volumes.deleted.push(id);
    }
    if (!opts.deleteVolumes) volumes.kept = found;
    if (volumes.kept.length) say.warn(ops.events, 'destroy.volumes.kept', { ids: volumes.kept }, `kept the file systems of ${t.app}'s volumes: ${volumes.kept.join(', ')}; delete them with "cyclops destroy ${t.app} ${t.env} --delete-volumes"`);
    if (logs) say.info(ops.events, 'destroy.logs.kept', { group: logs.group, retentionDays: logs.retentionDays }, `the logs of ${t.app} stay in log group ${logs.group}, each event kept for ${logs.retentionDays} days; delete the group by hand if they must go sooner`);
    return { app: t.app, env: t.env, stack, deleted, outcome: deleted ? 'destroyed' : 'cleared', port, database, volumes, logs, ...(smtp ? { smtp } : {}) };
  });
}

/**
 * `cyclops deploy IMAGE APP ENV` (DESIGN.md's data flow). Everything is decided before the
 * first write: inputs, database credentials, the release record, the app stack, the env
 * outputs and ports.json are read and checked, then the lock is taken. An unchanged
 * redeploy takes the fast path (skip-deploy): no CloudFormation write, no change set.
 */
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appStack, LOG_RETENTION_DAYS, logGroup, tags } from '../naming';
import { appParameters } from '../plan';
import type { ServiceState } from '../ecs/rollout';
import type { ApplyResult, ChangeSummary, EnvOutputs, StackSummary } from '../stacks';
import { lowestFree, restoreHint, settingsSnapshot, type AppSettings, type ReleaseKind, type ReleaseRecord, type ReleaseState } from '../store';
import { applyTemplate } from './apply-template';
import { deployArchitectures, resolveImage, tagReleaseImage, type ResolvedImage } from './images';
import { now, type Ops } from './context';
import { requireEnvOutputs } from './envstack';
import { mutableTagWarning, type ImageRef } from '../plan/inputs';
import { withAppLock, type LockScope } from './lock';
import { draft, recordFailure, type Fields as RecordFields } from './release-log';
import {
  appServices,
  appUrlFor,
  checkCounts,
  checkOwner,
  countDrift,
  isSettled,
  recordMatches,
  render,
  sameState,
  settingsFresh,
  stackRuns,
  stackStamp,
  type Counts,
  type Rendered,
} from './desired-state';
import { checkPreviewStack } from './previews';
import { isReleasePhaseFailed, releasePhase } from './release-phase';
import type { AppTarget } from '../plan/target';

export interface DeployOptions {
  dryRun?: boolean;
  wait?: boolean;
  timeoutSeconds?: number;
  counts?: Counts;
  /** logical ids the change-safety guard lets be replaced or removed (--allow-replace) */
  allowReplace?: string[];
  /** what the release log calls this change (vars and secrets re-apply the current image) */
  kind?: Extract<ReleaseKind, 'deploy' | 'vars' | 'secrets'>;
  /** start a new deployment even when the template is unchanged (a new secret version) */
  restart?: boolean;
  /** emergencies only: deploy without running processes.release (recorded) */
  skipReleasePhase?: boolean;
}

export interface DeployRequest {
  target: AppTarget;
  image: string;
  ref: ImageRef;
}

export interface DeployResult {
  app: string;
  env: string;
  image: string;
  port: number;
  url: string;
  stack: string;
  status: string;
  changed: boolean;
  action: ApplyResult['action'];
  /** the fast path: nothing was asked of CloudFormation */
  skipped: boolean;
  changes: ChangeSummary[];
  duration: number;
  release: ReleaseRecord | null;
  /** the digest deployed (an ECR tag resolved, or a digest given); null: deployed by tag */
  imageDigest: string | null;
  database: { dbname: string; username: string; secretArn: string; state: string } | null;
  services: { name: string; desired: number; running: number; rollout?: string }[];
}

interface Plan {
  ops: Ops;
  req: DeployRequest;
  opts: DeployOptions;
  stackName: string;
  wantsDb: boolean;
  started: number;
  /** the image as deployed: repository@digest for a resolved ECR tag */
  image: ResolvedImage;
  /** --count over the counts the current release carries (set by scale or an earlier --count) */
  counts?: Counts;
  /** the autoscaling bounds the current release carries (set by scale) */
  ranges?: Record<string, { min: number; max: number }>;
  kind: ReleaseKind;
}

export async function deploy(ops: Ops, req: DeployRequest, opts: DeployOptions = {}): Promise<DeployResult> {
  const { config, events } = ops;
  const { target: t, image } = req;
  const envConfig = config.environments[t.env];
  checkCounts(config, t, opts.counts);
  const plan: Plan = {
    ops,
    req,
    opts,
    stackName: appStack(t.platform, t.env, t.app),
    wantsDb: appConfig(config, t.app, t.env).database && envConfig.database.type !== 'none',
    started: now(ops),
    image: { deployed: image },
    kind: opts.kind ?? 'deploy',
  };
  const mutable = mutableTagWarning(image, req.ref);
  if (mutable) say.warn(events, mutable);
  if (appConfig(config, t.app, t.env).database && envConfig.database.type === 'none') {
    // An unlisted app asks for a database only by default; say so quietly.
    (appConfig(config, t.app, t.env).configured ? say.warn : say.debug)(events, `environment ${t.env} has database.type "none"; ${t.app} is deployed without a database`);
  }
  // Counts name real processes, and none of them autoscales: refused before anything is written.
  appParameters(config, t.env, t.app, image, opts.counts);
  if (plan.wantsDb && !opts.dryRun) await ops.database.preflight(t.env, t.app);

  // The ECR digest lookup (one call, for an ECR tag only) goes alongside the first reads.
  const [release, stack, resolved] = await Promise.all([ops.store.readRelease(t.env, t.app), ops.stacks.describe(plan.stackName), resolveImage(ops, image, req.ref, deployArchitectures(appConfig(config, t.app, t.env)))]);
  plan.image = resolved;
  checkOwner(stack, t);
  checkPreviewStack(stack, t); // a preview (target.previewOf) never replaces a real app
  const kept = release.state === 'ok' ? (release.record.counts as Counts | undefined) : undefined;
  plan.counts = kept || opts.counts ? { ...kept, ...opts.counts } : undefined;
  // autoscaling bounds set by `scale web=2..10` survive deploys, as counts do
  plan.ranges = release.state === 'ok' ? release.record.ranges : undefined;
  const drift = countDrift(config, t, plan.counts);
  if (drift.length) say.info(events, `task counts differ from config: ${drift.join(', ')}; set by "cyclops scale" (or --count), which deploys keep; "cyclops scale ${t.app} ${t.env} --reset" goes back to config`);
  if (release.state === 'ok' && stack && plan.kind === 'deploy' && settingsFresh(release, release.record)) {
    const fast = await fastPath(plan, release.record, stack);
    if (fast) return fast;
  }

  // The full path. Still nothing written: read the env stack and ports.json, and judge the record.
  say.debug(events, `reading environment ${t.env}`); // a step line would come before a one-line refusal
  const outputs = await requireEnvOutputs(ops, t.env);
  const ports = await ops.store.readPorts();
  const had = ports?.environments[t.env]?.[t.app];
  const free = had ?? (ports ? lowestFree(ports, t.env) : config.ports.range[0]);
  if (free === null) {
    throw usageError(`ports ${config.ports.range.join('-')}: the range is full in ${t.env}; widen ports.range in ${config.file} and run "cyclops config push ports", or free one with "cyclops ports release APP ${t.env}"`);
  }
  const previous = previousRecord(plan, release, stack);
  const settings = await ops.store.readSettings(t.env, t.app);
  if (opts.dryRun) return dryRun(plan, had === undefined ? { port: free, allocated: false } : { port: had, allocated: true }, previous, settings);
  return withAppLock(ops, t, `${plan.kind === 'deploy' ? 'deploy' : `${plan.kind} change, deploy`} ${image}`, (scope) =>
    fullPath(plan, scope, outputs, previous, settings, release.state === 'corrupt'),
  );
}

/** The record to build on. A corrupt one is replaced when the stack proves what is deployed; else refused up front. */
function previousRecord(plan: Plan, release: ReleaseState, stack: StackSummary | null): ReleaseRecord | null {
  if (release.state === 'none') return null;
  if (release.state === 'ok') return release.record;
  const where = `s3://${release.bucket}/${release.key}`;
  if (stack && isSettled(stack.status)) {
    say.warn(plan.ops.events, `${where}: is not a valid release record (${release.problem}); this deploy replaces it (${restoreHint(release)})`);
    return release.lastGood?.record ?? null;
  }
  throw usageError(`${where}: is not a valid release record (${release.problem}) and stack ${plan.stackName} is not settled to prove what runs; ${restoreHint(release)}`);
}

/** Skip-deploy: the stack and the record both say this exact rendering runs. */
async function fastPath(plan: Plan, record: ReleaseRecord, stack: StackSummary): Promise<DeployResult | null> {
  const { ops, req, opts, wantsDb } = plan;
  if (record.port === undefined || (wantsDb && !record.databaseSecretArn)) return null;
  const rendered = render(ops.config, req.target, plan.image.deployed, plan.counts, record.port, wantsDb ? record.databaseSecretArn : undefined, record.settings, plan.ranges);
  if (!stackRuns(stack, rendered) || !recordMatches(record, rendered, stack)) return null;
  const base = { port: record.port, database: null, release: record, changes: [] as ChangeSummary[], changed: false, skipped: true };
  if (opts.dryRun) return result(plan, { ...base, status: stack.status, action: 'dry-run', services: [] });
  return withAppLock(ops, req.target, `deploy ${req.image}`, async (scope) => {
    // Under the lock: the stack must still be the one judged above, else the full path decides.
    if (!sameState(stack, await ops.stacks.describe(plan.stackName))) return null;
    say.info(ops.events, `stack ${plan.stackName}: no changes (its template digest and parameters match)`);
    const services = await rollout(plan, scope, 'check');
    return result(plan, { ...base, status: stack.status, action: 'none', services });
  });
}

async function dryRun(plan: Plan, port: { port: number; allocated: boolean }, previous: ReleaseRecord | null, settings: AppSettings): Promise<DeployResult> {
  const { ops, req } = plan;
  const t = req.target;
  say.step(ops.events, port.allocated ? `port ${port.port}` : `would allocate port ${port.port}`);
  let database: DeployResult['database'] = null;
  if (plan.wantsDb) {
    const info = await ops.database.info(t.env, t.app);
    if (!info) say.step(ops.events, `would create database and login for ${t.app}`);
    database = info ? { dbname: info.dbname, username: info.username, secretArn: info.secretArn, state: 'exists' } : null;
  }
  const rendered = render(ops.config, t, plan.image.deployed, plan.counts, port.port, database?.secretArn, settingsSnapshot(settings), plan.ranges);
  const { result: applied } = await applyTemplate(ops, {
    kind: 'app',
    ids: t,
    stackName: plan.stackName,
    body: rendered.body,
    parameters: rendered.parameterList,
    dryRun: true,
    timeoutSeconds: plan.opts.timeoutSeconds,
    allowReplace: plan.opts.allowReplace,
  });
  return result(plan, { port: port.port, database, release: previous, changes: applied.changes, changed: applied.changed, skipped: false, status: applied.status, action: applied.action, services: [] });
}

async function fullPath(plan: Plan, scope: LockScope, outputs: EnvOutputs, previous: ReleaseRecord | null, settings: AppSettings, replaceCorrupt: boolean): Promise<DeployResult> {
  const { ops, req, opts } = plan;
  const t = req.target;
  const { port, allocated } = await ops.store.allocatePort(t.env, t.app);
  say.step(ops.events, allocated ? `allocated port ${port}` : `port ${port}`);
  scope.checkpoint();
  let database: DeployResult['database'] = null;
  if (plan.wantsDb) {
    const db = await ops.database.ensure(t.env, t.app, { envOutputs: outputs, signal: scope.signal });
    database = { dbname: db.dbname, username: db.username, secretArn: db.secretArn, state: db.database };
    scope.checkpoint();
  }
  const rendered = render(ops.config, t, plan.image.deployed, plan.counts, port, database?.secretArn, settingsSnapshot(settings), plan.ranges);
  const template = ops.store.templateLocation('app', t, rendered.body);
  const fields = { ...recordFields(plan, rendered, template, null), settingsRevision: settings.revision };
  // The log group outlives the stack (logs stay after destroy), so cyclops makes it, not the stack.
  const group = logGroup(t.platform, t.env, t.app);
  const made = await ops.logGroups.ensure(group, LOG_RETENTION_DAYS, Object.fromEntries(tags(t).map((x) => [x.Key, x.Value])));
  say.debug(ops.events, `log group ${group} ${made === 'created' ? 'created' : 'already there'} (retention ${LOG_RETENTION_DAYS} days)`);
  scope.checkpoint();
  // The release phase (processes.release) runs once CloudFormation has described the change
  // and the change-safety guard let it through, and before the change set is executed: a
  // refused deploy never migrates, and a failed release command leaves the services as they are.
  const beforeExecute = async () => {
    const phase = await releasePhase(ops, { target: t, image: plan.image.deployed, rendered, outputs, previous, skip: opts.skipReleasePhase, timeoutSeconds: opts.timeoutSeconds, scope });
    if (phase) fields.releasePhase = phase;
    scope.checkpoint();
  };
  // From the moment the stack is asked to change, every way out leaves a record in the log.
  let touched = false;
  const attempt = async () => {
    const { result } = await applyTemplate(ops, {
      kind: 'app',
      ids: t,
      stackName: plan.stackName,
      body: rendered.body,
      parameters: rendered.parameterList,
      timeoutSeconds: opts.timeoutSeconds,
      allowReplace: opts.allowReplace,
      signal: scope.signal,
      beforeExecute,
      checkpoint: () => {
        scope.checkpoint();
        touched = true;
      },
    });
    if (!result.changed && opts.restart) {
      const { cluster, services } = appServices(ops.config, t);
      say.step(ops.events, `starting a new deployment of ${services.join(', ')}`);
      scope.checkpoint();
      await ops.services.restart(cluster, services);
    }
    const states = await rollout(plan, scope, 'wait');
    scope.checkpoint();
    return { applied: result, services: states };
  };
  const { applied, services } = await attempt().catch((e) =>
    touched ? recordFailure(ops, t, plan.started, isReleasePhaseFailed(e) ? { ...fields, releasePhase: e.phase } : fields, e) : Promise.reject(e),
  );
  const after = await ops.stacks.describe(plan.stackName);
  let release = previous;
  // A changed stack gets a record; so does a vars/secrets change, and an unchanged stack whose record does not say what it runs (reconcile).
  if (applied.changed || plan.kind !== 'deploy' || replaceCorrupt || !recordMatches(previous, rendered, after)) {
    if (!applied.changed && plan.kind === 'deploy') say.step(ops.events, `recording release: ${plan.stackName} runs ${req.image} but the release record did not say so`);
    scope.checkpoint();
    release = await ops.store.writeRelease(t.env, t.app, draft(ops, t, plan.started, { ...fields, ...recordFields(plan, rendered, template, after) }));
    if (release?.number !== undefined) await tagReleaseImage(ops, t.env, plan.image, release.number);
  }
  return result(plan, { port, database, release, changes: applied.changes, changed: applied.changed, skipped: false, status: applied.status, action: applied.action, services });
}

/** The services' rollout: waited for, or with --no-wait read once and reported. Never a false success. */
async function rollout(plan: Plan, scope: LockScope, mode: 'wait' | 'check'): Promise<ServiceState[]> {
  const { ops, req, opts } = plan;
  const { cluster, services } = appServices(ops.config, req.target);
  if (!services.length) return [];
  if (opts.wait === false) {
    const states = await ops.services.describe(cluster, services);
    const open = states.filter((s) => s.rollout !== 'COMPLETED');
    if (open.length) {
      say.warn(ops.events, `not waiting (--no-wait): ${open.map((s) => `${s.name} ${s.rollout ?? 'no deployment'} ${s.running}/${s.desired}`).join(', ')}; follow it with "cyclops status ${req.target.app} ${req.target.env}"`);
    }
    return states;
  }
  say.step(ops.events, mode === 'wait' ? `waiting for ${services.length} service(s) to roll out` : `checking that ${services.length} service(s) have rolled out`);
  return ops.services.waitForRollout(cluster, services, { timeoutSeconds: opts.timeoutSeconds, signal: scope.signal });
}

function recordFields(plan: Plan, r: Rendered, template: { key: string; url: string }, after: StackSummary | null): RecordFields {
  const t = plan.req.target;
  return {
    kind: plan.kind,
    image: plan.req.image,
    ...(plan.image.tag ? { imageTag: plan.image.tag } : {}),
    ...(plan.image.digest ? { imageDigest: plan.image.digest } : {}),
    stack: plan.stackName,
    templateUrl: template.url,
    templateKey: template.key,
    templateDigest: r.digest,
    parameters: r.parameters,
    ...(plan.counts ? { counts: plan.counts as Record<string, number> } : {}),
    ...(plan.ranges ? { ranges: plan.ranges } : {}),
    settings: r.overlay,
    settingsDigest: r.settingsDigest,
    port: r.port,
    ...(r.databaseSecretArn ? { databaseSecretArn: r.databaseSecretArn } : {}),
    url: appUrlFor(plan.ops.config, t),
    status: after?.status,
    ...(stackStamp(after) ? { stackUpdatedAt: stackStamp(after) } : {}),
  };
}

type Outcome = Pick<DeployResult, 'port' | 'database' | 'release' | 'changes' | 'changed' | 'skipped' | 'status' | 'action'> & { services: ServiceState[] };

function result(plan: Plan, o: Outcome): DeployResult {
  const t = plan.req.target;
  return {
    app: t.app,
    env: t.env,
    image: plan.req.image,
    port: o.port,
    url: appUrlFor(plan.ops.config, t),
    stack: plan.stackName,
    status: o.status,
    changed: o.changed,
    action: o.action,
    skipped: o.skipped,
    changes: o.changes,
    duration: Math.round((now(plan.ops) - plan.started) / 100) / 10,
    release: o.release,
    imageDigest: plan.image.digest ?? null,
    database: o.database,
    services: o.services.map((s) => ({ name: s.name, desired: s.desired, running: s.running, rollout: s.rollout })),
  };
}

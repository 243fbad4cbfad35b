/**
 * `cyclops deploy IMAGE APP ENV`: one straight pipeline, each step one call, in this order
 * (docs/architecture.md):
 *   1. read      the release record, the app stack, the image's digest, the settings, the
 *                env stack's outputs (and ports.json for a first port), all before the lock
 *   2. plan      planDeploy: pure, every check once; a refusal here has written nothing
 *   3. lock      the app's lease
 *   4. re-check  the stack, the release pointer and the settings revision, under the lock;
 *                if any moved, read and plan again (nothing moves now)
 *   5. write     port, database, log group, template and stack (the release phase runs
 *                inside, before the change set executes) — or nothing on the fast path
 *   6. wait      the services' rollout
 *   7. record    the release record (and the image's release tag)
 * One Deadline per deploy is shared by the stack wait, the release phase and the rollout.
 */
import { appConfig } from '../config/model';
import { Deadline } from '../deadline';
import { usageError } from '../errors';
import { message, say, type CyclopsEvent } from '../events';
import { appStack, LOG_RETENTION_DAYS, tags } from '../naming';
import type { ServiceState } from '../ecs/rollout';
import { refuseBlocked, type ApplyResult, type EnvOutputs } from '../stacks';
import { lowestFree, type ReleaseRecord, type ReleaseState } from '../store';
import { applyTemplate } from './apply-template';
import { now, type Ops } from './context';
import { appUrlFor, checkOwner, recordMatches, sameState, stackStamp, type Rendered } from './desired-state';
import { planDeploy, renderPlan, settingsKnown, wantsDatabase, type DeployInputs, type DeployPlan } from './deploy-plan';
import { requireEnvOutputs } from './envstack';
import { deployArchitectures, resolveImage, tagReleaseImage, type ResolvedImage } from './images';
import { withAppLock, type LockScope } from './lock';
import type { DeployOptions, DeployRequest, DeployResult } from './deploy-types';
import { checkPreviewStack } from './previews';
import { draft, recordFailure, type Fields as RecordFields } from './release-log';
import { describeRelease } from './release-describe';
import { isReleasePhaseFailed, releasePhase } from './release-phase';
import { keptVolumes } from './kept-volumes';
import { createHeld, createsHeld } from './first-release';
import { explain, follow, progressiveOf, settle } from './progressive-deploy';
import { externalCertificateFor } from './external-certificate';
import { readLive, verifyStack } from './verify-stack';
import { ensureSmtp, wantsSmtp } from '../email/smtp-user';

export type { DeployOptions, DeployRequest, DeployResult } from './deploy-types';

/** What the read step saw; the re-check compares the release pointer and the stack with it. */
interface Observed {
  inputs: DeployInputs;
  /** read before the lock for a first deploy; else by the write step */
  outputs?: EnvOutputs;
  /** dry runs and first ports: the port this deploy has or would get */
  port?: { port: number; allocated: boolean };
}

/** One deploy's context through the steps. */
interface Run {
  ops: Ops;
  req: DeployRequest;
  opts: DeployOptions;
  started: number;
  deadline: Deadline;
  /** `deploy --build`'s check before its build: the image to be built, not looked up (it is not in ECR yet) */
  resolved?: ResolvedImage;
}

export async function deploy(ops: Ops, req: DeployRequest, opts: DeployOptions = {}): Promise<DeployResult> {
  const run: Run = { ops, req, opts, started: now(ops), deadline: new Deadline(opts.timeoutSeconds, () => now(ops)) };
  const t = req.target;
  if (wantsDatabase(ops.config, t) && !opts.dryRun) await ops.database.preflight(t.env, t.app);
  let seen = await read(run); // 1
  let plan = planDeploy(ops.config, t, seen.inputs); // 2
  tell(ops, plan);
  if (opts.dryRun) return dryRun(run, plan, seen);
  const operation = plan.unchanged ? `deploy ${req.image}` : `${plan.kind === 'deploy' ? 'deploy' : `${plan.kind} change, deploy`} ${req.image}`;
  return locked(run, operation, async (scope) => { // 3
    if (await moved(run, plan, seen)) { // 4
      seen = await read(run);
      plan = planDeploy(ops.config, t, seen.inputs);
    }
    if (plan.unchanged) return unchanged(run, plan, plan.unchanged, seen.inputs.stack!.status, scope);
    // From the moment the stack is asked to change, every way out leaves a record in the log.
    const progress: Progress = { touched: false };
    let written: Written;
    let services: ServiceState[];
    // blue/green, canary, linear: the web service's deployment is followed from before the change set runs
    const strategy = opts.wait === false ? null : progressiveOf(ops, t);
    const follower = strategy ? await follow(ops, t, plan.names.cluster, strategy, { deadline: run.deadline, signal: scope.signal }) : null;
    try {
      written = await write(run, plan, seen, scope, progress); // 5
      services = await rollout(run, plan, scope, 'wait'); // 6
      await settle(follower, t, strategy, progress.fields);
      scope.checkpoint();
    } catch (err) {
      const e = progress.touched ? await explain(follower, t, strategy, progress.fields, err) : (await follower?.stop(false), err);
      if (!progress.touched || !progress.fields) throw e;
      return recordFailure(ops, t, run.started, isReleasePhaseFailed(e) ? { ...progress.fields, releasePhase: e.phase } : progress.fields, e);
    }
    const release = await record(run, plan, written, scope); // 7
    const { applied } = written;
    return result(run, plan, { port: written.port, database: written.database, release, changes: applied.changes, changed: applied.changed, skipped: false, status: applied.status, action: applied.action, services });
  });
}

/**
 * `deploy --build`, before it builds and pushes: steps 1 and 2 with the image still to be
 * built, so whatever a deploy refuses before its lock (exit 2) is refused before the push too.
 * The deploy runs them again once the image is pushed (under the lock, things may have moved).
 */
export async function checkDeploy(ops: Ops, req: DeployRequest, resolved: ResolvedImage, opts: DeployOptions = {}): Promise<void> {
  // read as a dry run does (the port this deploy would have), for the change set below
  const run: Run = { ops, req, opts: { ...opts, dryRun: true }, started: now(ops), deadline: new Deadline(opts.timeoutSeconds, () => now(ops)), resolved };
  if (wantsDatabase(ops.config, req.target) && !opts.dryRun) await ops.database.preflight(req.target.env, req.target.app);
  const seen = await read(run);
  const plan = planDeploy(ops.config, req.target, seen.inputs);
  if (opts.dryRun || plan.unchanged || !seen.inputs.stack) return;
  // An update: the change-safety guard's verdict on the new template (a stateful resource
  // replaced or removed, an imported export dropped) from a change set that is made and
  // deleted, as --dry-run does, so the refusal comes before the build and the push.
  const { applied } = await preview(run, plan, seen.port!.port);
  refuseBlocked(plan.names.stack, applied.blocked, applied.blockedExports);
}

/** Step 3: the app lock: the caller's (opts.scope), else taken here. */
const locked = <T>(run: Run, operation: string, fn: (scope: LockScope) => Promise<T>): Promise<T> =>
  run.opts.scope ? fn(run.opts.scope) : withAppLock(run.ops, run.req.target, operation, fn);

/** Step 1: every read a deploy needs, before the lock; the ECR digest lookup goes alongside. */
async function read(run: Run): Promise<Observed> {
  const { ops, req, opts } = run;
  const t = req.target;
  const [release, stack, resolved] = await Promise.all([
    ops.store.readRelease(t.env, t.app),
    ops.stacks.describe(appStack(t.platform, t.env, t.app)),
    run.resolved ?? resolveImage(ops, req.image, req.ref, deployArchitectures(appConfig(ops.config, t.app, t.env))),
  ]);
  checkOwner(stack, t);
  checkPreviewStack(stack, t); // a preview (target.previewOf) never replaces a real app
  const kept = await keptVolumes(ops, t, stack); // a new stack attaches the file systems a destroy kept
  // domains whose zone is elsewhere: the issued certificate `cyclops domains` requested (ACM reads only when there are such domains)
  const externalCertificate = await externalCertificateFor(ops, t, stack);
  // Only what this deploy can need, so an unchanged redeploy stays at three reads:
  // - the settings, unless the release pointer says the record carries the newest;
  // - the env stack's outputs when there is no app stack yet (an app stack imports them, so
  //   its env exists: the write step reads them then, under the lock, before any write);
  // - ports.json when this deploy may take a new port (a full range is refused here) or is a dry run.
  const [settings, outputs, port] = await Promise.all([
    settingsKnown(release) ? undefined : ops.store.readSettings(t.env, t.app),
    stack ? undefined : requireEnvOutputs(ops, t.env),
    opts.dryRun || release.state !== 'ok' || release.record.port === undefined ? freePort(run) : undefined,
  ]);
  const inputs: DeployInputs = { image: req.image, ref: req.ref, resolved, counts: opts.counts, kind: opts.kind ?? 'deploy', release, stack, keptVolumes: kept, ...(externalCertificate !== undefined ? { externalCertificate } : {}), ...(settings ? { settings } : {}) };
  return { inputs, ...(outputs ? { outputs } : {}), ...(port ? { port } : {}) };
}

async function freePort(run: Run): Promise<{ port: number; allocated: boolean }> {
  const { ops, req } = run;
  const t = req.target;
  const ports = await ops.store.readPorts();
  const had = ports?.environments[t.env]?.[t.app];
  if (had !== undefined) return { port: had, allocated: true };
  const free = ports ? lowestFree(ports, t.env) : ops.config.ports.range[0];
  if (free === null) {
    throw usageError(`ports ${ops.config.ports.range.join('-')}: the range is full in ${t.env}; widen ports.range in ${ops.config.file} and run "cyclops config push ports", or free one with "cyclops ports release APP ${t.env}"`);
  }
  return { port: free, allocated: false };
}

/** What the plan wants said. */
function tell(ops: Ops, plan: DeployPlan): void {
  for (const n of plan.notes) ops.events.emit(message(n.level === 'warning' ? 'warning' : n.level, n.code, n.data, n.message) as CyclopsEvent);
}

/** Step 4: under the lock, did the stack, the release pointer or the settings revision move since step 1? */
async function moved(run: Run, plan: DeployPlan, seen: Observed): Promise<boolean> {
  const { ops, req } = run;
  const [release, stack] = await Promise.all([ops.store.readRelease(req.target.env, req.target.app), ops.stacks.describe(plan.names.stack)]);
  const before = seen.inputs;
  const stackMoved = before.stack ? !sameState(before.stack, stack) : stack !== null;
  return stackMoved || pointerOf(release) !== pointerOf(before.release);
}

/** What the release pointer says: state, release number and settings revision. */
const pointerOf = (r: ReleaseState) =>
  JSON.stringify(r.state === 'ok' ? ['ok', r.record.number, r.settingsRevision] : r.state === 'none' ? ['none', r.settingsRevision] : ['corrupt', r.problem]);

/** The fast path (skip-deploy): the stack and the record say this exact rendering runs; only the rollout is checked. */
async function unchanged(run: Run, plan: DeployPlan, rendered: Rendered, status: string, scope: LockScope): Promise<DeployResult> {
  say.info(run.ops.events, 'deploy.stack.unchanged', { stack: plan.names.stack }, `stack ${plan.names.stack}: no changes (its template digest and parameters match)`);
  const services = await rollout(run, plan, scope, 'check');
  return result(run, plan, { port: rendered.port, database: null, release: plan.previous, changes: [], changed: false, skipped: true, status, action: 'none', services });
}

async function dryRun(run: Run, plan: DeployPlan, seen: Observed): Promise<DeployResult> {
  const { ops } = run;
  const base = { release: plan.previous, database: null, services: [] };
  if (plan.unchanged) {
    return result(run, plan, { ...base, port: plan.unchanged.port, changes: [], changed: false, skipped: true, status: seen.inputs.stack!.status, action: 'dry-run' });
  }
  const port = seen.port!;
  say.step(ops.events, 'deploy.port.planned', { port: port.port, allocated: port.allocated }, port.allocated ? `port ${port.port}` : `would allocate port ${port.port}`);
  const { database, applied } = await preview(run, plan, port.port);
  return result(run, plan, { ...base, port: port.port, database, changes: applied.changes, changed: applied.changed, skipped: false, status: applied.status, action: applied.action });
}

/** The plan's app stack change as a change set that is described and deleted (nothing changes). */
async function preview(run: Run, plan: DeployPlan, port: number): Promise<{ database: DeployResult['database']; applied: ApplyResult }> {
  const { ops } = run;
  const t = run.req.target;
  let database: DeployResult['database'] = null;
  if (plan.wantsDb) {
    const info = await ops.database.info(t.env, t.app);
    if (!info) say.step(ops.events, 'deploy.database.planned', { app: t.app }, `would create database and login for ${t.app}`);
    database = info ? { dbname: info.dbname, username: info.username, secretArn: info.secretArn, state: 'exists' } : null;
  }
  const rendered = renderPlan(ops.config, plan, port, database?.secretArn);
  const { result: applied } = await applyTemplate(ops, { ...appChange(run, plan, rendered), dryRun: true });
  return { database, applied };
}

/** The app stack change a plan makes, for the dry run and the write alike. */
function appChange(run: Run, plan: DeployPlan, rendered: Rendered) {
  return {
    kind: 'app' as const,
    ids: run.req.target,
    stackName: plan.names.stack,
    body: rendered.body,
    parameters: rendered.parameterList,
    deadline: run.deadline,
    allowReplace: run.opts.allowReplace,
  };
}

/** What the write step leaves for the record step. */
interface Written {
  port: number;
  database: DeployResult['database'];
  rendered: Rendered;
  template: { key: string; url: string };
  fields: RecordFields;
  applied: ApplyResult;
}

/** Set once the stack was asked to change: a failure from then on is recorded. */
interface Progress {
  touched: boolean;
  fields?: RecordFields;
}

/** Step 5: port, database, log group, template and stack; the release phase runs inside, before the change set executes. */
async function write(run: Run, plan: DeployPlan, seen: Observed, scope: LockScope, progress: Progress): Promise<Written> {
  const { ops, req, opts } = run;
  const t = req.target;
  const outputs = seen.outputs ?? (await requireEnvOutputs(ops, t.env));
  // SMTP: the user, its key and the secret the task definition reads, before the stack needs them
  const smtp = wantsSmtp(ops.config, t.env, t.app) ? await ensureSmtp(ops, t, () => scope.checkpoint()) : null;
  const { port, allocated } = await ops.store.allocatePort(t.env, t.app);
  say.step(ops.events, 'deploy.port.allocated', { port, allocated }, allocated ? `allocated port ${port}` : `port ${port}`);
  scope.checkpoint();
  let database: DeployResult['database'] = null;
  if (plan.wantsDb) {
    const db = await ops.database.ensure(t.env, t.app, { envOutputs: outputs, signal: scope.signal });
    database = { dbname: db.dbname, username: db.username, secretArn: db.secretArn, state: db.database };
    scope.checkpoint();
  }
  const rendered = renderPlan(ops.config, plan, port, database?.secretArn);
  const template = ops.store.templateLocation('app', t, rendered.body);
  const fields: RecordFields = {
    ...recordFields(run, plan, rendered, template),
    settingsRevision: plan.settings.revision,
    ...(opts.promotedFrom ? { promotedFrom: opts.promotedFrom } : {}),
    ...(opts.build ? { build: opts.build } : {}),
  };
  fields.description = describeRelease(fields, plan.previous, opts.touched);
  progress.fields = fields;
  // The log group outlives the stack (logs stay after destroy), so cyclops makes it, not the stack.
  const made = await ops.logGroups.ensure(plan.names.logGroup, LOG_RETENTION_DAYS, Object.fromEntries(tags(t).map((x) => [x.Key, x.Value])));
  say.debug(ops.events, 'deploy.log-group.ready', { group: plan.names.logGroup, created: made === 'created', retentionDays: LOG_RETENTION_DAYS }, `log group ${plan.names.logGroup} ${made === 'created' ? 'created' : 'already there'} (retention ${LOG_RETENTION_DAYS} days)`);
  scope.checkpoint();
  // The release phase (processes.release) runs once CloudFormation has described the change
  // and the change-safety guard let it through, and before the change set is executed: a
  // refused deploy never migrates, and a failed release command leaves the services as they are.
  const runPhase = async () => {
    const phase = await releasePhase(ops, { target: t, image: plan.image.deployed, rendered, outputs, previous: plan.previous, skip: opts.skipReleasePhase, deadline: run.deadline, scope });
    if (phase) fields.releasePhase = phase;
    scope.checkpoint();
  };
  const change = {
    ...appChange(run, plan, rendered),
    signal: scope.signal,
    checkpoint: () => {
      scope.checkpoint();
      progress.touched = true;
    },
  };
  // A new app with a release phase: the stack is created with every task held, the phase runs
  // with the stack's roles, then the apply below releases the tasks (src/ops/first-release.ts).
  const held = createsHeld(ops, t, !!seen.inputs.stack, opts.skipReleasePhase);
  if (held) {
    await createHeld(ops, change, plan.names.services, rendered.digest);
    await runPhase();
  }
  const { result: applied } = await applyTemplate(ops, { ...change, ...(held ? {} : { beforeExecute: runPhase }) });
  // what the stack runs, not what the change set said, decides whether this succeeded
  const live = await readLive(ops, plan.names.stack, applied.stack);
  verifyStack(live, plan.names.stack, { parameters: rendered.parameters, digest: rendered.digest }, plan.kind === 'deploy' ? 'deploy' : `${plan.kind} change`);
  // a new SMTP key with an unchanged stack: new tasks read the new password
  if (!applied.changed && (opts.restart || smtp?.key === 'created')) {
    say.step(ops.events, 'deploy.services.restarting', { services: plan.names.services }, `starting a new deployment of ${plan.names.services.join(', ')}`);
    scope.checkpoint();
    await ops.services.restart(plan.names.cluster, plan.names.services);
  }
  return { port, database, rendered, template, fields, applied };
}

/** Step 6: the services' rollout, waited for, or with --no-wait read once and reported. Never a false success. */
async function rollout(run: Run, plan: DeployPlan, scope: LockScope, mode: 'wait' | 'check'): Promise<ServiceState[]> {
  const { ops, req, opts } = run;
  const { cluster, services } = plan.names;
  if (!services.length) return [];
  if (opts.wait === false) {
    const states = await ops.services.describe(cluster, services);
    const open = states.filter((s) => s.rollout !== 'COMPLETED');
    if (open.length) {
      say.warn(ops.events, 'deploy.rollout.not-waiting', { services: open.map((s) => ({ name: s.name, rollout: s.rollout ?? null, running: s.running, desired: s.desired })) }, `not waiting (--no-wait): ${open.map((s) => `${s.name} ${s.rollout ?? 'no deployment'} ${s.running}/${s.desired}`).join(', ')}; follow it with "cyclops status ${req.target.app} ${req.target.env}"`);
    }
    return states;
  }
  say.step(ops.events, 'service.rollout.waiting', { services: services.length, mode }, mode === 'wait' ? `waiting for ${services.length} service(s) to roll out` : `checking that ${services.length} service(s) have rolled out`);
  return ops.services.waitForRollout(cluster, services, { deadline: run.deadline, signal: scope.signal });
}

/**
 * Step 7: a changed stack gets a record; so does a vars/secrets change, and an unchanged
 * stack whose record does not say what it runs (a rerun after a deploy killed before this step).
 */
async function record(run: Run, plan: DeployPlan, w: Written, scope: LockScope): Promise<ReleaseRecord | null> {
  const { ops, req } = run;
  const t = req.target;
  if (!w.applied.changed && plan.kind === 'deploy' && !plan.replaceCorrupt && recordMatches(plan.previous, w.rendered)) return plan.previous;
  if (!w.applied.changed && plan.kind === 'deploy') say.step(ops.events, 'deploy.release.reconciling', { stack: plan.names.stack, image: req.image }, `recording release: ${plan.names.stack} runs ${req.image} but the release record did not say so`);
  scope.checkpoint();
  const after = w.applied.stack ?? null;
  const stamp = stackStamp(after);
  const release = await ops.store.writeRelease(t.env, t.app, draft(ops, t, run.started, { ...w.fields, status: after?.status ?? w.applied.status, ...(stamp ? { stackUpdatedAt: stamp } : {}) }));
  if (release?.number !== undefined) await tagReleaseImage(ops, t.env, plan.image, release.number);
  return release;
}

/** What the record says about this deployment (the stack's state is added once it settled). */
function recordFields(run: Run, plan: DeployPlan, r: Rendered, template: { key: string; url: string }): RecordFields {
  return {
    kind: plan.kind,
    image: plan.image.text,
    ...(plan.image.tag ? { imageTag: plan.image.tag } : {}),
    ...(plan.image.digest ? { imageDigest: plan.image.digest } : {}),
    stack: plan.names.stack,
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
    url: appUrlFor(run.ops.config, plan.target),
  };
}

type Outcome = Pick<DeployResult, 'port' | 'database' | 'release' | 'changes' | 'changed' | 'skipped' | 'status' | 'action'> & { services: ServiceState[] };

function result(run: Run, plan: DeployPlan, o: Outcome): DeployResult {
  const t = plan.target;
  return {
    app: t.app,
    env: t.env,
    image: plan.image.text,
    port: o.port,
    url: appUrlFor(run.ops.config, t),
    stack: plan.names.stack,
    status: o.status,
    changed: o.changed,
    action: o.action,
    skipped: o.skipped,
    changes: o.changes,
    duration: Math.round((now(run.ops) - run.started) / 100) / 10,
    release: o.release,
    imageDigest: plan.image.digest ?? null,
    database: o.database,
    services: o.services.map((s) => ({ name: s.name, desired: s.desired, running: s.running, rollout: s.rollout })),
  };
}

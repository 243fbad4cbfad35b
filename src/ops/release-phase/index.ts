/**
 * The release phase (`processes.release.command`): on a deploy that changes the image or the
 * settings, the command runs as a one-off task with the NEW image and settings, and only when
 * it exits 0 does the deploy go on to the stack update that switches the services.
 *
 * Why it runs before the stack update, on a task definition registered through the ECS API:
 * a task definition in the app template would be registered by the same stack update that
 * points the services at the new image, so the services would switch while (or before) the
 * release command runs, and a failed migration could not keep them on the old release. So
 * the release task definition is derived from the rendered template (release-task.ts) with
 * its imports resolved from the env stack's outputs and the roles the app's tasks use now,
 * registered, run and awaited; the stack is not touched until it has exited 0.
 *
 * The first deploy of an app has no stack yet, hence no execution role that may read its
 * secrets: it creates the stack with every task held (templates/app-hold.ts), runs the phase
 * with the stack's own roles, and only then lets the services start (src/ops/deploy.ts). While
 * the stack is held, a failed phase leaves no task serving, and the message says so.
 */
import { appConfig, serviceProcesses } from '../../config/model';
import type { Deadline } from '../../deadline';
import { CyclopsError, ExitCode, failure, isCyclopsError } from '../../errors';
import { say } from '../../events';
import { appStack, clusterName, iamPath, logGroup } from '../../naming';
import type { EnvOutputs } from '../../stacks';
import type { ReleasePhaseRecord, ReleaseRecord } from '../../store';
import { now, type Ops } from '../context';
import type { LockScope } from '../lock';
import { appNetwork, startOneOff, waitOneOff, type OneOffSpec } from '../one-off';
import { stackRuns, type Rendered } from '../desired-state';
import { RELEASE_CONTAINER, releaseTaskDefinition } from './task-definition';
import { HOLD_PARAMETER } from '../../../templates/app-hold';
import { processTaskDefinition } from '../run';
import type { AppTarget } from '../../plan/target';

/** How long a release command may take unless the deploy's --timeout is shorter. */
export const RELEASE_TIMEOUT_SECONDS = 1800;
/** Lines of the task's log kept in the release record when it fails. */
export const RELEASE_LOG_LINES = 20;

/** What the release record says about the phase (field `releasePhase`). */
export type { ReleasePhaseRecord };

export interface ReleasePhaseRequest {
  target: AppTarget;
  image: string;
  rendered: Rendered;
  outputs: EnvOutputs;
  previous: ReleaseRecord | null;
  skip?: boolean;
  /** the deploy's one deadline; the phase also stops after RELEASE_TIMEOUT_SECONDS */
  deadline: Deadline;
  scope: Pick<LockScope, 'signal' | 'checkpoint'>;
}

/**
 * Runs the phase when it applies; undefined when the app has none or nothing changes. A
 * failure is recorded on the current record (`failedDeploy`, the services' release stays
 * what it is) and thrown: the deploy stops before the stack update.
 */
export async function releasePhase(ops: Ops, req: ReleasePhaseRequest): Promise<ReleasePhaseRecord | undefined> {
  const t = req.target;
  const release = appConfig(ops.config, t.app, t.env).release;
  if (!release) return undefined;
  const at = () => new Date(now(ops)).toISOString();
  if (req.skip) {
    say.warn(ops.events, 'release-phase.skipped', { reason: 'flag', command: release.command }, `release phase skipped (--skip-release-phase): "${release.command.join(' ')}" did not run for ${req.image}`);
    return { status: 'skipped', reason: '--skip-release-phase', command: release.command, at: at() };
  }
  const stackName = appStack(t.platform, t.env, t.app);
  const stack = await ops.stacks.describe(stackName);
  // deploy creates a new app's stack (held) before the phase: no stack here is a bug, not a skip
  if (!stack) throw failure(`release phase of ${t.app} in ${t.env}: stack ${stackName} does not exist, so there is no execution role to run the release command with; run the deploy again`);
  if (stackRuns(stack, req.rendered)) return undefined; // the stack already runs this: nothing switches
  // the stack was created held and the phase has not succeeded yet: no task serves
  const held = stack.parameters[HOLD_PARAMETER] === 'true';
  const keep = held
    ? `no task of ${t.app} runs yet (its services stay at 0 until the release phase succeeds); fix the release command or its image and run the same deploy again`
    : `the services keep running ${req.previous?.image ?? 'the current release'}`;

  const roles = await currentRoles(ops, t);
  const td = releaseTaskDefinition(req.rendered.body, {
    target: t,
    image: req.image,
    release,
    outputs: req.outputs,
    region: ops.stacks.region,
    ...roles,
    logGroup: logGroup(t.platform, t.env, t.app),
    fargate: ops.config.environments[t.env].capacity.type === 'fargate',
  });
  const network = appNetwork(req.outputs, `release phase of ${t.app} in ${t.env}`);
  say.step(ops.events, 'release-phase.started', { command: release.command, image: req.image }, `release phase: ${release.command.join(' ')} (${req.image})`);
  req.scope.checkpoint();
  const taskDefinition = await ops.tasks.register(td);
  const spec: OneOffSpec = {
    ids: t,
    what: `release phase of ${t.app} in ${t.env}`,
    cluster: clusterName(t.platform, t.env),
    taskDefinition,
    container: RELEASE_CONTAINER,
    command: release.command,
    startedBy: 'cyclops-release',
    launchType: td.requiresCompatibilities[0],
    log: { group: td.containerDefinitions[0].logConfiguration!.options['awslogs-group'], prefix: RELEASE_CONTAINER },
  };
  req.scope.checkpoint();
  const taskArn = await startOneOff(ops, spec, network).catch((e: Error) => {
    const phase: ReleasePhaseRecord = { status: 'failed', command: release.command, taskDefinition, exitCode: null, stoppedReason: `not started: ${e.message}`, at: at(), logs: [] };
    throw new ReleasePhaseFailed(`release phase of ${t.app} in ${t.env}: the release task could not start (${e.message}); ${keep}`, phase);
  });
  const r = await waitOneOff(ops, spec, taskArn, {
    deadline: req.deadline.within(RELEASE_TIMEOUT_SECONDS),
    stopOnTimeout: true,
    keepLines: RELEASE_LOG_LINES,
    signal: req.scope.signal,
  });
  const base = { command: release.command, taskArn, taskDefinition, exitCode: r.exitCode, ...(r.stoppedReason ? { stoppedReason: r.stoppedReason } : {}), at: at() };
  if (r.exitCode === 0) {
    say.success(ops.events, 'release-phase.succeeded', { image: req.image }, `release phase: exited 0; switching the services to ${req.image}`);
    return { status: 'succeeded', ...base };
  }
  const phase: ReleasePhaseRecord = { status: 'failed', ...base, logs: r.logs.map((l) => l.message) };
  const code = r.exitCode === null ? `stopped before the command ran (${r.stoppedReason ?? 'no reason given'})` : `exited with code ${r.exitCode}`;
  // Deploy records the failed release (with this phase) in the log; the current release stays.
  throw new ReleasePhaseFailed(
    `release phase of ${t.app} in ${t.env}: "${release.command.join(' ')}" ${code}; ${keep}${held ? '' : ' and nothing else was changed'}`,
    phase,
  );
}

/** The release command failed: the deploy stops before the stack update; `phase` goes in the failed record. */
export class ReleasePhaseFailed extends CyclopsError {
  constructor(
    message: string,
    readonly phase: ReleasePhaseRecord,
  ) {
    super(message, {
      exitCode: ExitCode.FAILED,
      code: 'release-phase-failed',
      details: phase.logs?.length ? ['last lines of the release task:', ...phase.logs.map((l) => `  ${l}`)] : [],
    });
  }
}

/** A ReleasePhaseFailed, recognised by its brand and code rather than instanceof (see src/errors.ts). */
export const isReleasePhaseFailed = (e: unknown): e is ReleasePhaseFailed => isCyclopsError(e, 'release-phase-failed') && 'phase' in e;

/**
 * The roles the app's tasks use now, and the account: from the task definition the first
 * process runs, else from the app stack's ExecutionRole and TaskRole resources.
 */
async function currentRoles(ops: Ops, t: AppTarget): Promise<{ executionRoleArn: string; taskRoleArn?: string; accountId: string; partition: string }> {
  const current = await processTaskDefinition(ops, t, serviceProcesses(appConfig(ops.config, t.app, t.env))[0]?.name ?? appConfig(ops.config, t.app, t.env).processes[0].name);
  const [, partition, , , accountId] = current.taskDefinition.arn.split(':');
  let { executionRoleArn, taskRoleArn } = current.taskDefinition;
  if (!executionRoleArn) {
    const ids = await ops.tasks.stackResources(appStack(t.platform, t.env, t.app));
    // the app stack makes its roles under the platform's IAM path, and a role's ARN carries its path
    const arn = (name?: string) => (name ? (name.startsWith('arn:') ? name : `arn:${partition}:iam::${accountId}:role${iamPath(t.platform)}${name}`) : undefined);
    executionRoleArn = arn(ids.ExecutionRole);
    taskRoleArn ??= arn(ids.TaskRole);
  }
  if (!executionRoleArn) throw failure(`release phase of ${t.app} in ${t.env}: cannot find the app's execution role (task definition ${current.taskDefinition.arn}, stack resources); deploy once with --skip-release-phase`);
  return { executionRoleArn, ...(taskRoleArn ? { taskRoleArn } : {}), accountId, partition };
}

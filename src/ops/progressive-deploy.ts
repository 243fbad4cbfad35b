/**
 * A deploy of a blue/green, canary or linear app follows the web service's ECS deployment
 * while CloudFormation updates the stack (docs/deployments.md). The follower starts before the
 * change set runs (it notes the newest deployment then, to pass over it), reads the new one
 * every poll and says each phase (src/ops/progressive.ts), and is asked for the end once the
 * stack and the rollout are done: a deployment that is still shifting or baking is waited for;
 * one that rolled back (an alarm) or was stopped (`cyclops abort`) makes the deploy fail with
 * that reason, recorded in the release with the strategy and each phase's timing.
 */
import { appConfig } from '../config/model';
import type { DeploymentConfig } from '../config/deployment';
import { CyclopsError, ExitCode } from '../errors';
import { say } from '../events';
import { serviceName } from '../naming';
import type { AppTarget } from '../plan/target';
import type { DeploymentRecord } from '../store';
import type { Deadline } from '../deadline';
import type { Ops } from './context';
import { watchDeployment, type WatchEnd } from './progressive';

export interface Follower {
  /** after the stack update and the rollout: the deployment's end (waited for), or null when the update made none */
  finish(): Promise<WatchEnd | null>;
  /** the end as far as it got, for a failure's record (stops following; `wait: false` stops at once) */
  stop(wait?: boolean): Promise<WatchEnd | null>;
}

/** The release's `deployment` field from a watch's end. */
export const deploymentRecord = (strategy: string, end: WatchEnd): DeploymentRecord => ({
  strategy,
  ...(end.arn ? { arn: end.arn } : {}),
  status: end.status,
  phases: end.phases,
  ...(end.alarms.length ? { alarms: end.alarms } : {}),
  ...(end.abortedBy ? { abortedBy: end.abortedBy } : {}),
});

/** The deploy's error for a deployment ECS rolled back or someone aborted (exit 1; recorded rolled-back or aborted). */
export function deploymentFailed(t: AppTarget, strategy: string, end: WatchEnd): CyclopsError {
  const what = end.outcome === 'aborted' ? 'was aborted' : 'was rolled back by ECS';
  return new CyclopsError(`deploy ${t.app} in ${t.env}: the ${strategy} deployment ${what}: ${end.reason}; the previous release still serves ("cyclops releases ${t.app} ${t.env}" shows it)`, {
    exitCode: ExitCode.FAILED,
    code: end.outcome === 'aborted' ? 'aborted' : 'rollout-failed',
  });
}

/** The app's strategy in this deploy's config; null for rolling and apps without a web process. */
export function progressiveOf(ops: Ops, t: AppTarget): DeploymentConfig | null {
  const app = appConfig(ops.config, t.app, t.env);
  if (app.deployment.strategy === 'rolling' || !app.processes.some((p) => p.name === 'web')) return null;
  return app.deployment;
}

export async function follow(ops: Ops, t: AppTarget, cluster: string, deployment: DeploymentConfig, o: { deadline: Deadline; signal: AbortSignal }): Promise<Follower | null> {
  if (!ops.deployments) return null;
  const service = serviceName(t.app, 'web');
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  let settled = false;
  let failed = false;
  let ignore: string | undefined;
  try {
    ignore = (await ops.deployments.latest(cluster, service))?.arn;
  } catch (e) {
    return warned(ops, e);
  }
  say.step(ops.events, 'deployment.following', { strategy: deployment.strategy, service }, `${deployment.strategy}: following the deployment of ${service}`);
  let last: WatchEnd | null = null;
  const watching = watchDeployment(ops, cluster, service, deployment, { ignore, signal, pollMs: ops.deployments.pollMs, expired: () => o.deadline.expired, settled: () => settled, app: { env: t.env, app: t.app } })
    .then((end) => (last = end))
    .catch((e) => {
      failed = true;
      warned(ops, e);
      return null;
    });
  const done = (end: WatchEnd | null) => {
    if (end) say.info(ops.events, 'deployment.done', { strategy: deployment.strategy, outcome: end.outcome, seconds: end.phases.reduce((n, p) => n + (p.seconds ?? 0), 0) || null }, `${deployment.strategy}: ${end.outcome}${end.reason ? ` (${end.reason})` : ''}`);
    return end;
  };
  return {
    finish: async () => {
      settled = true;
      return done(failed ? null : await watching);
    },
    stop: async (wait = true) => {
      // A failed stack update: ECS's deployment is over by now (its end failed the update); one more read says how.
      settled = true;
      let timer: NodeJS.Timeout | undefined;
      const end = wait ? await Promise.race([watching, new Promise<null>((r) => (timer = setTimeout(() => r(null), (ops.deployments?.pollMs ?? 10_000) + 5_000)))]) : null;
      clearTimeout(timer);
      stop.abort();
      return done(end ?? last);
    },
  };
}

/**
 * After the stack and the rollout: wait for the deployment's end and put it in the record's
 * fields; a rollback or an abort is the deploy's failure (thrown, the fields already say how).
 */
export async function settle(f: Follower | null, t: AppTarget, d: DeploymentConfig | null, fields: { deployment?: DeploymentRecord } | undefined): Promise<void> {
  const end = f && d ? await f.finish() : null;
  if (!end || !d) return;
  if (fields) fields.deployment = deploymentRecord(d.strategy, end);
  if (end.outcome !== 'succeeded') throw deploymentFailed(t, d.strategy, end);
}

/** A deploy that failed while following: the deployment's own end explains it better than the stack's failure. */
export async function explain(f: Follower | null, t: AppTarget, d: DeploymentConfig | null, fields: { deployment?: DeploymentRecord } | undefined, e: unknown): Promise<unknown> {
  if (!f || !d || (e as { code?: string })?.code === 'aborted' || (e as { code?: string })?.code === 'rollout-failed') return e;
  const end = await f.stop();
  if (!end) return e;
  if (fields) fields.deployment = deploymentRecord(d.strategy, end);
  return end.outcome === 'succeeded' ? e : deploymentFailed(t, d.strategy, end);
}

function warned(ops: Ops, e: unknown): null {
  const reason = ((e as Error)?.message ?? String(e)).split('\n')[0];
  say.warn(ops.events, 'deployment.watch-failed', { reason }, `cannot follow the deployment (${reason}); the stack update and the rollout still decide whether it worked`);
  return null;
}

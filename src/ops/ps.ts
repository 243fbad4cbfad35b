/**
 * `cyclops ps APP ENV [--process P]`: what runs right now, one row per task, and the tasks
 * that stopped in the last hour with ECS's stop reason and the exit code (the first thing to
 * read when a deploy loops). Reads only: DescribeServices, ListTasks and DescribeTasks per
 * service, and one page of the release log to name each task's release.
 *
 * A task's release: tasks on the service's current task definition run the current release;
 * an older task (a rollout in progress, or one that stopped) is matched by its image digest to
 * the newest release that deployed that digest. The record does not keep the task definition's
 * ARN, so a settings-only release (same image) is told apart only while it is current.
 */
import { usageError } from '../errors';
import { serviceName } from '../naming';
import type { TaskRow } from '../aws/ecs';
import type { ReleaseRecord } from '../store';
import { now, type Ops } from './context';
import { appServices, scalable } from './desired-state';
import type { AppTarget } from '../plan/target';

/** ECS lists a stopped task for at least an hour; ps shows that hour. */
export const STOPPED_WINDOW_MS = 3_600_000;
/** How many releases back a task's image is looked for. */
const RELEASES_SEARCHED = 20;

export interface TaskLine {
  process: string;
  /** the task id (the last part of its ARN) */
  id: string;
  arn: string;
  desiredStatus: string | null;
  lastStatus: string | null;
  /** the container health checks' verdict (HEALTHY, UNHEALTHY, UNKNOWN); null without one */
  health: string | null;
  /** when it started (ISO); null while it is starting */
  startedAt: string | null;
  /** seconds since it started */
  ageSeconds: number | null;
  release: number | null;
  image: string | null;
  imageDigest: string | null;
  availabilityZone: string | null;
  /** CPU units and MiB of the task */
  cpu: string | null;
  memory: string | null;
  /** stopped tasks only */
  stoppedAt?: string | null;
  stopCode?: string | null;
  stoppedReason?: string | null;
  /** the first essential container's exit code, or the first that has one */
  exitCode?: number | null;
  /** the container's own reason (OutOfMemoryError, CannotPullContainerError …) */
  containerReason?: string | null;
}

export interface PsResult {
  app: string;
  env: string;
  /** the current release's number */
  release: number | null;
  processes: { name: string; service: string; desired: number; running: number; pending: number; rollout: string | null }[];
  tasks: TaskLine[];
  /** stopped within the last hour, newest first */
  stopped: TaskLine[];
}

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const iso = (d?: Date) => (d ? d.toISOString() : null);

/** The release a task runs: by task definition while it is the service's, else by its image digest. */
function releaseOf(task: TaskRow, serviceTaskDef: string | undefined, current: ReleaseRecord | null, log: ReleaseRecord[]): number | null {
  if (current && task.taskDefinition && task.taskDefinition === serviceTaskDef) return current.number ?? null;
  const digest = task.containers.find((c) => c.imageDigest)?.imageDigest;
  const image = task.containers.find((c) => c.image)?.image;
  const match = log.find((r) => (digest && r.imageDigest === digest) || (image && (r.image === image || r.parameters?.Image === image)));
  return match?.number ?? null;
}

function line(process: string, task: TaskRow, at: number, release: number | null): TaskLine {
  const main = task.containers.find((c) => c.exitCode !== undefined) ?? task.containers[0];
  const started = task.startedAt?.getTime();
  const base: TaskLine = {
    process,
    id: taskId(task.arn ?? ''),
    arn: task.arn ?? '',
    desiredStatus: task.desiredStatus ?? null,
    lastStatus: task.lastStatus ?? null,
    health: task.health ?? null,
    startedAt: iso(task.startedAt),
    ageSeconds: started !== undefined ? Math.max(0, Math.round((at - started) / 1000)) : null,
    release,
    image: task.containers.find((c) => c.image)?.image ?? null,
    imageDigest: task.containers.find((c) => c.imageDigest)?.imageDigest ?? null,
    availabilityZone: task.availabilityZone ?? null,
    cpu: task.cpu ?? null,
    memory: task.memory ?? null,
  };
  if (task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') return base;
  return { ...base, stoppedAt: iso(task.stoppedAt), stopCode: task.stopCode ?? null, stoppedReason: task.stoppedReason ?? null, exitCode: main?.exitCode ?? null, containerReason: main?.reason ?? null };
}

export async function ps(ops: Ops, t: AppTarget, opts: { process?: string } = {}): Promise<PsResult> {
  const kinds = scalable(ops.config, t.app, t.env);
  if (opts.process !== undefined && !kinds.includes(opts.process as 'web')) {
    throw usageError(`ps --process ${opts.process}: ${t.app} has no ${opts.process} service in ${t.env} (it has ${kinds.join(', ') || 'none'}); a cron's runs show in "cyclops logs ${t.app} ${t.env}"`);
  }
  const { cluster } = appServices(ops.config, t);
  const chosen = (opts.process ? [opts.process] : kinds).map((p) => ({ process: p, service: serviceName(t.app, p) }));
  const [state, list, services] = await Promise.all([
    ops.store.readRelease(t.env, t.app),
    ops.store.listReleases(t.env, t.app, { limit: RELEASES_SEARCHED }),
    chosen.length ? ops.services.describe(cluster, chosen.map((c) => c.service)) : [],
  ]);
  const current = state.state === 'ok' ? state.record : null;
  const log = list.records.flatMap((r) => (r.record ? [r.record] : []));
  const at = now(ops);
  const found = new Set(services.map((s) => s.name));
  const rows = await Promise.all(
    chosen
      .filter((c) => found.has(c.service))
      .map(async (c) => {
        const svc = services.find((s) => s.name === c.service)!;
        const [running, stopped] = await Promise.all([ops.tasks.serviceTasks(cluster, c.service), ops.tasks.serviceTasks(cluster, c.service, 'STOPPED')]);
        const toLine = (task: TaskRow) => line(c.process, task, at, releaseOf(task, svc.taskDefinition, current, log));
        const recent = stopped.filter((task) => !task.stoppedAt || at - task.stoppedAt.getTime() <= STOPPED_WINDOW_MS);
        return { running: running.map(toLine), stopped: recent.map(toLine) };
      }),
  );
  const byAge = (a: TaskLine, b: TaskLine) => a.process.localeCompare(b.process) || (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id);
  return {
    app: t.app,
    env: t.env,
    release: current?.number ?? null,
    processes: chosen.flatMap((c) => {
      const s = services.find((x) => x.name === c.service);
      return s ? [{ name: c.process, service: c.service, desired: s.desired, running: s.running, pending: s.pending, rollout: s.rollout ?? null }] : [];
    }),
    tasks: rows.flatMap((r) => r.running).sort(byAge),
    stopped: rows.flatMap((r) => r.stopped).sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? '') || a.id.localeCompare(b.id)),
  };
}

/** "42s", "7m", "3h12m", "4d" */
export function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(seconds / 86400)}d`;
}

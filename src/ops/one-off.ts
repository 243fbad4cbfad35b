/**
 * One-off ECS tasks from an app's task definitions (`run`, the release phase): start one in
 * the app's subnets and security group, stream its own log stream while it runs, and end
 * with its container's exit code. Ctrl-C asks ECS to stop the task, says so, and exits 130.
 */
import type { RunTaskInput } from '../aws/ecs';
import type { Deadline } from '../deadline';
import { failure, interrupted } from '../errors';
import { say } from '../events';
import { tags, TAG_RUN, type Ids } from '../naming';
import { abortableSleep } from '../stacks/poll';
import { currentHolder } from '../store';
import { now, type Ops } from './context';
import { Seen, taskStream, toLine, type LogLine } from '../plan/log-events';
import type { EnvOutputs } from '../stacks';

export interface OneOffSpec extends Omit<RunTaskInput, 'tags' | 'subnets' | 'securityGroups'> {
  ids: Ids;
  /** where the container logs (awslogs group and stream prefix); no streaming without it */
  log?: { group: string; prefix: string };
}

export interface OneOffWait {
  timeoutSeconds?: number;
  /** the command's one deadline (wins over timeoutSeconds) */
  deadline?: Deadline;
  /** stop the task when the wait times out (the release phase); else it keeps running */
  stopOnTimeout?: boolean;
  /** keep at most this many log lines for the result (the newest) */
  keepLines?: number;
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export interface OneOffResult {
  taskArn: string;
  /** null when the container never ran its command (the task stopped before) */
  exitCode: number | null;
  stoppedReason?: string;
  logs: LogLine[];
}

/** The env stack's private subnets and service security group: where app tasks run. */
export function appNetwork(outputs: EnvOutputs, what: string): { subnets: string[]; securityGroups: string[] } {
  const subnets = (outputs.privateSubnets ?? '').split(',').filter(Boolean);
  if (!subnets.length || !outputs.serviceSecurityGroup) {
    throw failure(`${what}: the environment stack has no PrivateSubnets/ServiceSecurityGroup outputs; update the environment with "cyclops env create"`);
  }
  return { subnets, securityGroups: [outputs.serviceSecurityGroup] };
}

/** Start it, tagged with cyclops's tags and `cyclops:run` = who started it; ECS's reason when it cannot. */
export async function startOneOff(ops: Ops, spec: OneOffSpec, network: { subnets: string[]; securityGroups: string[] }): Promise<string> {
  const { ids, log: _log, ...input } = spec;
  const taskTags = [...tags(ids).map((t) => ({ key: t.Key, value: t.Value })), { key: TAG_RUN, value: currentHolder() }];
  const out = await ops.tasks.run({ ...input, ...network, tags: taskTags });
  if (out.failure || !out.arn) {
    const f = out.failure;
    throw failure(`${spec.what}: ECS could not start the task (${f?.reason ?? 'no task returned'}${f?.detail ? ': ' + f.detail : ''}); check the cluster's capacity and the task definition, then try again`, undefined, 'task-not-started');
  }
  return out.arn;
}

/** Poll the task (backoff) and its log stream until it stops; its exit code and last lines. */
export async function waitOneOff(ops: Ops, spec: OneOffSpec, taskArn: string, w: OneOffWait = {}): Promise<OneOffResult> {
  const id = taskArn.split('/').pop()!;
  const label = `${spec.container}/${id.slice(0, 8)}`;
  const signal = w.signal ?? ops.signal;
  const sleep = w.sleep ?? abortableSleep;
  const keep = w.keepLines ?? 1000;
  const stream = spec.log ? taskStream(spec.log.prefix, spec.container, taskArn) : undefined;
  const seen = new Seen(0);
  const logs: LogLine[] = [];
  const readLogs = async () => {
    if (!spec.log || !stream) return;
    const page = await ops.logs.filter({ group: spec.log.group, streams: [stream], start: seen.cursor }).catch(() => null);
    for (const e of seen.fresh(page?.events ?? [])) {
      const line = toLine(e);
      logs.push(line);
      if (logs.length > keep) logs.shift();
      ops.events.emit({ type: 'task-log', code: 'task.log', task: label, message: line.message, timestamp: line.timestamp });
    }
  };
  const limit = w.deadline?.timeoutSeconds ?? w.timeoutSeconds ?? 3600;
  const deadline = w.deadline?.at ?? now(ops) + limit * 1000;
  let delay = w.pollMs ?? 1000;
  let last = '';
  for (;;) {
    if (signal.aborted) {
      await ops.tasks.stop(spec.cluster, taskArn, 'cyclops: interrupted (Ctrl-C)');
      say.warn(ops.events, 'task.stop-requested', { task: id }, `${spec.what}: asked ECS to stop task ${id}`);
      throw interrupted(`${spec.what}: interrupted; task ${id} was asked to stop`);
    }
    const task = await ops.tasks.describe(spec.cluster, taskArn);
    if ('missing' in task) throw failure(`${spec.what}: ECS no longer knows task ${id} (${task.missing}); look for it in the ECS console`);
    if (task.lastStatus !== last) ops.events.emit({ type: 'task-state', code: 'task.state', task: `${spec.what} ${id}`, status: (last = task.lastStatus ?? '') });
    await readLogs();
    if (task.lastStatus === 'STOPPED') {
      await readLogs(); // the last lines can reach CloudWatch after the task stopped
      const c = task.containers.find((x) => x.name === spec.container) ?? task.containers[0];
      const reason = [task.stoppedReason, c?.reason].filter(Boolean).join('; ') || undefined;
      return { taskArn, exitCode: c?.exitCode ?? null, ...(reason ? { stoppedReason: reason } : {}), logs };
    }
    if (now(ops) > deadline) {
      if (w.stopOnTimeout) await ops.tasks.stop(spec.cluster, taskArn, 'cyclops: timed out');
      const fate = w.stopOnTimeout ? 'it was asked to stop' : `it keeps running; stop it with "aws ecs stop-task --cluster ${spec.cluster} --task ${id}"`;
      throw failure(`${spec.what}: task ${id} still ${task.lastStatus} after ${limit} s; ${fate}`, undefined, 'task-timeout');
    }
    await sleep(delay, signal);
    delay = Math.min(Math.round(delay * 1.5), w.maxPollMs ?? 10_000);
  }
}

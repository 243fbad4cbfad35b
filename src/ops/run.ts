/**
 * `cyclops run APP ENV -- CMD…`: a one-off task from the task definition a process runs now
 * (its service's current one; a cron process's latest), with the command overridden. Same
 * image, environment, secrets, log group, subnets and security group as the app's tasks.
 */
import type { TaskDefinitionRow } from '../aws/ecs';
import { appConfig } from '../config/model';
import { fargateSizeProblem, FARGATE_MEMORY } from '../config/rules';
import { failure, usageError } from '../errors';
import { say } from '../events';
import { clusterName, serviceName, taskFamily } from '../naming';
import type { Ops } from './context';
import { requireEnvOutputs } from './envstack';
import { appNetwork, startOneOff, waitOneOff, type OneOffResult, type OneOffSpec, type OneOffWait } from './one-off';
import type { AppTarget } from '../plan/target';

export interface RunOptions {
  process?: string;
  command: string[];
  cpu?: number;
  memory?: number;
  detach?: boolean;
  timeoutSeconds?: number;
}

export interface RunResult extends OneOffResult {
  process: string;
  detached: boolean;
}

export interface ProcessTask {
  cluster: string;
  taskDefinition: TaskDefinitionRow & { arn: string };
  container: string;
  log?: { group: string; prefix: string };
}

/** The app's process by name; a usage error naming the ones it has. */
export function requireProcess(ops: Ops, t: AppTarget, process: string) {
  const app = appConfig(ops.config, t.app, t.env);
  const runnable = app.processes.filter((x) => x.kind !== 'release');
  const p = runnable.find((x) => x.name === process);
  if (!p) throw usageError(`--process ${process}: ${t.app} has no such process; use one of ${runnable.map((x) => x.name).join(', ')}`);
  return p;
}

/** The task definition `process` runs now in the env; a usage error when it was never deployed. */
export async function processTaskDefinition(ops: Ops, t: AppTarget, process: string): Promise<ProcessTask> {
  const p = requireProcess(ops, t, process);
  const cluster = clusterName(t.platform, t.env);
  const ref = p.kind === 'cron' ? taskFamily(t.platform, t.env, t.app, p.name) : await ops.tasks.serviceTaskDefinition(cluster, serviceName(t.app, p.name));
  const td = ref ? await ops.tasks.taskDefinition(ref) : null;
  if (!td?.arn) throw usageError(`${t.app} in ${t.env}: has no ${process} task definition; the app was never deployed there (deploy it first, or check the names)`);
  const c = td.containers.find((x) => x.name === process) ?? td.containers[0];
  if (!c?.name) throw failure(`task definition ${td.arn}: has no containers; deploy ${t.app} again`);
  return {
    cluster,
    taskDefinition: { ...td, arn: td.arn },
    container: c.name,
    ...(c.logGroup ? { log: { group: c.logGroup, prefix: c.logStreamPrefix ?? process } } : {}),
  };
}

/** --cpu/--memory: only together with a valid Fargate pair (the config's own rule); the other comes from the task definition. */
export function taskSize(ops: Ops, t: AppTarget, td: TaskDefinitionRow, o: { cpu?: number; memory?: number }): { cpu?: number; memory?: number } {
  if (o.cpu === undefined && o.memory === undefined) return {};
  const cpu = o.cpu ?? Number(td.cpu ?? 256);
  const memory = o.memory ?? (o.cpu !== undefined ? FARGATE_MEMORY[cpu]?.[0] : Number(td.memory ?? 512));
  if (ops.config.environments[t.env].capacity.type === 'fargate') {
    const problem = fargateSizeProblem(cpu, memory);
    if (problem) throw usageError(`--cpu ${cpu} --memory ${memory}: ${problem.replace(/^is /, 'memory is ')}`);
  }
  return { cpu, memory };
}

export async function runCommand(ops: Ops, t: AppTarget, o: RunOptions, w: Omit<OneOffWait, 'timeoutSeconds'> = {}): Promise<RunResult> {
  if (!o.command.length) throw usageError(`run ${t.app} ${t.env}: no command; give it after "--", such as "cyclops run ${t.app} ${t.env} -- ls -la"`);
  const process = o.process ?? 'web';
  requireProcess(ops, t, process);
  const outputs = await requireEnvOutputs(ops, t.env);
  const network = appNetwork(outputs, `run ${t.app} ${t.env}`);
  const pt = await processTaskDefinition(ops, t, process);
  const size = taskSize(ops, t, pt.taskDefinition, o);
  const spec: OneOffSpec = {
    ids: t,
    what: `run ${t.app} ${t.env}`,
    cluster: pt.cluster,
    taskDefinition: pt.taskDefinition.arn,
    container: pt.container,
    command: o.command,
    startedBy: 'cyclops-run',
    launchType: ops.config.environments[t.env].capacity.type === 'ec2' ? 'EC2' : 'FARGATE',
    ...size,
    ...(pt.log ? { log: pt.log } : {}),
  };
  if (ops.signal.aborted) throw usageError(`run ${t.app} ${t.env}: interrupted before the task started; nothing was started`);
  const taskArn = await startOneOff(ops, spec, network);
  say.step(ops.events, 'task.started', { task: taskArn.split('/').pop() ?? taskArn, process, command: o.command }, `started task ${taskArn.split('/').pop()} (${process}: ${o.command.join(' ')})`);
  if (o.detach) return { taskArn, exitCode: null, logs: [], process, detached: true };
  const r = await waitOneOff(ops, spec, taskArn, { ...w, timeoutSeconds: o.timeoutSeconds });
  if (r.exitCode === null) {
    throw failure(`${spec.what}: task ${taskArn.split('/').pop()} stopped before its command ran (${r.stoppedReason ?? 'no reason given'}); check the image and the execution role's access to its secrets`, undefined, 'task-not-started');
  }
  return { ...r, process, detached: false };
}

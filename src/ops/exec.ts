/**
 * `cyclops exec APP ENV [-- CMD]`: a shell (or CMD) in a running task through ECS Exec. The
 * session itself is the AWS CLI's `ecs execute-command` with the Session Manager plugin;
 * without them the exact command and what to install are printed instead (exit 2).
 */
import { spawn } from 'node:child_process';
import type { TaskRow } from '../aws/ecs';
import { onPath } from '../build/process';
import { failure, usageError } from '../errors';
import { say } from '../events';
import { clusterName, serviceName } from '../naming';
import type { Ops } from './context';
import { requireProcess } from './run';
import type { AppTarget } from '../plan/target';

/** What exec needs from the machine: find a program on PATH, and run one on this terminal. */
export interface ExecRunner {
  which(bin: string): string | null;
  /** runs with the terminal (inherited stdio); resolves to its exit code */
  run(cmd: string, args: string[]): Promise<number>;
}

export const INSTALL_HINTS = [
  'AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
  'Session Manager plugin: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html',
];

export const systemRunner: ExecRunner = {
  which: onPath,
  run(cmd, args) {
    // The session owns the terminal: Ctrl-C belongs to the remote shell, not to cyclops.
    const saved = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    const restore = () => {
      process.off('SIGINT', ignore);
      for (const l of saved) process.on('SIGINT', l);
    };
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: 'inherit' });
      child.on('error', (e) => (restore(), reject(e)));
      child.on('close', (code, signal) => (restore(), resolve(code ?? (signal ? 128 : 1))));
    });
  },
};

/** POSIX shell quoting, for the one --command string and for the printed command line. */
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface ExecOptions {
  process?: string;
  /** a task id or ARN; default the newest running task */
  task?: string;
  command?: string[];
  /** --region/--profile/--endpoint-url for the AWS CLI */
  cliArgs?: string[];
}

export interface ExecResult {
  task: string;
  container: string;
  command: string[];
  exitCode: number;
}

function pickTask(tasks: TaskRow[], wanted: string | undefined, service: string): TaskRow {
  const running = tasks.filter((x) => x.lastStatus === 'RUNNING');
  if (wanted) {
    const t = tasks.find((x) => x.arn === wanted || x.arn?.endsWith(`/${wanted}`));
    if (!t) throw usageError(`--task ${wanted}: is not a running task of ${service}; use one of ${running.map((x) => x.arn?.split('/').pop()).join(', ') || '(none running)'}`);
    return t;
  }
  const newest = [...running].sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))[0];
  if (!newest) throw failure(`exec: service ${service} has no running task; check "cyclops status" and try again once a task runs`);
  return newest;
}

export async function execInTask(ops: Ops, t: AppTarget, o: ExecOptions, runner: ExecRunner): Promise<ExecResult> {
  const process = o.process ?? 'web';
  const p = requireProcess(ops, t, process);
  if (p.kind === 'cron') throw usageError(`--process ${process}: a cron process is not a service with running tasks; use "cyclops run ${t.app} ${t.env} --process ${process} -- CMD"`);
  const cluster = clusterName(t.platform, t.env);
  const service = serviceName(t.app, process);
  const task = pickTask(await ops.tasks.serviceTasks(cluster, service), o.task, service);
  const id = task.arn!.split('/').pop()!;
  if (!task.enableExecuteCommand) {
    throw usageError(`exec ${t.app} ${t.env}: task ${id} runs without ECS Exec; set "exec": true in apps.${t.app} of ${ops.config.file} and deploy again`);
  }
  const container = task.containers.find((c) => c.name === process)?.name ?? task.containers[0]?.name ?? process;
  const remote = (o.command?.length ? o.command : ['/bin/sh']).map(shellQuote).join(' ');
  const args = ['ecs', 'execute-command', '--cluster', cluster, '--task', task.arn!, '--container', container, '--interactive', '--command', remote, ...(o.cliArgs ?? [])];
  const missing = ['aws', 'session-manager-plugin'].filter((b) => !runner.which(b));
  if (missing.length) {
    throw usageError(`exec ${t.app} ${t.env}: needs ${missing.join(' and ')} on PATH; install it, or run this yourself: aws ${args.map(shellQuote).join(' ')}`, INSTALL_HINTS);
  }
  say.step(ops.events, 'exec.session', { task: id, container }, `opening a session in task ${id} (${container}): ${remote}`);
  const exitCode = await runner.run('aws', args);
  return { task: task.arn!, container, command: ['aws', ...args], exitCode };
}

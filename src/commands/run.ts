import { InvalidArgumentError } from 'commander';
import { timeoutFlag } from './options';
import { examples, type Register } from './types';

const units = (what: string, max: number) => (text: string) => {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > max) throw new InvalidArgumentError(`is not ${what}; use a whole number such as ${what === 'CPU units' ? '512' : '1024'}`);
  return Number(text);
};

interface RunOpts {
  process?: string;
  cpu?: number;
  memory?: number;
  detach?: boolean;
  timeout: number;
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('run')
      .description("run a one-off command in a new task of the app (same image, env, secrets and network); exits with the command's exit code")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name')
      .argument('[cmd...]', 'the command and its arguments, after "--" (nothing after "--" is read as a cyclops option)')
      .option('--process <name>', "start from this process's task definition (default web)")
      .option('--cpu <units>', 'CPU units for this task (256, 512, 1024, 2048, 4096)', units('CPU units', 16384))
      .option('--memory <mib>', 'memory in MiB for this task (a valid Fargate pair with --cpu)', units('memory in MiB', 122880))
      .option('--detach', 'print the task ARN and return; the task runs on')
      .addOption(timeoutFlag('stop waiting after this long; the task keeps running', 3600)),
    [
      'cyclops run shop staging -- bin/rails db:migrate',
      'cyclops run shop staging -- ls -la',
      'cyclops run shop production --process worker --cpu 1024 --memory 4096 -- bin/rake reindex',
      'cyclops run shop staging --detach --json -- bin/cleanup --all',
    ],
  ).action(
    run(async (ctx, app: string, env: string, cmd: string[], opts: RunOpts) => {
      const [{ appTarget }, { runCommand }] = await Promise.all([import('../plan/target'), import('../ops/run')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await runCommand(await ctx.ops(target), target, { command: cmd, process: opts.process, cpu: opts.cpu, memory: opts.memory, detach: opts.detach, timeoutSeconds: opts.timeout });
      const rep = ctx.reporter;
      const doc = { taskArn: r.taskArn, exitCode: r.exitCode, stoppedReason: r.stoppedReason ?? null, logs: r.logs.map((l) => ({ timestamp: l.timestamp, message: l.message })) };
      if (r.detached) {
        rep.result({ ...doc, detached: true }, r.taskArn);
        return;
      }
      const task = r.taskArn.split('/').pop() ?? r.taskArn;
      const exited = { task, exitCode: r.exitCode, reason: r.stoppedReason ?? null };
      (r.exitCode === 0 ? rep.success.bind(rep) : rep.warn.bind(rep))('task.exited', exited, `task ${r.taskArn.split('/').pop()} exited with code ${r.exitCode}${r.stoppedReason ? ` (${r.stoppedReason})` : ''}`);
      rep.result(doc);
      return r.exitCode ?? 1;
    }),
  );
};

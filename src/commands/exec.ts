import { examples, type Register } from './types';

interface ExecOpts {
  process?: string;
  task?: string;
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('exec')
      .description('open a shell (or run CMD) inside a running task through ECS Exec; needs "exec": true in the app config, the AWS CLI and the Session Manager plugin')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name')
      .argument('[cmd...]', 'the command, after "--" (default /bin/sh)')
      .option('--process <name>', 'a task of this process (default web)')
      .option('--task <id>', 'this task (id or ARN) rather than the newest running one'),
    ['cyclops exec shop staging', 'cyclops exec shop staging -- bin/rails console', 'cyclops exec shop production --process worker --task 0123456789abcdef -- ps aux'],
  ).action(
    run(async (ctx, app: string, env: string, cmd: string[], opts: ExecOpts) => {
      const [{ appTarget }, { execInTask, systemRunner }] = await Promise.all([import('../plan/target'), import('../ops/exec')]);
      const config = await ctx.config();
      const target = appTarget(config, app, env);
      const ops = await ctx.ops(target);
      const aws = await ctx.aws();
      const profile = ctx.options.profile ?? config.aws.profile;
      const cliArgs = ['--region', aws.region, ...(profile ? ['--profile', profile] : []), ...(aws.endpoint ? ['--endpoint-url', aws.endpoint] : [])];
      const r = await execInTask(ops, target, { process: opts.process, task: opts.task, command: cmd, cliArgs }, systemRunner);
      ctx.reporter.result(r);
      return r.exitCode;
    }),
  );
};

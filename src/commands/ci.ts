import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  const ci = program.command('ci').description('continuous integration: the deploy roles GitHub Actions assume (made by "cyclops bootstrap --github")');
  examples(
    ci.command('show').description('print each GitHub repository\'s deploy role ARN, the token subjects it trusts, and the workflow lines to paste'),
    ['cyclops ci show', 'cyclops ci show --json'],
  ).action(
    run(async (ctx) => {
      const [{ showCi }, { workflowLines, environmentLines }, { envTarget }, config] = await Promise.all([import('../ops/ci'), import('../ci/workflow'), import('../plan/target'), ctx.config()]);
      // environments in other accounts are read there (their role or profile, after the account guard)
      const r = await showCi(await ctx.ops(), (env) => ctx.ops(envTarget(config, env)));
      ctx.reporter.result(r, [...r.roles.map((x) => workflowLines(r.region, x.repo, x.roleArn, x.subjects)), ...environmentLines(r.environments)].join('\n\n'));
    }),
  );
};

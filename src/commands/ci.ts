import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  const ci = program.command('ci').description('continuous integration: the deploy roles GitHub Actions assume (made by "cyclops bootstrap --github")');
  examples(
    ci.command('show').description('print each GitHub repository\'s deploy role ARN, the token subjects it trusts, and the workflow lines to paste'),
    ['cyclops ci show', 'cyclops ci show --json'],
  ).action(
    run(async (ctx) => {
      const [{ showCi }, { workflowLines }] = await Promise.all([import('../ops/ci'), import('../ci/workflow')]);
      const r = await showCi(await ctx.ops());
      ctx.reporter.result(r, r.roles.map((x) => workflowLines(r.region, x.repo, x.roleArn, x.subjects)).join('\n\n'));
    }),
  );
};

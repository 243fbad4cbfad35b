import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('abort')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment')
      .description("stop APP's web deployment in flight in ENV and roll it back (ECS StopServiceDeployment, ROLLBACK); works while deploy waits, from another terminal"),
    ['cyclops abort shop production', 'cyclops abort shop production --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { abortDeployment }] = await Promise.all([import('../plan/target'), import('../ops/abort')]);
      const t = appTarget(await ctx.config(), app, env);
      const r = await abortDeployment(await ctx.ops(t), t);
      if (!r.deploymentArn) {
        ctx.reporter.result(r, `no deployment of ${app} in ${env} is in flight${r.status ? ` (the newest is ${r.status})` : ''}; nothing to abort`);
        return;
      }
      const rec = r.recordedBy === 'abort' ? `recorded aborted release ${r.release ?? '?'}` : `the waiting deploy (${r.recordedBy}) records the aborted release and exits 1`;
      ctx.reporter.result(r, `aborted ${app} in ${env}: ECS rolls back ${r.deploymentArn}; ${rec}`);
    }),
  );
};

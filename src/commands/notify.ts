import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  const notify = program.command('notify').description("the environment's notifications (failed deployments, rollbacks, deployment alarms)");
  examples(
    notify
      .command('test')
      .description("send a test message to ENV's notification topic (environments.<env>.notifications)")
      .argument('<env>', 'environment name from config.json'),
    ['cyclops notify test staging', 'cyclops notify test production --json'],
  ).action(
    run(async (ctx, env: string) => {
      const [{ envTarget }, { notifyTest }] = await Promise.all([import('../plan/target'), import('../ops/notify')]);
      const target = envTarget(await ctx.config(), env);
      const r = await notifyTest(await ctx.ops(target), target);
      const to = [...r.email, ...(r.webhookHost ? [`https://${r.webhookHost}/…`] : [])];
      ctx.reporter.result(r, [
        `sent "${r.subject}" to ${r.topicArn} (message ${r.messageId})`,
        ...(to.length ? [`subscribers in config: ${to.join(', ')}`] : []),
        `note: ${r.confirmation}`,
      ]);
    }),
  );
};

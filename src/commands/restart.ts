import { timeoutFlag } from './options';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('restart')
      .description("start new tasks for APP's current release in ENV (same everything), and wait; records no release")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--process <name>', 'only this process (web or worker)')
      .addOption(timeoutFlag()),
    ['cyclops restart shop staging', 'cyclops restart shop production --process worker --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { process?: string; timeout: number }) => {
      const [{ appTarget }, { restart }] = await Promise.all([import('../plan/target'), import('../ops/restart')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await restart(await ctx.ops(target), target, { process: opts.process, timeoutSeconds: opts.timeout });
      ctx.reporter.success('restart.done', { services: r.restarted, release: r.release ?? null, seconds: r.duration }, `restarted ${r.restarted.join(', ')} (release ${r.release ?? '?'}, ${r.duration}s)`);
      ctx.reporter.result(r, r.services.map((s) => `${s.name} ${s.running}/${s.desired} ${s.rollout ?? ''}`.trim()));
    }),
  );
};

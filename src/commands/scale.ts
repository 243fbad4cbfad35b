import { timeoutFlag } from './options';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('scale')
      .description("change APP's task counts in ENV (only the counts: the current release's template); later deploys keep them until --reset")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('[counts...]', 'PROCESS=N (0-100), or PROCESS=MIN..MAX for a process that autoscales')
      .option('--reset', "go back to the counts in config")
      .addOption(timeoutFlag()),
    ['cyclops scale shop production web=3 worker=0', 'cyclops scale shop production web=2..10', 'cyclops scale shop production --reset --json'],
  ).action(
    run(async (ctx, app: string, env: string, args: string[], opts: { reset?: boolean; timeout: number }) => {
      const [{ appTarget }, { scale, parseCounts }] = await Promise.all([import('../plan/target'), import('../ops/scale')]);
      const target = appTarget(await ctx.config(), app, env);
      const { counts, ranges } = parseCounts(args); // bad input: exit 2 before any AWS call
      const r = await scale(await ctx.ops(target), target, { counts, ranges, reset: opts.reset, timeoutSeconds: opts.timeout });
      const line = [...Object.entries(r.counts).map(([k, n]) => `${k}=${n}`), ...Object.entries(r.ranges).map(([k, b]) => `${k}=${b.min}..${b.max}`)].join(' ');
      if (r.changed) ctx.reporter.success('scale.done', { app, env, release: r.release?.number ?? null, seconds: r.duration }, `scaled ${app} in ${env} to ${line} (release ${r.release?.number ?? '?'}, ${r.duration}s)`);
      ctx.reporter.result(r, r.changed ? line : `${app} in ${env} already runs ${line}; nothing to do`);
    }),
  );
};

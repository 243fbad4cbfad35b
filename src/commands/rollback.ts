import { positiveIntOption, timeoutFlag } from './options';
import { examples, type Register } from './types';

const releaseNumber = positiveIntOption('a release number; use one from "cyclops releases APP ENV", such as 3');

export const register: Register = (program, run) => {
  examples(
    program
      .command('rollback')
      .description("re-apply an earlier release's stored template and parameters (default: the last succeeded one before the current); database migrations are not rolled back")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .option('--to <n>', 'the release to go back to', releaseNumber)
      .option('--dry-run', 'show what would change (a change set), then delete it; writes nothing')
      .addOption(timeoutFlag()),
    ['cyclops rollback shop staging', 'cyclops rollback shop production --to 12 --json', 'cyclops rollback shop staging --dry-run'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { to?: number; dryRun?: boolean; timeout: number }) => {
      const [{ appTarget }, { rollback }] = await Promise.all([import('../plan/target'), import('../ops/rollback')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await rollback(await ctx.ops(target), target, { to: opts.to, dryRun: opts.dryRun, timeoutSeconds: opts.timeout });
      const rep = ctx.reporter;
      const done = (outcome: 'unchanged' | 'dry-run' | 'rolled-back') => ({ app, env, outcome, from: r.from ?? null, to: r.to ?? null, release: r.release?.number ?? null });
      if (r.from === r.to) rep.success('rollback.done', done('unchanged'), `release ${r.to} is already current; nothing to do`);
      else if (r.dryRun) rep.success('rollback.done', done('dry-run'), `dry run: ${r.changes.length} change(s) to go back from release ${r.from} to ${r.to}; nothing was changed`);
      else rep.success('rollback.done', done('rolled-back'), `rolled ${app} in ${env} back to release ${r.to} (${r.image}) as release ${r.release?.number ?? '?'} (${r.duration}s); ${r.note}`);
      rep.result(r, `release ${r.release?.number ?? r.to}: ${r.image}`);
    }),
  );
};

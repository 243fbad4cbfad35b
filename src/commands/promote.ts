import { allowReplaceOption, ALLOW_REPLACE_HELP, positiveIntOption, timeoutFlag } from './options';
import { examples, type Register } from './types';

const releaseNumber = positiveIntOption('a release number; use a succeeded one from "cyclops releases APP FROM_ENV", such as 12');

interface PromoteFlags {
  release?: number;
  dryRun?: boolean;
  wait: boolean;
  timeout: number;
  allowReplace?: string[];
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('promote')
      .description("deploy to TO_ENV the exact image (by digest) of APP's current release in FROM_ENV; TO_ENV keeps its own vars and secrets; refused when that release did not succeed")
      .argument('<app>', 'app name')
      .argument('<from-env>', 'the environment whose release is promoted, e.g. staging')
      .argument('<to-env>', 'the environment to deploy it to, e.g. production')
      .option('--release <n>', 'promote this succeeded release of FROM_ENV instead of its newest', releaseNumber)
      .option('--dry-run', 'show what would change (a change set), then delete it; writes no port, database, lock or release')
      .option('--no-wait', 'return once CloudFormation is done, without waiting for the ECS rollout (its state is reported)')
      .addOption(timeoutFlag())
      .option('--allow-replace <LogicalId>', ALLOW_REPLACE_HELP, allowReplaceOption),
    ['cyclops promote shop staging production', 'cyclops promote shop staging production --json --progress json', 'cyclops promote shop staging production --release 12 --dry-run'],
  ).action(
    run(async (ctx, app: string, fromEnv: string, toEnv: string, opts: PromoteFlags) => {
      const config = await ctx.config();
      const [{ appTarget }, { promote }] = await Promise.all([import('../plan/target'), import('../ops/promote')]);
      const from = appTarget(config, app, fromEnv);
      const to = appTarget(config, app, toEnv); // bad names: exit 2 before any AWS call
      const r = await promote(await ctx.ops(to), from, to, { release: opts.release, dryRun: opts.dryRun, wait: opts.wait, timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace });
      const rep = ctx.reporter;
      const source = `${fromEnv} release ${r.promotedFrom.release}`;
      const done = (outcome: 'dry-run' | 'unchanged' | 'promoted') => ({ app, env: toEnv, from: fromEnv, fromRelease: r.promotedFrom.release, image: r.promotedFrom.image, outcome, release: r.release?.number ?? null, seconds: r.duration });
      if (opts.dryRun) rep.success('promote.done', done('dry-run'), `dry run: promoting ${source} (${r.promotedFrom.image}) makes ${r.changes.length} change(s) to ${r.stack}; nothing was changed`);
      else if (!r.changed) rep.success('promote.done', done('unchanged'), `no changes: ${app} in ${toEnv} already runs ${r.promotedFrom.image} (${source})`);
      else rep.success('promote.done', done('promoted'), `promoted ${source} (${r.promotedFrom.image}) to ${toEnv} as release ${r.release?.number ?? '?'} (${r.duration}s)`);
      rep.result(r, r.url);
    }),
  );
};

import { usageError } from '../errors';
import { timeoutFlag } from './options';
import { examples, type Register } from './types';

const age = (s: number | null) => (s === null ? '?' : s >= 86400 ? `${Math.floor(s / 86400)}d` : s >= 3600 ? `${Math.floor(s / 3600)}h` : s >= 60 ? `${Math.floor(s / 60)}m` : `${s}s`);

export const register: Register = (program, run) => {
  const previews = program.command('previews').description('preview apps (deploy --preview NAME): list them, destroy old ones');

  examples(previews.command('list').argument('<env>', 'environment name from config').description('the previews deployed in ENV, with what they preview, their image and age'), [
    'cyclops previews list staging',
    'cyclops previews list staging --json',
  ]).action(
    run(async (ctx, env: string) => {
      const [{ envTarget }, { listPreviews }] = await Promise.all([import('../plan/target'), import('../ops/previews')]);
      const target = envTarget(await ctx.config(), env);
      const rows = await listPreviews(await ctx.ops(target), target);
      ctx.reporter.result(
        { env, previews: rows },
        rows.length
          ? ctx.reporter.table(rows, [
              { header: 'preview', get: (r) => r.app },
              { header: 'of', get: (r) => r.previewOf },
              { header: 'status', get: (r) => r.status },
              { header: 'age', get: (r) => age(r.ageSeconds) },
              { header: 'image', get: (r) => r.image },
            ])
          : `no previews in ${env}`,
      );
    }),
  );

  examples(
    previews
      .command('prune')
      .argument('<env>', 'environment name from config')
      .description('destroy the previews in ENV last deployed longer ago than --older-than, their databases and volumes included; apps that are not previews are never touched')
      .option('--older-than <age>', 'required: e.g. 7d, 12h, 30m, 0s (every preview)')
      .option('--dry-run', 'list what would be destroyed; change nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .addOption(timeoutFlag('how long to wait for CloudFormation')),
    ['cyclops previews prune staging --older-than 7d --dry-run', 'cyclops previews prune staging --older-than 7d --yes --json'],
  ).action(
    run(async (ctx, env: string, opts: { olderThan?: string; dryRun?: boolean; yes?: boolean; timeout: number }) => {
      if (opts.olderThan === undefined) throw usageError(`previews prune ${env}: needs --older-than AGE (e.g. 7d; 0s prunes every preview)`);
      const [{ envTarget }, { parseAge, planPrune, prunePreviews }] = await Promise.all([import('../plan/target'), import('../ops/previews')]);
      const seconds = parseAge(opts.olderThan);
      if (seconds === null) throw usageError(`--older-than ${opts.olderThan}: not an age; use a whole number with s, m, h, d or w (e.g. 7d)`);
      const target = envTarget(await ctx.config(), env);
      const ops = await ctx.ops(target);
      const plan = await planPrune(ops, target, seconds);
      const names = plan.prune.map((p) => p.app);
      if (opts.dryRun || !names.length) {
        ctx.reporter.result({ env, dryRun: !!opts.dryRun, pruned: [], wouldPrune: names, kept: plan.keep.map((p) => p.app) }, names.length ? `would destroy: ${names.join(', ')}` : `no previews in ${env} older than ${opts.olderThan}`);
        return;
      }
      if (!opts.yes) await ctx.reporter.confirm(`Destroy ${names.length} preview(s) in ${env} with their databases and volumes (${names.join(', ')})?`, `previews prune ${env}`);
      const results = await prunePreviews(ops, target, plan, { timeoutSeconds: opts.timeout });
      ctx.reporter.result({ env, dryRun: false, pruned: results, wouldPrune: [], kept: plan.keep.map((p) => p.app) }, results.map((r) => `destroyed ${r.app} (database ${r.database}${r.volumes.deleted.length ? `, file systems ${r.volumes.deleted.join(', ')} deleted` : ''})`));
    }),
  );
};

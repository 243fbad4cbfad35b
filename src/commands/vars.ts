import { timeoutFlag } from './options';
import { examples, type Register } from './types';

type ChangeOpts = { deploy: boolean; plain?: boolean; timeout: number };

export const register: Register = (program, run) => {
  const vars = program.command('vars').description("APP's plain environment variables in ENV, layered over config's env (secrets: cyclops secrets)");
  examples(
    vars
      .command('set')
      .description('set variables and re-apply the current release with them (a release of kind vars)')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<pairs...>', 'NAME=value')
      .option('--no-deploy', 'only store them; the next deploy applies them')
      .option('--plain', 'allow a name that looks secret (*PASSWORD*, *SECRET*, *TOKEN*, *_KEY)')
      .addOption(timeoutFlag()),
    ['cyclops vars set shop staging FEATURE_X=on LOG_LEVEL=debug', 'cyclops vars set shop production LOG_LEVEL=info --no-deploy --json'],
  ).action(
    run(async (ctx, app: string, env: string, pairs: string[], opts: ChangeOpts) => {
      const [{ appTarget }, { setVars, parsePairs }] = await Promise.all([import('../plan/target'), import('../ops/vars')]);
      const target = appTarget(await ctx.config(), app, env);
      const values = parsePairs(pairs);
      const r = await setVars(await ctx.ops(target), target, values, { noDeploy: !opts.deploy, plain: opts.plain, timeoutSeconds: opts.timeout });
      if (r.changed) ctx.reporter.success('vars.set', { app, env, names: r.set!, release: r.deploy?.release?.number ?? null }, `set ${r.set!.join(', ')} for ${app} in ${env}${r.deployed ? ` (release ${r.deploy?.release?.number ?? '?'})` : ''}`);
      ctx.reporter.result(r, r.changed ? (r.deployed ? 'deployed' : 'stored') : 'nothing to do');
    }),
  );
  examples(
    vars
      .command('unset')
      .description('remove variables and re-apply the current release without them')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<names...>', 'variable names')
      .option('--no-deploy', 'only store the change; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['cyclops vars unset shop staging FEATURE_X', 'cyclops vars unset shop staging A B --no-deploy --json'],
  ).action(
    run(async (ctx, app: string, env: string, names: string[], opts: ChangeOpts) => {
      const [{ appTarget }, { unsetVars }] = await Promise.all([import('../plan/target'), import('../ops/vars')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await unsetVars(await ctx.ops(target), target, names, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout });
      if (r.changed) ctx.reporter.success('vars.unset', { app, env, names, release: r.deploy?.release?.number ?? null }, `unset ${names.join(', ')} for ${app} in ${env}${r.deployed ? ` (release ${r.deploy?.release?.number ?? '?'})` : ''}`);
      ctx.reporter.result(r, r.changed ? (r.deployed ? 'deployed' : 'stored') : 'nothing to do');
    }),
  );
  examples(
    vars.command('list').description('the stored variables, the config ones, and what the processes get').argument('<app>', 'app name').argument('<env>', 'environment name from config'),
    ['cyclops vars list shop staging', 'cyclops vars list shop staging --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { listVars }] = await Promise.all([import('../plan/target'), import('../ops/vars')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await listVars(await ctx.ops(target), target);
      const rows = [
        ...Object.entries(r.effective).map(([name, value]) => ({ name, value, source: Object.hasOwn(r.vars, name) ? 'vars' : 'config', state: Object.hasOwn(r.pending, name) ? 'pending' : 'running' })),
        ...r.pendingUnset.map((name) => ({ name, value: '-', source: 'vars', state: 'pending unset' })),
      ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      ctx.reporter.result(r, rows.length ? ctx.reporter.table(rows, [
        { header: 'name', get: (x) => x.name },
        { header: 'value', get: (x) => x.value },
        { header: 'from', get: (x) => x.source },
        { header: 'state', get: (x) => x.state },
      ]) : `${app} has no variables in ${env}`);
    }),
  );
};

import { timeoutOption } from './options';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program.command('status').description("an app's stack status, image, per-process counts, URL, port and last release").argument('<app>').argument('<env>'),
    ['cyclops status shop staging', 'cyclops status shop production --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const config = await ctx.config();
      const { appStatus } = await import('../deploy/apps');
      const s = await appStatus({ aws: await ctx.aws(), config, reporter: ctx.reporter }, app, env);
      const rep = ctx.reporter;
      rep.result(s, [
        `${s.app} in ${s.env}: ${s.status}`,
        `stack    ${s.stack}`,
        `image    ${s.image ?? '-'}`,
        `url      ${s.url ?? '-'}`,
        `port     ${s.port ?? '-'}`,
        `release  ${s.release ? `${s.release.number ?? '?'} by ${s.release.deployedBy} at ${s.release.deployedAt}` : '-'}`,
        ...(s.processes.length
          ? ['', rep.table(s.processes, [
              { header: 'service', get: (p) => p.name },
              { header: 'desired', get: (p) => p.desired },
              { header: 'running', get: (p) => p.running },
              { header: 'pending', get: (p) => p.pending },
              { header: 'rollout', get: (p) => p.rollout },
            ])]
          : []),
      ]);
    }),
  );

  const apps = program.command('apps').description('apps deployed in an environment');
  examples(apps.command('list').description('list the apps deployed in ENV').argument('<env>'), ['cyclops apps list staging', 'cyclops apps list production --json']).action(
    run(async (ctx, env: string) => {
      const config = await ctx.config();
      const { listApps } = await import('../deploy/apps');
      const list = await listApps({ aws: await ctx.aws(), config, reporter: ctx.reporter }, env);
      ctx.reporter.result(
        { env, apps: list },
        list.length
          ? ctx.reporter.table(list, [
              { header: 'app', get: (a) => a.app },
              { header: 'status', get: (a) => a.status },
              { header: 'port', get: (a) => a.port },
              { header: 'image', get: (a) => a.image },
              { header: 'updated', get: (a) => a.updated },
            ])
          : `no apps deployed in ${env}`,
      );
    }),
  );

  examples(
    program
      .command('destroy')
      .description("delete an app's stack and release its port; keeps its database unless --drop-database")
      .argument('<app>')
      .argument('<env>')
      .option('--drop-database', "also drop the app's database, login and secret (irreversible)")
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--timeout <duration>', 'give up waiting after this long', timeoutOption, 1800),
    ['cyclops destroy shop staging', 'cyclops destroy shop staging --drop-database --yes --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { dropDatabase?: boolean; yes?: boolean; timeout: number }) => {
      const config = await ctx.config();
      const { checkAppEnv } = await import('../store/names');
      checkAppEnv(config, app, env);
      const what = opts.dropDatabase ? `${app} in ${env} AND its database` : `${app} in ${env}`;
      if (!opts.yes) await ctx.reporter.confirm(`Destroy ${what}?`, `destroy ${app} ${env}`);
      const { destroyApp } = await import('../deploy/apps');
      const r = await destroyApp({ aws: await ctx.aws(), config, reporter: ctx.reporter }, app, env, {
        dropDatabase: opts.dropDatabase,
        timeoutSeconds: opts.timeout,
        signal: ctx.signal,
      });
      ctx.reporter.success(r.deleted ? `destroyed ${app} in ${env}` : `${app} in ${env} had no stack; port and release cleared`);
      ctx.reporter.result(r, `${r.stack}: ${r.deleted ? 'deleted' : 'absent'}; port ${r.port ?? '-'} released; database ${r.database}`);
    }),
  );
};

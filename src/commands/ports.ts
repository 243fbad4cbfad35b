import { examples, type Register } from './types';

interface PortRow {
  env: string;
  app: string;
  port: number;
}

export const register: Register = (program, run) => {
  const ports = program.command('ports').description('the ports allocation file (ports.json in the config bucket): one port per app and environment');

  examples(
    ports.command('allocate').argument('<app>', 'app name').argument('<env>', 'environment').description("give APP a port in ENV (it keeps the one it has; otherwise the lowest free)"),
    ['cyclops ports allocate web staging', 'cyclops ports allocate web staging --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const { appTarget } = await import('../plan/target');
      const target = appTarget(await ctx.config(), app, env);
      const r = await (await ctx.ops(target)).store.allocatePort(env, app);
      ctx.reporter.result({ env, app, ...r }, `${app} in ${env}: port ${r.port}${r.allocated ? ' (allocated)' : ' (already had it)'}`);
    }),
  );

  examples(
    ports.command('release').argument('<app>', 'app name').argument('<env>', 'environment').description("free APP's port in ENV (refused while APP is deployed there)"),
    ['cyclops ports release web staging'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { releaseAppPort }] = await Promise.all([import('../plan/target'), import('../ops/guards')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await releaseAppPort(await ctx.ops(target), target);
      ctx.reporter.result({ env, app, ...r, released: r.port !== null }, r.port === null ? `${app} in ${env}: had no port; nothing to release` : `${app} in ${env}: released port ${r.port}`);
    }),
  );

  examples(ports.command('list').argument('[env]', 'only this environment').description('show every allocated port'), [
    'cyclops ports list',
    'cyclops ports list staging --json',
  ]).action(
    run(async (ctx, env: string | undefined) => {
      const config = await ctx.config();
      const { envTarget } = await import('../plan/target');
      if (env) envTarget(config, env);
      const file = await (await ctx.ops()).store.readPorts();
      const rows: PortRow[] = Object.entries(file?.environments ?? {})
        .filter(([e]) => !env || e === env)
        .flatMap(([e, apps]) => Object.entries(apps).map(([app, port]) => ({ env: e, app, port })))
        .sort((a, b) => a.env.localeCompare(b.env) || a.port - b.port);
      const range = file?.range ?? config.ports.range;
      const human = !file
        ? 'no ports.json yet; "cyclops config push ports" or the first "cyclops ports allocate" creates it'
        : rows.length
          ? ctx.reporter.table(rows, [
              { header: 'env', get: (r) => r.env },
              { header: 'app', get: (r) => r.app },
              { header: 'port', get: (r) => r.port },
            ])
          : `no ports allocated${env ? ` in ${env}` : ''} (range ${range[0]}-${range[1]})`;
      ctx.reporter.result({ exists: !!file, range, ports: rows }, human);
    }),
  );
};

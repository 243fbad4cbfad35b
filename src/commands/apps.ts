import { timeoutFlag } from './options';
import { examples, type Register } from './types';
import { domainTable } from './domains';

export const register: Register = (program, run) => {
  examples(
    program.command('status').description("an app's stack status, image, per-process counts (running/desired, autoscaling min..max), URL, port, last release and pending settings; tasks: \"cyclops ps\"").argument('<app>').argument('<env>'),
    ['cyclops status shop staging', 'cyclops status shop production --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { appStatus }] = await Promise.all([import('../plan/target'), import('../ops/apps')]);
      const target = appTarget(await ctx.config(), app, env);
      const s = await appStatus(await ctx.ops(target), target);
      const rep = ctx.reporter;
      rep.result(s, [
        `${s.app} in ${s.env}: ${s.status}`,
        `stack    ${s.stack}`,
        `image    ${s.image ?? '-'}`,
        `url      ${s.url ?? '-'}`,
        `port     ${s.port ?? '-'}`,
        `release  ${s.release ? `${s.release.number ?? '?'} by ${s.release.deployedBy} at ${s.release.deployedAt}` : '-'}`,
        ...(s.pendingSettings ? [`pending  settings revision ${s.pendingSettings.revision} (not running: ${s.pendingSettings.names.join(', ') || 'removals'})`] : []),
        ...(s.processes.length
          ? ['', rep.table(s.processes, [
              { header: 'service', get: (p) => p.name },
              { header: 'desired', get: (p) => p.desired },
              { header: 'running', get: (p) => p.running },
              { header: 'pending', get: (p) => p.pending },
              { header: 'min..max', get: (p) => (p.min !== null ? `${p.min}..${p.max}` : '-') },
              { header: 'rollout', get: (p) => p.rollout },
            ])]
          : []),
        ...(s.domains?.length
          ? ['', domainTable(rep, s.domains)]
          : []),
        ...(s.alarms?.length
          ? ['', rep.table(s.alarms, [
              { header: 'alarm', get: (a) => a.name },
              { header: 'state', get: (a) => a.state },
              { header: 'reason', get: (a) => a.reason },
            ])]
          : []),
      ]);
    }),
  );

  const apps = program.command('apps').description('apps deployed in an environment');
  examples(apps.command('list').description('list the apps deployed in ENV').argument('<env>'), ['cyclops apps list staging', 'cyclops apps list production --json']).action(
    run(async (ctx, env: string) => {
      const [{ envTarget }, { listApps }] = await Promise.all([import('../plan/target'), import('../ops/apps')]);
      const target = envTarget(await ctx.config(), env);
      const list = await listApps(await ctx.ops(target), target);
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
      .option('--delete-volumes', "also delete the EFS file systems of the app's volumes (irreversible; asks a second time)")
      .option('-y, --yes', 'do not ask for confirmation')
      .addOption(timeoutFlag()),
    ['cyclops destroy shop staging', 'cyclops destroy shop staging --drop-database --yes --json', 'cyclops destroy couch staging --delete-volumes'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { dropDatabase?: boolean; deleteVolumes?: boolean; yes?: boolean; timeout: number }) => {
      const [{ appTarget }, { destroyApp }] = await Promise.all([import('../plan/target'), import('../ops/apps')]);
      const target = appTarget(await ctx.config(), app, env);
      const what = opts.dropDatabase ? `${app} in ${env} AND its database` : `${app} in ${env}`;
      if (!opts.yes) await ctx.reporter.confirm(`Destroy ${what}?`, `destroy ${app} ${env}`);
      if (opts.deleteVolumes && !opts.yes) await ctx.reporter.confirm(`Also DELETE every file on ${app}'s volumes in ${env}? This cannot be undone.`, `destroy ${app} ${env} --delete-volumes`);
      const r = await destroyApp(await ctx.ops(target), target, { dropDatabase: opts.dropDatabase, deleteVolumes: opts.deleteVolumes, timeoutSeconds: opts.timeout });
      ctx.reporter.success('destroy.done', { app, env, deleted: r.deleted, outcome: r.outcome }, destroyMessage(r));
      const vols = r.volumes.deleted.length ? `; volumes deleted: ${r.volumes.deleted.join(', ')}` : r.volumes.kept.length ? `; volumes kept: ${r.volumes.kept.join(', ')}` : '';
      ctx.reporter.result(r, `${r.stack}: ${r.deleted ? 'deleted' : 'absent'}; port ${r.port ?? '-'} released; database ${r.database}${vols}`);
    }),
  );
};

/** The one line a destroy ends with, whichever way it went (a second destroy says "nothing to destroy" alone). */
function destroyMessage(r: import('../ops/apps').DestroyResult): string {
  const where = `${r.app} in ${r.env}`;
  if (r.outcome === 'destroyed') return `destroyed ${where}`;
  if (r.outcome === 'nothing') return `${where}: no stack, no port and no release record; nothing to destroy`;
  const went = [r.port !== null ? `port ${r.port}` : null, 'its release record', r.database === 'dropped' ? 'its database' : null, r.volumes.deleted.length ? `file systems ${r.volumes.deleted.join(', ')}` : null].filter(Boolean);
  return `${where} had no stack; cleared ${went.join(', ')}`;
}

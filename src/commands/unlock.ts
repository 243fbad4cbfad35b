import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('unlock')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment')
      .description("remove APP's lock in ENV, left behind by a deploy that died (asks first unless --yes)")
      .option('-y, --yes', 'do not ask'),
    ['cyclops unlock web staging', 'cyclops unlock web staging --yes --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { readAppLock, removeAppLock }] = await Promise.all([import('../plan/target'), import('../ops/unlock')]);
      const t = appTarget(await ctx.config(), app, env);
      const ops = await ctx.ops(t);
      const lock = await readAppLock(ops, t);
      if (!lock) {
        ctx.reporter.result({ env, app, locked: false, removed: false }, `${app} in ${env} is not locked; nothing to do`);
        return;
      }
      const who = lock.info
        ? `held by ${lock.info.holder} (${lock.info.operation}) since ${lock.info.since}, expires ${lock.info.expires}`
        : 'unreadable lock object';
      ctx.reporter.info('unlock.lock', { key: lock.key, holder: lock.info?.holder ?? null, operation: lock.info?.operation ?? null, since: lock.info?.since ?? null, expires: lock.info?.expires ?? null }, `${lock.key}: ${who}`);
      await ctx.reporter.confirm(`Remove the lock on ${app} in ${env}? Only do this if that operation is no longer running.`, `unlock ${app} ${env}`);
      await removeAppLock(ops, t, lock);
      ctx.reporter.result({ env, app, locked: true, removed: true, lock: lock.info }, `removed the lock on ${app} in ${env} (${who})`);
    }),
  );
};

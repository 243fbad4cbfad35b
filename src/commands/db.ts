import { Option } from 'commander';
import type { Context } from '../context';
import { usageError } from '../errors';
import { dbSecretName } from '../naming';
import { examples, type Register } from './types';

interface DbOpts {
  runner?: 'direct' | 'task';
  rotatePassword?: boolean;
}

const runnerOption = () =>
  new Option('--runner <runner>', 'how to reach the database: "direct" (pg from here) or "task" (one-off ECS task in the VPC); default from config').choices([
    'direct',
    'task',
  ]);

async function resolve(ctx: Context, app: string, env: string) {
  const [{ appTarget }, guards] = await Promise.all([import('../plan/target'), import('../ops/guards')]);
  const target = appTarget(await ctx.config(), app, env);
  return { target, guards, ops: await ctx.ops(target) };
}

export const register: Register = (program, run) => {
  const db = program.command('db').description("each app's own database and login on its environment's PostgreSQL");

  examples(
    db
      .command('ensure')
      .description('create the app database, its login role and its secret if missing (deploy runs this); never prints the password')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name')
      .option('--rotate-password', "give the role a new password, store it in the secret and restart the app's services so they use it")
      .addOption(runnerOption()),
    ['cyclops db ensure shop staging', 'cyclops db ensure shop staging --rotate-password --json', 'cyclops db ensure shop staging --runner direct'],
  ).action(
    run(async (ctx, app: string, env: string, opts: DbOpts) => {
      const { target, guards, ops } = await resolve(ctx, app, env);
      const r = await guards.ensureDatabase(ops, target, { rotatePassword: opts.rotatePassword, runner: opts.runner });
      ctx.reporter.success('db.ensured', { dbname: r.dbname, username: r.username, database: r.database, role: r.role, secret: r.secret }, `database ${r.dbname} ${r.database}, role ${r.username} ${r.role}, secret ${r.secret}`);
      ctx.reporter.result({ ok: true, app, env, ...r }, [
        `host      ${r.host}:${r.port}`,
        `database  ${r.dbname} (${r.database})`,
        `user      ${r.username} (${r.role})`,
        `secret    ${r.secretArn} (${r.secret})`,
      ]);
    }),
  );

  examples(
    db
      .command('info')
      .description('show where the app database is and which secret holds its login (never the password)')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name'),
    ['cyclops db info shop staging', 'cyclops db info shop staging --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const { ops } = await resolve(ctx, app, env);
      const r = await ops.database.info(env, app);
      if (!r) throw usageError(`app ${app} in ${env}: has no database secret ${dbSecretName((await ctx.config()).platform.name, env, app)}; run "cyclops db ensure ${app} ${env}" first`);
      ctx.reporter.result({ ok: true, app, env, ...r }, [`host      ${r.host}:${r.port}`, `database  ${r.dbname}`, `user      ${r.username}`, `secret    ${r.secretArn}`]);
    }),
  );

  examples(
    db
      .command('drop')
      .description("end the app's sessions, drop its database and role, and delete its secret (asks first unless --yes)")
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--force', 'drop it even while the app is deployed')
      .addOption(runnerOption()),
    ['cyclops db drop shop pr-123 --yes', 'cyclops db drop shop pr-123 --yes --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: DbOpts & { force?: boolean }) => {
      const { target, guards, ops } = await resolve(ctx, app, env);
      await ctx.reporter.confirm(`Drop the database and login of ${app} in ${env}? Its data is lost.`, `db drop ${app} ${env}`);
      const r = await guards.dropDatabase(ops, target, { force: opts.force, runner: opts.runner });
      ctx.reporter.result({ ok: true, app, env, ...r }, r.dropped ? `dropped the database of ${app} in ${env}` : `${app} in ${env} had no database; nothing to drop`);
    }),
  );
};

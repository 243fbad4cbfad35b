import { readFile } from 'node:fs/promises';
import { usageError } from '../errors';
import { timeoutFlag } from './options';
import { examples, type Register } from './types';

/** One trailing newline (from echo or an editor) is not part of the value. */
const chompOne = (s: string) => s.replace(/\r?\n$/, '');

export const register: Register = (program, run) => {
  const secrets = program.command('secrets').description("APP's secrets in ENV: in Secrets Manager, injected into every process by ARN; values are never shown");
  examples(
    secrets
      .command('set')
      .description('store a new value (from stdin, or --from-file; never an argument) and restart the processes so they read it')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<name>', 'the environment variable the processes get')
      .option('--from-file <file>', 'read the value from this file instead of stdin')
      .option('--no-deploy', 'only store it; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['printf %s "$STRIPE_KEY" | cyclops secrets set shop production STRIPE_KEY', 'cyclops secrets set shop staging TLS_KEY --from-file key.pem --json'],
  ).action(
    run(async (ctx, app: string, env: string, name: string, opts: { fromFile?: string; deploy: boolean; timeout: number }) => {
      const [{ appTarget }, { setSecret }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      let raw: string;
      if (opts.fromFile) {
        raw = await readFile(opts.fromFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw usageError(`--from-file ${opts.fromFile}: cannot be read (${e.code ?? e.message}); give a readable file`);
        });
      } else raw = await ctx.reporter.readStdin(`secrets set ${app} ${env} ${name}`);
      const value = chompOne(raw);
      ctx.reporter.secret(value);
      const r = await setSecret(await ctx.ops(target), target, name, value, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout });
      ctx.reporter.success(`${r.action} secret ${name} of ${app} in ${env}${r.deployed ? ` (release ${r.deploy?.release?.number ?? '?'})` : ''}`);
      ctx.reporter.result(r, r.arn ?? '');
    }),
  );
  examples(
    secrets
      .command('unset')
      .description('stop injecting a secret, re-apply the current release, then delete it from Secrets Manager')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<name>', 'secret name')
      .option('--no-deploy', 'only store the change; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['cyclops secrets unset shop staging STRIPE_KEY', 'cyclops secrets unset shop staging OLD_TOKEN --json'],
  ).action(
    run(async (ctx, app: string, env: string, name: string, opts: { deploy: boolean; timeout: number }) => {
      const [{ appTarget }, { unsetSecret }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await unsetSecret(await ctx.ops(target), target, name, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout });
      if (r.action === 'removed') ctx.reporter.success(`removed secret ${name} of ${app} in ${env}`);
      ctx.reporter.result(r, r.action === 'removed' ? 'removed' : 'nothing to do');
    }),
  );
  examples(
    secrets.command('list').description('names, ARNs and last change (never values)').argument('<app>', 'app name').argument('<env>', 'environment name from config'),
    ['cyclops secrets list shop staging', 'cyclops secrets list shop production --json'],
  ).action(
    run(async (ctx, app: string, env: string) => {
      const [{ appTarget }, { listSecrets }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await listSecrets(await ctx.ops(target), target);
      ctx.reporter.result(r, r.secrets.length ? ctx.reporter.table(r.secrets, [
        { header: 'name', get: (x) => x.name },
        { header: 'arn', get: (x) => x.arn },
        { header: 'changed', get: (x) => x.updatedAt ?? '-' },
        { header: 'from', get: (x) => x.source },
      ]) : `${app} has no secrets in ${env}`);
    }),
  );
};

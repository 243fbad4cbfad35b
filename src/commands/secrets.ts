import { readFileSync } from 'node:fs';
import { usageError } from '../errors';
import { MAX_SECRET_BYTES, RECOVERY_DAYS } from '../naming';
import { timeoutFlag } from './options';
import { examples, type Register } from './types';

/** One trailing newline (from echo or an editor) is not part of the value. */
const chompOne = (s: string) => s.replace(/\r?\n$/, '');

/**
 * A value typed on the command line ends up in shell history and CI logs, so it is refused, and
 * never repeated: not in the error, not anywhere. Checked before config is read or AWS is called.
 */
function refuseArgvValue(name: string, extra: string[]): void {
  const where = name.includes('=') ? `"${name.slice(0, name.indexOf('='))}=…"` : extra.length ? `an argument after ${name}` : '';
  if (where) throw usageError(`secrets set: got a value on the command line (${where}, not shown); values come from stdin or --from-file, e.g. printf %s "$VALUE" | cyclops secrets set APP ENV NAME`);
}

/** Secrets Manager stores at most 64 KiB; refused before any AWS call. */
function checkSize(name: string, value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_BYTES) throw usageError(`secret "${name}": the value is ${bytes} bytes; Secrets Manager stores at most ${MAX_SECRET_BYTES} (64 KiB): store a smaller value, or keep the data elsewhere and the secret as its key`);
}

function recoveryDaysOption(text: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < RECOVERY_DAYS.min || days > RECOVERY_DAYS.max) {
    throw usageError(`--recovery-days ${text}: Secrets Manager keeps a deleted secret ${RECOVERY_DAYS.min} to ${RECOVERY_DAYS.max} days; give a whole number in that range`);
  }
  return days;
}

export const register: Register = (program, run) => {
  const secrets = program.command('secrets').description("APP's secrets in ENV: in Secrets Manager, injected into every process by ARN; values are never shown");
  examples(
    secrets
      .command('set')
      .description('store a new value (from stdin, a prompt that does not echo on a terminal, or --from-file; never an argument) and restart the processes so they read it')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<name>', 'the environment variable the processes get')
      .argument('[refused...]', 'nothing: a value here is refused (and never shown); values come from stdin or --from-file')
      .option('--from-file <file>', 'read the value from this file instead of stdin')
      .option('--no-deploy', 'only store it; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['printf %s "$STRIPE_KEY" | cyclops secrets set shop production STRIPE_KEY', 'cyclops secrets set shop staging TLS_KEY --from-file key.pem --json'],
  ).action(
    run(async (ctx, app: string, env: string, name: string, extra: string[], opts: { fromFile?: string; deploy: boolean; timeout: number }) => {
      refuseArgvValue(name, extra);
      const [{ appTarget }, { setSecret }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      let raw: string;
      if (opts.fromFile) {
        try {
          raw = readFileSync(opts.fromFile, 'utf8'); // node:fs, which start-up loads anyway (fs/promises costs Node 22 start-up time)
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          throw usageError(`--from-file ${opts.fromFile}: cannot be read (${err.code ?? err.message}); give a readable file`);
        }
      } else raw = await ctx.reporter.readSecret(`secrets set ${app} ${env} ${name}`, `value of ${name} for ${app} in ${env}`);
      const value = chompOne(raw);
      ctx.reporter.secret(value);
      checkSize(name, value);
      const r = await setSecret(await ctx.ops(target), target, name, value, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout });
      ctx.reporter.success('secret.stored', { app, env, name, action: r.action, release: r.deploy?.release?.number ?? null }, `${r.action} secret ${name} of ${app} in ${env}${r.deployed ? ` (release ${r.deploy?.release?.number ?? '?'})` : ''}`);
      ctx.reporter.result(r, r.arn ?? '');
    }),
  );
  examples(
    secrets
      .command('unset')
      .description('stop injecting a secret, re-apply the current release, then schedule its deletion from Secrets Manager ("secrets restore" brings it back until then)')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<name>', 'secret name')
      .option('--recovery-days <days>', `days Secrets Manager keeps it restorable (${RECOVERY_DAYS.min}-${RECOVERY_DAYS.max})`, recoveryDaysOption, RECOVERY_DAYS.default)
      .option('--no-deploy', 'only store the change; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['cyclops secrets unset shop staging STRIPE_KEY', 'cyclops secrets unset shop staging OLD_TOKEN --recovery-days 30 --json'],
  ).action(
    run(async (ctx, app: string, env: string, name: string, opts: { deploy: boolean; timeout: number; recoveryDays: number }) => {
      const [{ appTarget }, { unsetSecret }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await unsetSecret(await ctx.ops(target), target, name, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout, recoveryDays: opts.recoveryDays });
      if (r.action === 'removed') ctx.reporter.success('secret.removed', { app, env, name, deletionDate: r.deletionDate ?? null }, `removed secret ${name} of ${app} in ${env}${r.deletionDate ? `; deleted for good on ${r.deletionDate} unless restored` : ''}`);
      ctx.reporter.result(r, r.action === 'removed' ? 'removed' : 'nothing to do');
    }),
  );
  examples(
    secrets
      .command('restore')
      .description('bring back a secret scheduled for deletion (after "secrets unset") and inject it again')
      .argument('<app>', 'app name')
      .argument('<env>', 'environment name from config')
      .argument('<name>', 'secret name')
      .option('--no-deploy', 'only store the change; the next deploy applies it')
      .addOption(timeoutFlag()),
    ['cyclops secrets restore shop staging STRIPE_KEY', 'cyclops secrets restore shop staging STRIPE_KEY --json'],
  ).action(
    run(async (ctx, app: string, env: string, name: string, opts: { deploy: boolean; timeout: number }) => {
      const [{ appTarget }, { restoreAppSecret }] = await Promise.all([import('../plan/target'), import('../ops/secrets')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await restoreAppSecret(await ctx.ops(target), target, name, { noDeploy: !opts.deploy, timeoutSeconds: opts.timeout });
      if (r.action === 'restored') ctx.reporter.success('secret.restored', { app, env, name, release: r.deploy?.release?.number ?? null }, `restored secret ${name} of ${app} in ${env}${r.deployed ? ` (release ${r.deploy?.release?.number ?? '?'})` : ''}`);
      ctx.reporter.result(r, r.action === 'restored' ? (r.arn ?? '') : 'nothing to do');
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

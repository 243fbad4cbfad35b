import { timeoutFlag } from './options';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  const email = program.command('email').description("apps' email over SES (docs/email.md)");
  examples(
    email
      .command('rotate')
      .description("replace APP's SMTP access key in ENV: a new key and password stored, the services rolled out with it, then the old key deleted")
      .argument('<app>', 'app name (apps.<app>.email: {"smtp": true})')
      .argument('<env>', 'environment name from config.json')
      .addOption(timeoutFlag()),
    ['cyclops email rotate shop production', 'cyclops email rotate shop staging --json'],
  ).action(
    run(async (ctx, app: string, env: string, opts: { timeout: number }) => {
      const [{ appTarget }, { rotateEmail }] = await Promise.all([import('../plan/target'), import('../ops/email')]);
      const target = appTarget(await ctx.config(), app, env);
      const r = await rotateEmail(await ctx.ops(target), target, { timeoutSeconds: opts.timeout });
      const retired = r.retired.length ? `; deleted ${r.retired.join(', ')}` : '';
      ctx.reporter.success('email.rotated', { app, env, key: r.accessKeyId, retired: r.retired }, `${app} in ${env}: SMTP key ${r.accessKeyId} in use${retired} (${r.duration}s)`);
      ctx.reporter.result(r, [
        `user      ${r.user}`,
        `key       ${r.accessKeyId}${r.resumed ? ' (an interrupted rotation finished)' : ''}`,
        `secret    ${r.secret}`,
        `restarted ${r.restarted.join(', ') || '- (not deployed)'}`,
      ]);
    }),
  );
};

import { examples, type Register } from './types';
import { register as registerConfig } from './config';
import { register as registerPorts } from './ports';
import { register as registerUnlock } from './unlock';

const registerBootstrap: Register = (program, run) => {
  examples(
    program
      .command('bootstrap')
      .description('create the config bucket if it is missing: private, encrypted, versioned, TLS-only (safe to run again)'),
    ['cyclops bootstrap', 'cyclops bootstrap --region eu-central-1 --json'],
  ).action(
    run(async (ctx) => {
      const config = await ctx.config();
      const aws = await ctx.aws();
      const { ensureBucket } = await import('../store');
      ctx.reporter.step(`config bucket ${config.platform.bucket} in ${aws.region}`);
      const r = await ensureBucket(aws, config, (msg) => ctx.reporter.progress(msg));
      ctx.reporter.success(r.created ? `created ${r.bucket}` : `${r.bucket} was there; settings re-applied`);
      ctx.reporter.result(r, `s3://${r.bucket} (${r.created ? 'created' : 'exists'}; ${r.settings.join(', ')})`);
    }),
  );
};

/** The config-bucket commands: bootstrap, config, ports, unlock (registered together from index.ts). */
export const register: Register = (program, run) => {
  for (const r of [registerBootstrap, registerConfig, registerPorts, registerUnlock]) r(program, run);
};

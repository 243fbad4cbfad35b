import { platformStack } from '../naming';
import { timeoutOption } from './options';
import { examples, type Register } from './types';
import { register as registerConfig } from './config';
import { register as registerPorts } from './ports';
import { register as registerUnlock } from './unlock';

const registerBootstrap: Register = (program, run) => {
  examples(
    program
      .command('bootstrap')
      .description('create the config bucket if it is missing (private, encrypted, versioned, TLS-only), then create or update the platform stack (safe to run again)')
      .option('--timeout <duration>', 'how long to wait for CloudFormation (seconds, or 90s, 15m, 1h)', timeoutOption, 1800),
    ['cyclops bootstrap', 'cyclops bootstrap --region eu-central-1 --json'],
  ).action(
    run(async (ctx, opts: { timeout: number }) => {
      const config = await ctx.config();
      const aws = await ctx.aws();
      const [{ ensureBucket }, { applyTemplate }, { renderPlatform, templateBody }] = await Promise.all([
        import('../store'),
        import('../deploy/apply-template'),
        import('../plan'),
      ]);
      ctx.reporter.step(`config bucket ${config.platform.bucket} in ${aws.region}`);
      const r = await ensureBucket(aws, config, (msg) => ctx.reporter.progress(msg));
      ctx.reporter.success(r.created ? `created ${r.bucket}` : `${r.bucket} was there; settings re-applied`);
      const stackName = platformStack(config.platform.name);
      ctx.reporter.step(`platform stack ${stackName}`);
      const { pushed, result } = await applyTemplate(
        { aws, config, reporter: ctx.reporter },
        { kind: 'platform', ids: { platform: config.platform.name }, stackName, body: templateBody(renderPlatform(config)), timeoutSeconds: opts.timeout, signal: ctx.signal },
      );
      ctx.reporter.result(
        { ...r, platform: { stack: stackName, action: result.action, status: result.status, changed: result.changed, template: pushed.key, outputs: result.outputs } },
        [
          `s3://${r.bucket} (${r.created ? 'created' : 'exists'}; ${r.settings.join(', ')})`,
          `${stackName}: ${result.changed ? result.status : `no changes (${result.status})`}`,
        ],
      );
    }),
  );
};

/** The config-bucket commands: bootstrap, config, ports, unlock (registered together from index.ts). */
export const register: Register = (program, run) => {
  for (const r of [registerBootstrap, registerConfig, registerPorts, registerUnlock]) r(program, run);
};

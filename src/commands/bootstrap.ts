import { ALLOW_REPLACE_HELP, allowReplaceOption, timeoutFlag } from './options';
import { examples, type Register } from './types';

export const register: Register = (program, run) => {
  examples(
    program
      .command('bootstrap')
      .description('create the config bucket if it is missing (private, encrypted, versioned, TLS-only), then create or update the platform stack (safe to run again)')
      .addOption(timeoutFlag('how long to wait for CloudFormation'))
      .option('--allow-replace <LogicalId>', ALLOW_REPLACE_HELP, allowReplaceOption),
    ['cyclops bootstrap', 'cyclops bootstrap --region eu-central-1 --json'],
  ).action(
    run(async (ctx, opts: { timeout: number; allowReplace?: string[] }) => {
      const { bootstrap } = await import('../ops/env');
      const { bucket: r, stackName, pushed, result } = await bootstrap(await ctx.ops(), { timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace });
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

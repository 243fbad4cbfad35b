import { ALLOW_REPLACE_HELP, allowReplaceOption, timeoutFlag } from './options';
import { examples, type Register } from './types';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface BootstrapFlags {
  timeout: number;
  allowReplace?: string[];
  github?: string[];
  ref?: string[];
  pullRequests?: boolean;
  environment?: string[];
  oidcProviderArn?: string;
}

export const register: Register = (program, run) => {
  examples(
    program
      .command('bootstrap')
      .description('create the config bucket if it is missing (private, encrypted, versioned, TLS-only), then create or update the platform stack (safe to run again); --github adds a deploy role for CI with no stored keys')
      .addOption(timeoutFlag('how long to wait for CloudFormation'))
      .option('--allow-replace <LogicalId>', ALLOW_REPLACE_HELP, allowReplaceOption)
      .option('--github <org/repo>', "let GitHub Actions runs of this repository deploy through OIDC (a deploy role with the iam-policy --for deploy policy); repeatable; roles made earlier are kept", collect)
      .option('--ref <ref>', 'with --github: a branch or ref whose runs may deploy (main, refs/heads/main, refs/tags/v*); repeatable; default refs/heads/main unless --pull-requests or --environment is given', collect)
      .option('--pull-requests', 'with --github: pull-request runs may deploy (previews)')
      .option('--environment <name>', 'with --github: jobs that name this GitHub environment may deploy (their token carries no ref); repeatable', collect)
      .option('--oidc-provider-arn <arn>', "with --github: reuse the account's existing GitHub OIDC provider (an account has one) instead of creating it"),
    [
      'cyclops bootstrap',
      'cyclops bootstrap --region eu-central-1 --json',
      'cyclops bootstrap --github acme/shop',
      'cyclops bootstrap --github acme/shop --pull-requests --environment production',
      'cyclops bootstrap --github acme/shop --oidc-provider-arn arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    ],
  ).action(
    run(async (ctx, opts: BootstrapFlags) => {
      const { bootstrap } = await import('../ops/env');
      const github = { github: opts.github, ref: opts.ref, pullRequests: opts.pullRequests, environment: opts.environment, oidcProviderArn: opts.oidcProviderArn };
      const { bucket: r, stackName, pushed, result } = await bootstrap(await ctx.ops(), { timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace, github });
      ctx.reporter.result(
        { ...r, platform: { stack: stackName, action: result.action, status: result.status, changed: result.changed, template: pushed.key, outputs: result.outputs } },
        [
          `s3://${r.bucket} (${r.created ? 'created' : 'exists'}; ${r.settings.join(', ')})`,
          `${stackName}: ${result.changed ? result.status : `no changes (${result.status})`}`,
          ...(opts.github?.length ? ['next: "cyclops ci show" prints the role ARN and the workflow lines'] : []),
        ],
      );
    }),
  );
};

import { ALLOW_REPLACE_HELP, allowReplaceOption, timeoutFlag } from './options';
import { examples, type Register } from './types';
import type { Context } from '../context';
import { usageError } from '../errors';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface BootstrapFlags {
  timeout: number;
  allowReplace?: string[];
  github?: string[];
  ref?: string[];
  pullRequests?: boolean;
  environment?: string[];
  oidcProviderArn?: string;
  env?: string;
  envProfile?: string;
  remoteBuilder?: boolean;
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
      .option('--oidc-provider-arn <arn>', "with --github: reuse the account's existing GitHub OIDC provider (an account has one) instead of creating it")
      .option('--remote-builder', 'add the remote builder: two CodeBuild projects (arm64, x86_64) in the platform stack, used by "deploy --build --remote" (no Docker needed where cyclops runs); kept by later bootstraps')
      .option('--env <name>', "prepare the account an environment lives in (environments.<env>.aws): the CloudFormation service role, the boundary and the deploy role cyclops assumes from the platform's account")
      .option('--env-profile <profile>', "with --env: an AWS profile of the environment's account to bootstrap it with (its deploy role does not exist yet), instead of aws.roleArn or aws.profile"),
    [
      'cyclops bootstrap',
      'cyclops bootstrap --region eu-central-1 --json',
      'cyclops bootstrap --github acme/shop',
      'cyclops bootstrap --remote-builder',
      'cyclops bootstrap --github acme/shop --pull-requests --environment production',
      'cyclops bootstrap --github acme/shop --oidc-provider-arn arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      'cyclops bootstrap --env production --env-profile prod-admin',
    ],
  ).action(
    run(async (ctx, opts: BootstrapFlags) => {
      if (opts.env !== undefined) return bootstrapEnvCommand(ctx, opts);
      if (opts.envProfile !== undefined) throw usageError('--env-profile: only with --env NAME');
      const [{ bootstrap }, { envTarget }, config] = await Promise.all([import('../ops/env'), import('../plan/target'), ctx.config()]);
      const github = { github: opts.github, ref: opts.ref, pullRequests: opts.pullRequests, environment: opts.environment, oidcProviderArn: opts.oidcProviderArn };
      // the CI roles name each database master secret, read where its environment lives
      const opsIn = (env: string) => ctx.ops(envTarget(config, env));
      const { bucket: r, stackName, pushed, result, repositories, adopted, builder, serviceRole } = await bootstrap(await ctx.ops(), { timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace, github, opsIn, remoteBuilder: opts.remoteBuilder });
      ctx.reporter.result(
        { ...r, platform: { stack: stackName, action: result.action, status: result.status, changed: result.changed, template: pushed.key, outputs: result.outputs, adopted }, repositories, remoteBuilder: builder, serviceRole },
        [
          `s3://${r.bucket} (${r.created ? 'created' : 'exists'}; ${r.settings.join(', ')})`,
          `${stackName}: ${result.changed ? result.status : `no changes (${result.status})`}`,
          ...Object.entries(repositories).map(([app, uri]) => `ECR repository for ${app}: ${uri ?? '(no output)'}`),
          ...(builder ? [`remote builder: ${result.outputs.BuilderArm64Project ?? '?'} (arm64), ${result.outputs.BuilderX8664Project ?? '?'} (x86_64); "cyclops deploy --build --remote" uses it`] : []),
          ...adopted.map((a) => `adopted ${a.resourceType} ${a.name}, kept by an earlier version of the stack`),
          ...(serviceRole.moved.length ? [`moved ${serviceRole.moved.length} stack(s) onto the service role ${result.outputs.ServiceRoleArn ?? ''}`] : []),
          ...(serviceRole.oldRoleRemoved ? ['removed the service role of earlier versions (no stack uses it)'] : []),
          ...(opts.github?.length ? ['next: "cyclops ci show" prints the role ARN and the workflow lines'] : []),
        ],
      );
    }),
  );
};

/** `bootstrap --env NAME`: the stack in the environment's own account, and the roleArn to put in config. */
async function bootstrapEnvCommand(ctx: Context, opts: BootstrapFlags): Promise<void> {
  if (opts.remoteBuilder) throw usageError('--env and --remote-builder: the remote builder lives in the platform\'s account; run "cyclops bootstrap --remote-builder" without --env');
  if (opts.github?.length) throw usageError('--env and --github: run them separately ("cyclops bootstrap --github ORG/REPO" makes the CI role in the platform\'s account)');
  const config = await ctx.config();
  const [{ envTarget }, { bootstrapEnv }, { callerAccount }] = await Promise.all([import('../plan/target'), import('../ops/env-account'), import('../ops/account')]);
  const target = envTarget(config, opts.env!);
  const e = config.environments[target.env];
  if (!e.aws) throw usageError(`bootstrap --env ${target.env}: environment ${target.env} lives in the platform's own account (no environments.${target.env}.aws); "cyclops bootstrap" prepares it`);
  // The deploy role does not exist before this runs: --env-profile reaches the account another way.
  const override = opts.envProfile ? { ...config, environments: { ...config.environments, [target.env]: { ...e, aws: { account: e.aws.account, region: e.aws.region, profile: opts.envProfile } } } } : config;
  const home = await callerAccount(await ctx.ops());
  const r = await bootstrapEnv(await ctx.ops(target, override), target, home, { timeoutSeconds: opts.timeout, allowReplace: opts.allowReplace });
  const next =
    r.configured && r.deployRoleArn && r.configured !== r.deployRoleArn
      ? `environments.${target.env}.aws.roleArn is ${r.configured}, but the deploy role is ${r.deployRoleArn}; set roleArn to it`
      : r.configured
        ? `cyclops now assumes ${r.configured} for ${target.env}; next: "cyclops env create ${target.env}"`
        : `next: set environments.${target.env}.aws.roleArn to ${r.deployRoleArn ?? 'the DeployRoleArn output'}, then "cyclops env create ${target.env}"`;
  ctx.reporter.result(
    { env: target.env, account: r.account, region: r.region, homeAccount: home, stack: r.stackName, serviceRole: r.serviceRole, action: r.result.action, status: r.result.status, changed: r.result.changed, template: r.pushed.key, deployRoleArn: r.deployRoleArn, readRoleArn: r.readRoleArn, outputs: r.result.outputs },
    [
      `${r.stackName} in account ${r.account} (${r.region}): ${r.result.changed ? r.result.status : `no changes (${r.result.status})`}`,
      `deploy role: ${r.deployRoleArn ?? '(no output)'}`,
      `read role: ${r.readRoleArn ?? '(no output)'}`,
      ...(r.serviceRole.moved.length ? [`moved ${r.serviceRole.moved.length} stack(s) onto the service role under the platform's IAM path`] : []),
      ...(r.serviceRole.oldRoleRemoved ? ['removed the service role of earlier versions (no stack uses it)'] : []),
      next,
    ],
  );
}

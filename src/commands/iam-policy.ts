import { usageError } from '../errors';
import { examples, type Register } from './types';

const LEVEL_HELP = 'admin (bootstrap, env create/update/delete), deploy (deploy, previews, rollback, scale, vars, secrets, logs, run, destroy: for CI) or read (status, list, logs, releases)';

export const register: Register = (program, run) => {
  examples(
    program
      .command('iam-policy')
      .description("print the operator's IAM policy document for one level of access: least privilege, scoped to this platform's bucket, stacks, clusters, log groups and secrets")
      .option('--for <level>', LEVEL_HELP, 'deploy')
      .option('--account <id>', 'the AWS account id (default: from STS GetCallerIdentity)')
      .option('--offline', 'do not call AWS: print <ACCOUNT_ID> placeholders unless --account is given'),
    ['cyclops iam-policy --for deploy > ci-policy.json', 'cyclops iam-policy --for admin --account 123456789012', 'cyclops iam-policy --for read --offline --json'],
  ).action(
    run(async (ctx, opts: { for: string; account?: string; offline?: boolean }) => {
      const { LEVELS } = await import('../iam/ops-map');
      const level = LEVELS.find((l) => l === opts.for);
      if (!level) throw usageError(`--for ${opts.for}: not a policy level; use one of: ${LEVELS.join(', ')}`);
      if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) throw usageError(`--account ${opts.account}: not an AWS account id; use its 12 digits`);
      const config = await ctx.config();
      const { ACCOUNT_PLACEHOLDER, masterSecretPlaceholder, operatorPolicy, whereFor } = await import('../iam/operator');
      let account = opts.account;
      let source: 'option' | 'sts' | 'placeholder' = account ? 'option' : 'placeholder';
      if (!account && !opts.offline) {
        try {
          const { callerAccount } = await import('../ops/account');
          account = await callerAccount(await ctx.ops());
          source = 'sts';
        } catch (e) {
          ctx.reporter.warn('iam-policy.account-unknown', { reason: (e as Error).message.split('\n')[0] }, `could not read the account id from STS (${(e as Error).message.split('\n')[0]}); printing ${ACCOUNT_PLACEHOLDER} placeholders: pass --account ID to fill them in`);
        }
      } else if (!account) {
        ctx.reporter.warn('iam-policy.offline', {}, `offline: printing ${ACCOUNT_PLACEHOLDER} placeholders; pass --account ID to fill them in`);
      }
      const region = ctx.options.region ?? config.platform.region;
      // The database master secrets are named exactly: read from the env stacks when AWS is reachable.
      const rdsEnvs = level === 'read' ? [] : Object.keys(config.environments).filter((e) => config.environments[e].database.type === 'rds');
      let masterSecrets: Record<string, string> = {};
      if (rdsEnvs.length && source === 'sts') {
        const { masterSecrets: lookUp } = await import('../ops/account');
        const r = await lookUp(await ctx.ops(), rdsEnvs);
        masterSecrets = r.found;
        if (r.missing.length) ctx.reporter.warn('iam-policy.master-secret-missing', { envs: r.missing }, `no database master secret yet for ${r.missing.join(', ')} (env stack not created): the policy names ${masterSecretPlaceholder(r.missing[0])}; run iam-policy again after "cyclops env create"`);
      } else if (rdsEnvs.length) {
        ctx.reporter.warn('iam-policy.master-secret-placeholder', { envs: rdsEnvs }, `the database master secrets of ${rdsEnvs.join(', ')} are placeholders (${masterSecretPlaceholder(rdsEnvs[0])}): run iam-policy with AWS access to name them`);
      }
      const policy = operatorPolicy(config, level, whereFor(config, account ?? ACCOUNT_PLACEHOLDER, region), { masterSecrets });
      ctx.reporter.result({ level, platform: config.platform.name, region, account: account ?? null, accountSource: source, policy }, JSON.stringify(policy, null, 2));
    }),
  );
};

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
      .option('--offline', 'do not call AWS: print <ACCOUNT_ID> placeholders unless --account is given')
      .option('--part <n>', "print only the n-th of the level's managed policies (a level too large for one, 6,144 characters, is split; attach every part)"),
    ['cyclops iam-policy --for deploy > ci-policy.json', 'cyclops iam-policy --for admin --part 2 > admin-2.json', 'cyclops iam-policy --for read --offline --json'],
  ).action(
    run(async (ctx, opts: { for: string; account?: string; offline?: boolean; part?: string }) => {
      const { LEVELS } = await import('../iam/ops-map');
      const level = LEVELS.find((l) => l === opts.for);
      if (!level) throw usageError(`--for ${opts.for}: not a policy level; use one of: ${LEVELS.join(', ')}`);
      if (opts.account !== undefined && !/^\d{12}$/.test(opts.account)) throw usageError(`--account ${opts.account}: not an AWS account id; use its 12 digits`);
      if (opts.part !== undefined && !/^[1-9]\d?$/.test(opts.part)) throw usageError(`--part ${opts.part}: not a part number; use 1, 2 ... (the --json output's "parts" says how many)`);
      const config = await ctx.config();
      const { ACCOUNT_PLACEHOLDER, masterSecretPlaceholder, operatorPolicies, whereFor, MANAGED_POLICY_CHARS, MANAGED_POLICIES_PER_ROLE } = await import('../iam/operator');
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
        const [{ masterSecrets: lookUp }, { envTarget }] = await Promise.all([import('../ops/account'), import('../plan/target')]);
        // each secret is read where its environment lives (its account and region, after the account guard)
        const r = await lookUp((env) => ctx.ops(envTarget(config, env)), rdsEnvs);
        masterSecrets = r.found;
        for (const u of r.unreachable) ctx.reporter.warn('iam-policy.master-secret-unreadable', { env: u.env, reason: u.reason }, `could not read environment ${u.env}'s database master secret where it lives (${u.reason}): the policy names ${masterSecretPlaceholder(u.env)}; run iam-policy again once its account can be read`);
        if (r.missing.length) ctx.reporter.warn('iam-policy.master-secret-missing', { envs: r.missing }, `no database master secret yet for ${r.missing.join(', ')} (env stack not created): the policy names ${masterSecretPlaceholder(r.missing[0])}; run iam-policy again after "cyclops env create"`);
      } else if (rdsEnvs.length) {
        ctx.reporter.warn('iam-policy.master-secret-placeholder', { envs: rdsEnvs }, `the database master secrets of ${rdsEnvs.join(', ')} are placeholders (${masterSecretPlaceholder(rdsEnvs[0])}): run iam-policy with AWS access to name them`);
      }
      const policies = operatorPolicies(config, level, whereFor(config, account ?? ACCOUNT_PLACEHOLDER, region), { masterSecrets });
      const parts = policies.length;
      const base = { level, platform: config.platform.name, region, account: account ?? null, accountSource: source, parts };
      if (opts.part !== undefined) {
        const n = Number(opts.part);
        if (n > parts) throw usageError(`--part ${n}: the ${level} policy has ${parts} part(s); use --part 1${parts > 1 ? ` to --part ${parts}` : ''}`);
        return ctx.reporter.result({ ...base, part: n, policies: [policies[n - 1]] }, JSON.stringify(policies[n - 1], null, 2));
      }
      if (parts > 1) {
        ctx.reporter.warn(
          'iam-policy.parts',
          { level, parts },
          `the ${level} policy is ${parts} managed policies (IAM allows ${MANAGED_POLICY_CHARS} characters in one): stdout is a JSON array of them; create each with "cyclops iam-policy --for ${level} --part N" (N = 1 to ${parts}) and attach all ${parts} to the same role or user (${MANAGED_POLICIES_PER_ROLE} managed policies per role by default)`,
        );
      }
      ctx.reporter.result({ ...base, policies }, JSON.stringify(parts > 1 ? policies : policies[0], null, 2));
    }),
  );
};

/**
 * `cyclops bootstrap --env NAME`: prepare the account an environment lives in
 * (`environments.<env>.aws`). The ops given are bound to that account (the account guard has
 * passed); the store is the platform's home, whose bucket policy is re-applied first so the
 * environment's account may read its templates.
 */
import { accountTemplate, type AccountInput } from '../../templates/account';
import type { LegacyServiceRole } from '../../templates/platform';
import type { Config } from '../config/model';
import type { PolicyDocument } from '../iam/document';
import { configuredSecretRefs } from '../iam/boundary';
import { usageError } from '../errors';
import { say } from '../events';
import { ciRolePath, envDeployRoleName, envReadRoleName, platformStack, PLATFORM_OUTPUT } from '../naming';
import { templateBody } from '../plan';
import type { Target } from '../plan/target';
import { masterSecrets } from './account';
import { applyTemplate } from './apply-template';
import { finishRoleMove, hasLegacyRole } from './service-role-move';
import { levelPolicy } from './ci';
import type { Ops } from './context';

/** The deploy role's name and path: those of environments.<env>.aws.roleArn, else "<platform>-deploy" under the CI path. */
export function deployRoleOf(platform: string, roleArn?: string): { name: string; path: string } {
  if (!roleArn) return { name: envDeployRoleName(platform), path: ciRolePath(platform) };
  const parts = roleArn.split(':').slice(5).join(':').replace(/^role\//, '').split('/');
  const name = parts.pop()!;
  return { name, path: parts.length ? `/${parts.join('/')}/` : '/' };
}

/**
 * The account stack's input for environment `env`: its deploy role with the deploy policy and the
 * read role with the read policy, both rendered from the ops map for that account (ARNs in pseudo
 * parameters). Neither role's policy keeps sts:AssumeRole of the environments' roles: those are
 * assumed from the home account, never from inside an environment's.
 */
export function accountInput(config: Config, env: string, homeAccount: string, found: Record<string, string>): AccountInput {
  const platform = config.platform.name;
  return {
    platform,
    bucket: config.platform.bucket,
    secretRefs: configuredSecretRefs(config),
    env,
    homeAccount,
    deployRole: deployRoleOf(platform, config.environments[env].aws?.roleArn),
    deployPolicy: withoutAssumeRole(levelPolicy(config, 'deploy', found)),
    readRole: { name: envReadRoleName(platform), path: ciRolePath(platform) },
    readPolicy: withoutAssumeRole(levelPolicy(config, 'read', found)),
  };
}

const withoutAssumeRole = (doc: PolicyDocument): PolicyDocument => ({
  Version: doc.Version,
  Statement: doc.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== 'sts:AssumeRole') })).filter((s) => s.Action.length),
});

export async function bootstrapEnv(ops: Ops, t: Target, homeAccount: string, opts: { timeoutSeconds?: number; allowReplace?: string[] }) {
  const e = ops.config.environments[t.env];
  if (!e.aws) {
    throw usageError(`bootstrap --env ${t.env}: environment ${t.env} lives in the platform's own account (no environments.${t.env}.aws); "cyclops bootstrap" prepares it`);
  }
  if (!e.aws.account || e.aws.account === homeAccount) {
    // IAM is global: the platform stack's service role and boundary already exist in this account.
    throw usageError(
      `bootstrap --env ${t.env}: environment ${t.env} is in the platform's own account ${homeAccount} (${e.aws.region}); IAM is global, so its roles are the platform stack's ("cyclops bootstrap") and there is nothing to prepare; next: "cyclops env create ${t.env}"`,
    );
  }
  say.step(ops.events, 'bootstrap.bucket', { bucket: ops.store.bucket, region: ops.stacks.region }, `config bucket ${ops.store.bucket}: account ${e.aws.account} may read its templates`);
  const bucket = await ops.store.ensureBucket((message) => say.info(ops.events, 'bootstrap.bucket.setting', {}, message));
  const stackName = platformStack(ops.config.platform.name);
  say.step(ops.events, 'bootstrap.env-account', { env: t.env, account: e.aws.account, region: e.aws.region, stack: stackName }, `environment ${t.env}: stack ${stackName} in account ${e.aws.account} (${e.aws.region})`);
  const secrets = e.database.type === 'rds' ? await masterSecrets(async () => ops, [t.env]) : { found: {} };
  const input = accountInput(ops.config, t.env, homeAccount, secrets.found);
  const body = (legacyServiceRole: LegacyServiceRole) => templateBody(accountTemplate({ ...input, legacyServiceRole }) as never);
  // the account's service role of earlier versions stays beside the new one until no stack of the environment uses it
  const legacy = await hasLegacyRole(ops, stackName);
  const apply = (legacyServiceRole: LegacyServiceRole) =>
    applyTemplate(ops, { kind: 'account', ids: { platform: t.platform, env: t.env }, stackName, body: body(legacyServiceRole), timeoutSeconds: opts.timeoutSeconds, allowReplace: opts.allowReplace });
  let { pushed, result } = await apply(legacy);
  const serviceRole = await finishRoleMove(ops, {
    stackName,
    legacyInTemplate: legacy,
    roleArn: result.outputs[PLATFORM_OUTPUT.serviceRoleArn],
    envs: [t.env],
    opsIn: async () => ops,
    timeoutSeconds: opts.timeoutSeconds,
    removeLegacy: async (step) => {
      ({ pushed, result } = await apply(step));
    },
  });
  const deployRoleArn = result.outputs[PLATFORM_OUTPUT.deployRoleArn] ?? null;
  const readRoleArn = result.outputs[PLATFORM_OUTPUT.readRoleArn] ?? null;
  return { bucket, stackName, pushed, result, account: e.aws.account, region: e.aws.region, deployRoleArn, readRoleArn, configured: e.aws.roleArn ?? null, serviceRole: { moved: serviceRole.moved, oldRoleRemoved: serviceRole.removed } };
}

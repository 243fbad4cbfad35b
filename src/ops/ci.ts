/**
 * CI trust (`bootstrap --github`, `ci show`): which GitHub repositories may deploy, read back
 * from the deployed platform template (each CI role's Metadata), merged with the ones named now,
 * and rendered with exactly the deploy-level operator policy.
 */
import { DEFAULT_REF, mergeTrusts, subjects, parseEnvironment, parseProviderArn, parseRef, parseRepo, sessionSeconds, type GithubTrust } from '../ci/github';
import { usageError } from '../errors';
import { say } from '../events';
import { masterSecretPlaceholder, operatorPolicy } from '../iam/operator';
import type { PolicyDocument } from '../iam/document';
import type { Level } from '../iam/ops-map';
import { platformStack, PLATFORM_OUTPUT } from '../naming';
import { MAX_SESSION_TIMEOUT_SECONDS } from '../ci/limits';
import { ciRoleOutput, trustsOf, type CiInput } from '../../templates/platform-ci';
import { PSEUDO_WHERE } from '../../templates/platform';
import { homeAccountRegions, withHomeCredentials, type Config } from '../config/model';
import { masterSecrets, type OpsIn } from './account';
import type { Ops } from './context';

export interface GithubFlags {
  github?: string[];
  ref?: string[];
  pullRequests?: boolean;
  environment?: string[];
  oidcProviderArn?: string;
}

/** The trusts named on the command line (exit 2 for any bad name, before any call). */
export function namedTrusts(flags: GithubFlags): GithubTrust[] {
  const repos = (flags.github ?? []).map(parseRepo);
  if (!repos.length && (flags.ref?.length || flags.pullRequests || flags.environment?.length)) {
    throw usageError('--ref, --pull-requests and --environment: only with --github ORG/REPO');
  }
  const environments = (flags.environment ?? []).map(parseEnvironment);
  const refs = flags.ref?.length ? flags.ref.map(parseRef) : environments.length || flags.pullRequests ? [] : [DEFAULT_REF];
  if (flags.oidcProviderArn !== undefined) parseProviderArn(flags.oidcProviderArn);
  return repos.map((repo) => ({ repo, refs: [...new Set(refs)], pullRequests: !!flags.pullRequests, environments: [...new Set(environments)] }));
}

/**
 * The deploy policy as the platform template writes it: ${AWS::…} ARNs; database master secrets not
 * created yet are left out. `otherRegions`: the regions of the account's environments besides the stack's.
 */
export function ciDeployPolicy(ops: Ops, found: Record<string, string>, otherRegions: string[] = []): PolicyDocument {
  return levelPolicy(ops.config, 'deploy', found, otherRegions);
}

/** A level's operator policy, its ARNs written with ${AWS::…} pseudo parameters and without placeholders (a role's policy in a template). */
export function levelPolicy(config: Config, level: Level, found: Record<string, string>, otherRegions: string[] = []): PolicyDocument {
  const where = { ...PSEUDO_WHERE, platform: config.platform.name, bucket: config.platform.bucket, ...(otherRegions.length ? { otherRegions } : {}) };
  const policy = operatorPolicy(config, level, where, { masterSecrets: found });
  const placeholder = (arn: string) => arn.startsWith('<') || arn.includes(masterSecretPlaceholder('').slice(0, 10));
  const Statement = policy.Statement.map((s) => ({ ...s, Resource: s.Resource.filter((r) => !placeholder(r)) })).filter((s) => s.Resource.length);
  return { Version: policy.Version, Statement };
}

/** The CI part of the platform template: the trusts already deployed, with the named ones over them; `opsIn`: each environment where it lives. */
export async function ciInput(ops: Ops, flags: GithubFlags, opsIn: OpsIn = async () => ops): Promise<Omit<CiInput, 'platform'> | undefined> {
  const named = namedTrusts(flags);
  const live = trustsOf(await ops.stacks.template(platformStack(ops.config.platform.name)));
  const repos = mergeTrusts(live.repos, named);
  if (!repos.length) return undefined;
  for (const t of named) say.info(ops.events, 'ci.github.trust', { repo: t.repo, subjects: subjects(t) }, `GitHub ${t.repo}: runs whose token subject is ${[...t.refs.map((r) => `ref ${r}`), ...(t.pullRequests ? ['a pull request'] : []), ...t.environments.map((e) => `environment ${e}`)].join(', ')} may deploy`);
  const rds = Object.keys(ops.config.environments).filter((e) => ops.config.environments[e].database.type === 'rds');
  const secrets = await masterSecrets(opsIn, rds);
  for (const u of secrets.unreachable) say.warn(ops.events, 'ci.master-secret-unreadable', { env: u.env, reason: u.reason }, `the CI roles cannot read the database master secret of ${u.env} yet: its account could not be read (${u.reason}); run "cyclops bootstrap" again once it can`);
  if (secrets.missing.length) say.warn(ops.events, 'ci.master-secret-missing', { envs: secrets.missing }, `the CI roles cannot read the database master secret of ${secrets.missing.join(', ')} yet (no env stack): run "cyclops bootstrap" again after "cyclops env create"`);
  const providerArn = flags.oidcProviderArn ?? live.providerArn;
  return { repos, ...(providerArn ? { providerArn } : {}), sessionSeconds: sessionSeconds(MAX_SESSION_TIMEOUT_SECONDS), deployPolicy: ciDeployPolicy(ops, secrets.found, homeAccountRegions(ops.config).slice(1)) };
}

/** An environment in another account: the deploy role cyclops assumes there from the CI role. */
export interface CiEnvironment {
  env: string;
  account: string | null;
  region: string;
  /** environments.<env>.aws.roleArn (null: a profile reaches it, not a role) */
  roleArn: string | null;
  /** the DeployRoleArn output of `bootstrap --env` in that account; null: not made yet, or unreadable */
  deployRoleArn: string | null;
  /** what to do, when the CI role cannot deploy there yet */
  problem: string | null;
}

export interface CiShow {
  platform: string;
  region: string;
  roles: { repo: string; roleArn: string | null; subjects: GithubTrust }[];
  providerArn: string | null;
  environments: CiEnvironment[];
}

/**
 * Each environment reached through its own role or profile, read where it lives: the deploy role
 * `bootstrap --env` made there (the stack with the platform stack's name in its account and region).
 */
async function ciEnvironments(ops: Ops, opsIn: OpsIn): Promise<CiEnvironment[]> {
  const stackName = platformStack(ops.config.platform.name);
  const envs = Object.values(ops.config.environments).filter((e) => e.aws && !withHomeCredentials(ops.config, e.name));
  return Promise.all(
    envs.map(async (e) => {
      const aws = e.aws!;
      const base = { env: e.name, account: aws.account ?? null, region: aws.region, roleArn: aws.roleArn ?? null };
      let deployRoleArn: string | null = null;
      let problem: string | null = null;
      try {
        const outputs = (await (await opsIn(e.name)).stacks.describe(stackName))?.outputs ?? {};
        deployRoleArn = outputs[PLATFORM_OUTPUT.deployRoleArn] ?? null;
        if (!deployRoleArn) problem = `no deploy role in account ${aws.account} (${aws.region}) yet: run "cyclops bootstrap --env ${e.name}"`;
        else if (aws.roleArn && aws.roleArn !== deployRoleArn) problem = `environments.${e.name}.aws.roleArn is ${aws.roleArn}, but the deploy role there is ${deployRoleArn}; set roleArn to it`;
        else if (!aws.roleArn) problem = `reached through profile ${aws.profile}, which CI does not have: set environments.${e.name}.aws.roleArn to ${deployRoleArn}`;
        else if (!outputs[PLATFORM_OUTPUT.readRoleArn]) problem = `no read role in account ${aws.account} (${aws.region}) yet (its stack predates it; read commands need it): run "cyclops bootstrap --env ${e.name}"`;
      } catch (x) {
        problem = `cannot read account ${aws.account} (${aws.region}): ${(x as Error).message.split('\n')[0]}`;
      }
      if (problem) say.warn(ops.events, 'ci.environment-role', { env: e.name, account: base.account, region: base.region, deployRoleArn }, `environment ${e.name}: ${problem}`);
      return { ...base, deployRoleArn, problem };
    }),
  );
}

/** `ci show`: the deploy roles and what trusts them, from the platform stack; `opsIn`: each environment where it lives. */
export async function showCi(ops: Ops, opsIn: OpsIn = async () => ops): Promise<CiShow> {
  const stackName = platformStack(ops.config.platform.name);
  const [template, stack] = await Promise.all([ops.stacks.template(stackName), ops.stacks.describe(stackName)]);
  const outputs = stack?.outputs ?? {};
  if (!stack) throw usageError(`ci show: stack ${stackName} does not exist; run "cyclops bootstrap --github ORG/REPO" first`);
  const { repos } = trustsOf(template);
  if (!repos.length) throw usageError(`ci show: no GitHub repository may deploy to platform ${ops.config.platform.name}; run "cyclops bootstrap --github ORG/REPO"`);
  return {
    platform: ops.config.platform.name,
    region: ops.config.platform.region,
    providerArn: outputs.GithubOidcProviderArn ?? null,
    roles: repos.map((t) => ({ repo: t.repo, roleArn: outputs[ciRoleOutput(t.repo)] ?? null, subjects: t })),
    environments: await ciEnvironments(ops, opsIn),
  };
}

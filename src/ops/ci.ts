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
import { platformStack } from '../naming';
import { MAX_SESSION_TIMEOUT_SECONDS } from '../ci/limits';
import { ciRoleOutput, trustsOf, type CiInput } from '../../templates/platform-ci';
import { PSEUDO_WHERE } from '../../templates/platform';
import { homeAccountRegions } from '../config/model';
import { masterSecrets } from './account';
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
  const where = { ...PSEUDO_WHERE, platform: ops.config.platform.name, bucket: ops.config.platform.bucket, ...(otherRegions.length ? { otherRegions } : {}) };
  const policy = operatorPolicy(ops.config, 'deploy', where, { masterSecrets: found });
  const placeholder = (arn: string) => arn.startsWith('<') || arn.includes(masterSecretPlaceholder('').slice(0, 10));
  const Statement = policy.Statement.map((s) => ({ ...s, Resource: s.Resource.filter((r) => !placeholder(r)) })).filter((s) => s.Resource.length);
  return { Version: policy.Version, Statement };
}

/** The CI part of the platform template: the trusts already deployed, with the named ones over them. */
export async function ciInput(ops: Ops, flags: GithubFlags): Promise<Omit<CiInput, 'platform'> | undefined> {
  const named = namedTrusts(flags);
  const live = trustsOf(await ops.stacks.template(platformStack(ops.config.platform.name)));
  const repos = mergeTrusts(live.repos, named);
  if (!repos.length) return undefined;
  for (const t of named) say.info(ops.events, 'ci.github.trust', { repo: t.repo, subjects: subjects(t) }, `GitHub ${t.repo}: runs whose token subject is ${[...t.refs.map((r) => `ref ${r}`), ...(t.pullRequests ? ['a pull request'] : []), ...t.environments.map((e) => `environment ${e}`)].join(', ')} may deploy`);
  const rds = Object.keys(ops.config.environments).filter((e) => ops.config.environments[e].database.type === 'rds');
  const secrets = rds.length ? await masterSecrets(ops, rds) : { found: {}, missing: [] };
  if (secrets.missing.length) say.warn(ops.events, 'ci.master-secret-missing', { envs: secrets.missing }, `the CI roles cannot read the database master secret of ${secrets.missing.join(', ')} yet (no env stack): run "cyclops bootstrap" again after "cyclops env create"`);
  const providerArn = flags.oidcProviderArn ?? live.providerArn;
  return { repos, ...(providerArn ? { providerArn } : {}), sessionSeconds: sessionSeconds(MAX_SESSION_TIMEOUT_SECONDS), deployPolicy: ciDeployPolicy(ops, secrets.found, homeAccountRegions(ops.config).slice(1)) };
}

export interface CiShow {
  platform: string;
  region: string;
  roles: { repo: string; roleArn: string | null; subjects: GithubTrust }[];
  providerArn: string | null;
}

/** `ci show`: the deploy roles and what trusts them, from the platform stack. */
export async function showCi(ops: Ops): Promise<CiShow> {
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
  };
}

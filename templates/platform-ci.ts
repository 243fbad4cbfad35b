/**
 * The platform stack's CI part (`cyclops bootstrap --github ORG/REPO`): GitHub's OIDC provider
 * (unless one is reused with --oidc-provider-arn) and one deploy role per repository, trusted
 * only by that repository's tokens (src/ci/github.ts) and holding exactly the `iam-policy --for
 * deploy` policy (src/iam/operator.ts), as managed policies under the platform's IAM path. Each
 * role records its trust in its Metadata, so a later `bootstrap` keeps it without being told again.
 */
import { GITHUB_AUDIENCE, GITHUB_OIDC_URL, trustPolicy, type GithubTrust } from '../src/ci/github';
import { pack, type PolicyDocument } from '../src/iam/document';
import { ciRoleName, ciRolePath, iamPath, tags } from '../src/naming';
import { getAtt, logicalId, output, ref, type Output, type Resource, type Value } from './cfn';

export interface CiInput {
  platform: string;
  repos: GithubTrust[];
  /** reuse this provider (one per account); none: the stack creates it */
  providerArn?: string;
  /** the roles' MaxSessionDuration */
  sessionSeconds: number;
  /** the deploy policy, its ARNs written with ${AWS::…} pseudo parameters */
  deployPolicy: PolicyDocument;
}

export const CI_PROVIDER_ID = 'GithubOidcProvider';
export const CI_METADATA = 'cyclops:github';
export const ciRoleId = (repo: string) => logicalId('CiRole', repo.toLowerCase());
export const ciRoleOutput = (repo: string) => `${ciRoleId(repo)}Arn`;

export function ciResources(input: CiInput, substituted: (v: unknown) => Value): { resources: Record<string, Resource>; outputs: Record<string, Output> } {
  const resources: Record<string, Resource> = {};
  const outputs: Record<string, Output> = {};
  if (!input.repos.length) return { resources, outputs };
  const provider: Value = input.providerArn ?? ref(CI_PROVIDER_ID);
  if (!input.providerArn) {
    // No ThumbprintList: IAM verifies GitHub's certificate through its trusted root CAs (the registry schema has it optional).
    resources[CI_PROVIDER_ID] = {
      Type: 'AWS::IAM::OIDCProvider',
      Properties: { Url: GITHUB_OIDC_URL, ClientIdList: [GITHUB_AUDIENCE], Tags: tags({ platform: input.platform }) as unknown as Value },
    };
  }
  outputs.GithubOidcProviderArn = output(provider, undefined, "GitHub Actions' OIDC provider");
  const roles = input.repos.map((t) => ciRoleId(t.repo));
  for (const t of input.repos) {
    const id = ciRoleId(t.repo);
    resources[id] = {
      Type: 'AWS::IAM::Role',
      Metadata: { [CI_METADATA]: { repo: t.repo, refs: t.refs, pullRequests: t.pullRequests, environments: t.environments } },
      Properties: {
        RoleName: ciRoleName(input.platform, t.repo),
        Path: ciRolePath(input.platform),
        Description: `cyclops ${input.platform}: deploys from GitHub Actions runs of ${t.repo}`,
        MaxSessionDuration: input.sessionSeconds,
        AssumeRolePolicyDocument: trustPolicy(t, provider) as unknown as Value,
        Tags: tags({ platform: input.platform }) as unknown as Value,
      },
    } as Resource;
    outputs[ciRoleOutput(t.repo)] = output(getAtt(id, 'Arn'), undefined, `the deploy role of GitHub repository ${t.repo}`);
  }
  const docs = pack(input.deployPolicy.Statement);
  docs.forEach((doc, i) => {
    resources[`CiDeployPolicy${i + 1}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `cyclops ${input.platform}: the deploy policy (iam-policy --for deploy) of the CI roles, part ${i + 1} of ${docs.length}`,
        Path: iamPath(input.platform),
        Roles: roles.map((r) => ref(r)),
        PolicyDocument: { Version: doc.Version, Statement: substituted(doc.Statement) },
      },
    };
  });
  return { resources, outputs };
}

/** The trusts a deployed platform template carries (its CI roles' Metadata); [] for none. */
export function trustsOf(template: string | null): { repos: GithubTrust[]; providerArn?: string } {
  if (!template) return { repos: [] };
  let parsed: { Resources?: Record<string, { Type?: string; Metadata?: Record<string, unknown> }> };
  try {
    parsed = JSON.parse(template);
  } catch {
    return { repos: [] };
  }
  const repos: GithubTrust[] = [];
  let providerArn: string | undefined;
  for (const r of Object.values(parsed.Resources ?? {})) {
    const m = r.Metadata?.[CI_METADATA] as GithubTrust | undefined;
    if (r.Type === 'AWS::IAM::Role' && m && typeof m.repo === 'string') {
      repos.push({ repo: m.repo, refs: m.refs ?? [], pullRequests: !!m.pullRequests, environments: m.environments ?? [] });
      const fed = (r as { Properties?: { AssumeRolePolicyDocument?: { Statement?: { Principal?: { Federated?: unknown } }[] } } }).Properties?.AssumeRolePolicyDocument?.Statement?.[0]?.Principal?.Federated;
      if (typeof fed === 'string') providerArn = fed;
    }
  }
  return { repos, ...(providerArn ? { providerArn } : {}) };
}

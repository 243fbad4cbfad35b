/**
 * The CI part of the platform template (`bootstrap --github`): each trust variant's policy
 * (--ref, --pull-requests, --environment), the provider made or reused, the role's path and
 * session, and its policy equal to `iam-policy --for deploy`. moto cannot show a real GitHub
 * token being checked against these conditions, so the conditions themselves are pinned here
 * against the token subjects GitHub documents (docs/ci.md cites them).
 */
import { namedTrusts } from '../../src/ops/ci';
import { trustPolicy, sessionSeconds, subjects } from '../../src/ci/github';
import { MAX_SESSION_TIMEOUT_SECONDS } from '../../src/ci/limits';
import { operatorPolicy } from '../../src/iam/operator';
import { renderPlatform } from '../../src/plan';
import { PSEUDO_WHERE } from '../../templates/platform';
import { trustsOf } from '../../templates/platform-ci';
import { example } from './fixtures';

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
type Res = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };

function render(flags: Parameters<typeof namedTrusts>[0]) {
  const config = example();
  const deployPolicy = operatorPolicy(config, 'deploy', { ...PSEUDO_WHERE, platform: config.platform.name, bucket: config.platform.bucket }, { masterSecrets: { production: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1-AbCdEf', staging: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-2-AbCdEf' } });
  const repos = namedTrusts(flags);
  const t = renderPlatform(config, { repos, sessionSeconds: sessionSeconds(MAX_SESSION_TIMEOUT_SECONDS), deployPolicy, ...(flags.oidcProviderArn ? { providerArn: flags.oidcProviderArn } : {}) }) as unknown as { Resources: Record<string, Res>; Outputs: Record<string, any> };
  const roles = Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.Path?.startsWith('/cyclops-ci/'));
  return { t, roles, deployPolicy };
}
const condition = (role: Res) => role.Properties.AssumeRolePolicyDocument.Statement[0].Condition;

describe('the CI deploy role trust', () => {
  test('--github alone: pushes to refs/heads/main only, audience sts.amazonaws.com', () => {
    const { roles } = render({ github: ['acme/shop'] });
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: { Ref: 'GithubOidcProvider' } },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/shop:ref:refs/heads/main'] },
        },
      },
    ]);
  });

  test('--ref: each ref (a branch name becomes refs/heads/NAME; tag patterns stay patterns)', () => {
    const { roles } = render({ github: ['acme/shop'], ref: ['release', 'refs/tags/v*'] });
    expect(condition(roles[0]).StringLike['token.actions.githubusercontent.com:sub']).toEqual(['repo:acme/shop:ref:refs/heads/release', 'repo:acme/shop:ref:refs/tags/v*']);
  });

  test('--pull-requests: the pull_request subject, and no branch unless --ref names one', () => {
    expect(condition(render({ github: ['acme/shop'], pullRequests: true }).roles[0]).StringLike['token.actions.githubusercontent.com:sub']).toEqual(['repo:acme/shop:pull_request']);
    expect(condition(render({ github: ['acme/shop'], pullRequests: true, ref: ['main'] }).roles[0]).StringLike['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:acme/shop:ref:refs/heads/main',
      'repo:acme/shop:pull_request',
    ]);
  });

  test('--environment: the environment subject, which carries no ref', () => {
    const subs = condition(render({ github: ['acme/shop'], environment: ['production'] }).roles[0]).StringLike['token.actions.githubusercontent.com:sub'];
    expect(subs).toEqual(['repo:acme/shop:environment:production']);
    expect(subs.some((s: string) => s.includes(':ref:'))).toBe(false);
  });

  test('only that repository: no wildcard reaches another repository or organisation', () => {
    for (const flags of [{ github: ['acme/shop'] }, { github: ['acme/shop'], pullRequests: true }, { github: ['acme/shop'], environment: ['production'] }, { github: ['acme/shop'], ref: ['refs/tags/v*'] }]) {
      for (const s of subjects(namedTrusts(flags)[0])) expect(s.startsWith('repo:acme/shop:')).toBe(true);
    }
  });

  test('two repositories: two roles, each trusting only its own', () => {
    const { roles } = render({ github: ['acme/shop', 'acme/docs'] });
    expect(roles.map((r) => condition(r).StringLike['token.actions.githubusercontent.com:sub']).sort()).toEqual([['repo:acme/docs:ref:refs/heads/main'], ['repo:acme/shop:ref:refs/heads/main']]);
  });

  test('the provider: created for token.actions.githubusercontent.com with audience sts.amazonaws.com, or reused with --oidc-provider-arn', () => {
    const made = render({ github: ['acme/shop'] }).t.Resources.GithubOidcProvider;
    expect(made).toMatchObject({ Type: 'AWS::IAM::OIDCProvider', Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] } });
    const reused = render({ github: ['acme/shop'], oidcProviderArn: PROVIDER });
    expect(reused.t.Resources.GithubOidcProvider).toBeUndefined();
    expect(reused.roles[0].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: PROVIDER });
    expect(reused.t.Outputs.GithubOidcProviderArn.Value).toBe(PROVIDER);
  });

  test('the role: under /cyclops-ci/<platform>/, a 12-hour session, and exactly the deploy policy', () => {
    const { t, roles, deployPolicy } = render({ github: ['acme/shop'] });
    expect(roles[0].Properties).toMatchObject({ RoleName: 'acme-ci-acme-shop', Path: '/cyclops-ci/acme/', MaxSessionDuration: 43200 });
    const policies = Object.entries(t.Resources).filter(([id]) => id.startsWith('CiDeployPolicy'));
    expect(policies.length).toBeGreaterThanOrEqual(1);
    for (const [, p] of policies) expect(p.Properties.Roles).toEqual([{ Ref: Object.keys(t.Resources).find((id) => t.Resources[id] === roles[0]) }]);
    const unsub = (v: any): any => (v && typeof v === 'object' && 'Fn::Sub' in v ? v['Fn::Sub'] : Array.isArray(v) ? v.map(unsub) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsub(x)])) : v);
    const statements = policies.flatMap(([, p]) => unsub(p.Properties.PolicyDocument.Statement));
    const norm = (list: any[]) => list.map((s) => JSON.stringify({ ...s, Sid: undefined })).sort();
    // pack() may split a statement's resources; compare actions and resources as sets
    const flat = (list: any[]) => [...new Set(list.flatMap((s) => s.Action.flatMap((a: string) => s.Resource.map((r: string) => `${a} ${r} ${JSON.stringify(s.Condition ?? {})}`))))].sort();
    expect(flat(statements)).toEqual(flat(deployPolicy.Statement));
    expect(norm(statements).length).toBeGreaterThan(0);
  });

  test('the trust is read back from the deployed template, so a later bootstrap keeps it', () => {
    const { t } = render({ github: ['acme/shop'], environment: ['production'], pullRequests: true });
    expect(trustsOf(JSON.stringify(t)).repos).toEqual([{ repo: 'acme/shop', refs: [], pullRequests: true, environments: ['production'] }]);
    expect(trustsOf(JSON.stringify(render({ github: ['acme/shop'], oidcProviderArn: PROVIDER }).t)).providerArn).toBe(PROVIDER);
    expect(trustsOf(null)).toEqual({ repos: [] });
  });

  test('without --github the platform template has no CI part', () => {
    const t = renderPlatform(example()) as unknown as { Resources: Record<string, Res> };
    expect(Object.keys(t.Resources).filter((id) => id.startsWith('Ci') || id.startsWith('Github'))).toEqual([]);
  });

  test('bad names are refused', () => {
    expect(() => namedTrusts({ github: ['acme'] })).toThrow(/not a GitHub repository/);
    expect(() => namedTrusts({ github: ['acme/shop'], environment: ['prod:x'] })).toThrow(/not a GitHub environment name/);
    expect(() => namedTrusts({ ref: ['main'] })).toThrow(/only with --github/);
    expect(() => trustPolicy(namedTrusts({ github: ['a/b'] })[0], PROVIDER)).not.toThrow();
  });
});

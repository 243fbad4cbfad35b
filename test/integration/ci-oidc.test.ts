/**
 * `bootstrap --github` against moto: a deploy role per repository in the platform stack (IAM
 * GetRole with its trust policy, its attached managed policies), kept by a later plain `bootstrap`, and printed by `ci show`. Then a web
 * identity token is exchanged for the role's credentials (moto's AssumeRoleWithWebIdentity),
 * and those credentials deploy. moto neither checks the token's signature nor evaluates the
 * trust conditions or the policy, and its CloudFormation has no AWS::IAM::OIDCProvider (the
 * resource is skipped), so here the provider is made through IAM and reused with
 * --oidc-provider-arn; the template that creates it is checked by the template tests. What
 * the trust allows is proven there too what the trust allows is proven by the template tests
 * (test/templates/ci-trust.test.ts), what the policy allows by the IAM evaluator tests.
 */
import { motoIam, motoPlatform, outcome, OK, type MotoPlatform } from '../support/moto-platform';

let p: MotoPlatform;
beforeAll(async () => {
  p = await motoPlatform({ platform: 'cio', database: 'none', apps: { site: { processes: { web: { port: 8080 } } } } });
});
afterAll(() => p.close());

const xml = (body: string) => decodeURIComponent(body.replace(/\+/g, ' '));
const ACCOUNT = '123456789012';
/** The role's trust policy, parsed from GetRole. */
async function trustOf(role: string) {
  const body = xml((await motoIam('GetRole', { RoleName: role })).body);
  return JSON.parse(/<AssumeRolePolicyDocument>(.*)<\/AssumeRolePolicyDocument>/s.exec(body)![1].replace(/&quot;/g, '"'));
}
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

describe('GitHub OIDC trust', () => {
  let roleArn = '';
  test('bootstrap --github makes the provider and a role only that repository may assume', async () => {
    const made = await motoIam('CreateOpenIDConnectProvider', { Url: 'https://token.actions.githubusercontent.com', 'ClientIDList.member.1': 'sts.amazonaws.com', 'ThumbprintList.member.1': 'f'.repeat(40) });
    expect(made.status).toBe(200);
    const r = await p.run('bootstrap', '--github', 'acme/shop', '--pull-requests', '--ref', 'main', '--environment', 'production', '--oidc-provider-arn', PROVIDER, '--json');
    expect(outcome(r)).toEqual(OK);
    const outputs = r.json().platform.outputs;
    expect(outputs.GithubOidcProviderArn).toBe(PROVIDER);
    expect((await motoIam('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: PROVIDER })).body).toContain('sts.amazonaws.com');
    const role = await motoIam('GetRole', { RoleName: 'cio-ci-acme-shop' });
    expect(role.status).toBe(200);
    const body = xml(role.body);
    expect(body).toContain('<Path>/cyclops-ci/cio/</Path>');
    expect(body).toContain('<MaxSessionDuration>43200</MaxSessionDuration>');
    expect((await trustOf('cio-ci-acme-shop')).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/shop:ref:refs/heads/main', 'repo:acme/shop:pull_request', 'repo:acme/shop:environment:production'] },
        },
      },
    ]);
    roleArn = Object.entries(outputs).find(([k]) => k.startsWith('CiRole'))![1] as string;
    expect(roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/cyclops-ci/cio/cio-ci-acme-shop`);
    const attached = await motoIam('ListAttachedRolePolicies', { RoleName: 'cio-ci-acme-shop' });
    expect(attached.body.match(/<PolicyArn>/g)?.length).toBeGreaterThanOrEqual(1);
  });

  test('a plain bootstrap keeps the role and the reused provider; a second repository is added beside it', async () => {
    expect(outcome(await p.run('bootstrap', '--json'))).toEqual(OK);
    expect((await motoIam('GetRole', { RoleName: 'cio-ci-acme-shop' })).status).toBe(200);
    expect((await trustOf('cio-ci-acme-shop')).Statement[0].Principal).toEqual({ Federated: PROVIDER });
    expect(outcome(await p.run('bootstrap', '--github', 'acme/docs', '--json'))).toEqual(OK);
    expect((await motoIam('GetRole', { RoleName: 'cio-ci-acme-shop' })).status).toBe(200);
    expect(xml((await motoIam('GetRole', { RoleName: 'cio-ci-acme-docs' })).body)).toContain('repo:acme/docs:ref:refs/heads/main');
  });

  test('ci show prints each role ARN, its subjects and the workflow lines', async () => {
    const r = await p.run('ci', 'show');
    expect(outcome(r)).toEqual(OK);
    expect(r.stdout).toContain(roleArn);
    expect(r.stdout).toContain('id-token: write');
    expect(r.stdout).toContain('repo:acme/shop:environment:production');
    const j = await p.run('ci', 'show', '--json');
    expect(j.json().roles.map((x: { repo: string }) => x.repo)).toEqual(['acme/docs', 'acme/shop']);
  });

  test('bad input is exit 2 before any write', async () => {
    for (const args of [['--github', 'acme'], ['--github', 'acme/shop', '--ref', 'a..b'], ['--ref', 'main'], ['--github', 'acme/x', '--oidc-provider-arn', 'arn:aws:iam::1:role/x']]) {
      const r = await p.run('bootstrap', ...args);
      expect(r.code).toBe(2);
    }
  });

  test('the role takes a web identity token and deploys with it', async () => {
    const { STSClient, AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: 'eu-west-1', endpoint: process.env.MOTO_ENDPOINT });
    const payload = Buffer.from(JSON.stringify({ iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/shop:ref:refs/heads/main' })).toString('base64url');
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha', WebIdentityToken: `e30.${payload}.sig`, DurationSeconds: 3600 }));
    sts.destroy();
    const c = out.Credentials!;
    expect(c.SessionToken).toBeTruthy();
    expect(outcome(await p.run('env', 'create', 'staging'))).toEqual(OK);
    const d = await p.runWith({ AWS_ACCESS_KEY_ID: c.AccessKeyId!, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!, AWS_SESSION_TOKEN: c.SessionToken! }, 'deploy', 'nginx:1.27', 'site', 'staging', '--json');
    expect(outcome(d)).toEqual(OK);
    expect(d.json().release).toMatchObject({ number: 1, outcome: 'succeeded' });
  });
});

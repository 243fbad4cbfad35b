/**
 * An environment in another account and region, on one moto: staging lives with the platform
 * (account 123456789012, eu-west-1); production lives in account 222222222222 and us-west-2,
 * reached through a role assumed from the home credentials (moto: credentials from AssumeRole
 * into arn:aws:iam::222222222222:role/… act in that account). Every check of where things
 * landed reads AWS with each account's own credentials: the stacks, the secret and the log
 * group of production are in 222222222222 (and not at home); the config bucket, the release
 * records and ECR stay at home. The account guard refuses credentials of the wrong account
 * with exit 2 and writes nothing.
 *
 * moto does not evaluate IAM, so the repository policy's cross-account pull and the deploy
 * role's trust are shown by template tests (test/unit/env-accounts.test.ts) and here only as
 * the resources bootstrap --env and bootstrap made.
 */
import { cfnServiceRole, iamPath } from '../../src/naming';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { assumedRole } from '../../src/aws/sts';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { pushImage } from '../support/images';
import { logGroupNames, secretNames, stackOf, stackParam } from '../support/aws-reads';
import { writeTwoEnvConfig } from '../support/moto-app';

const PLATFORM = 'xacct';
const BUCKET = 'xacct-e2e-config';
const HOME = '123456789012';
const PROD = '222222222222';
const PROD_REGION = 'us-west-2';
const ROLE = `arn:aws:iam::${PROD}:role/cyclops-ci/${PLATFORM}/${PLATFORM}-deploy`;
const REPO = `${HOME}.dkr.ecr.${TEST_REGION}.amazonaws.com/${PLATFORM}/shop`;
const PLATFORM_STACK = `${PLATFORM}-platform`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-xacct-'));
let home: Aws;
let prod: Aws;
let raw: Record<string, any>;

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const run = (args: string[], input?: string): Promise<CliResult> => runCli(args, { cwd: dir, env: env(), input });
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
const write = (c: Record<string, unknown>) => writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));

const keys = async (prefix: string) => ((await home.s3.send(new home.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

const push = (tag: string, layer: string) => pushImage(home, `${PLATFORM}/shop`, tag, layer);

beforeAll(async () => {
  setTestCredentials();
  home = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  prod = await connect({ region: PROD_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2, credentials: assumedRole(home, ROLE, 'xacct-test') });
  expect((await prod.sts.send(new prod.sdk.sts.GetCallerIdentityCommand({}))).Account).toBe(PROD);
  raw = await writeTwoEnvConfig(home, dir, { platform: PLATFORM, bucket: BUCKET, domain: 'xacct.dev', range: [24000, 24999], productionAws: prod, production: { aws: { account: PROD, region: PROD_REGION, roleArn: ROLE } } });
}, 60_000);

afterAll(() => {
  for (const aws of [home, prod]) for (const c of [aws.s3, aws.cfn, aws.ecr, aws.route53, aws.secrets, aws.logs, aws.sts]) c.destroy();
});

describe('an environment in its own account and region', () => {
  let digest: string;

  test('1. bootstrap at home, then bootstrap --env production: the service role and deploy role are made in 222222222222', async () => {
    ok(await run(['bootstrap']));
    const r = await run(['bootstrap', '--env', 'production', '--json']);
    ok(r);
    const out = r.json();
    expect(out).toMatchObject({ env: 'production', account: PROD, region: PROD_REGION, homeAccount: HOME, deployRoleArn: ROLE, stack: PLATFORM_STACK });
    // the account stack is in production's account and region, not at home
    const there = await stackOf(prod, PLATFORM_STACK);
    expect(there?.Outputs?.find((o) => o.OutputKey === 'DeployRoleArn')?.OutputValue).toBe(ROLE);
    const role = await prod.cfn.send(new prod.sdk.cfn.GetTemplateCommand({ StackName: PLATFORM_STACK }));
    const trust = JSON.parse(role.TemplateBody!).Resources.DeployRole.Properties.AssumeRolePolicyDocument;
    expect(trust.Statement[0].Principal.AWS).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${HOME}:root` });
    // at home, the platform stack keeps its ECR repository, whose policy lets 222222222222 pull
    const platform = JSON.parse((await home.cfn.send(new home.sdk.cfn.GetTemplateCommand({ StackName: PLATFORM_STACK }))).TemplateBody!);
    const repo = Object.values(platform.Resources as Record<string, any>).find((x) => x.Type === 'AWS::ECR::Repository');
    expect(repo.Properties.RepositoryPolicyText.Statement[0].Principal.AWS).toEqual([{ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${PROD}:root` }]);
    expect(platform.Outputs.DeployRoleArn).toBeUndefined();
    // the bucket lets 222222222222 read the templates (CloudFormation there reads them by URL)
    const policy = JSON.parse((await home.s3.send(new home.sdk.s3.GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    expect(policy.Statement.find((s: any) => s.Sid === 'EnvironmentAccountsReadTemplates')).toMatchObject({ Principal: { AWS: [`arn:aws:iam::${PROD}:root`] }, Action: 's3:GetObject' });
  });

  test('2. env create: staging at home, production in 222222222222 (us-west-2), each only there', async () => {
    ok(await run(['env', 'create', 'staging']));
    ok(await run(['env', 'create', 'production']));
    expect(await stackOf(home, `${PLATFORM}-staging`)).not.toBeNull();
    expect(await stackOf(prod, `${PLATFORM}-production`)).not.toBeNull();
    expect(await stackOf(home, `${PLATFORM}-production`)).toBeNull();
    expect(await stackOf(prod, `${PLATFORM}-staging`)).toBeNull();
    // env list reads each environment where it lives
    const list = await run(['env', 'list', '--json']);
    ok(list);
    expect(list.json().environments).toEqual([
      expect.objectContaining({ env: 'staging', status: 'CREATE_COMPLETE' }),
      expect.objectContaining({ env: 'production', status: 'CREATE_COMPLETE', account: PROD, region: PROD_REGION }),
    ]);
    // the production env stack ran as the service role of its own account
    expect((await stackOf(prod, `${PLATFORM}-production`))?.RoleARN).toBe(`arn:aws:iam::${PROD}:role${iamPath(PLATFORM)}${cfnServiceRole(PLATFORM)}`);
  });

  test('3. deploy to staging, set a secret in production, promote: the app stack, secret and log group are in 222222222222', async () => {
    digest = await push('1.0', 'layer-1.0');
    const s = await run(['deploy', `${REPO}:1.0`, 'shop', 'staging', '--json']);
    ok(s);
    expect(s.json().release).toMatchObject({ imageDigest: digest, outcome: 'succeeded' });
    ok(await run(['secrets', 'set', 'shop', 'production', 'API_KEY', '--no-deploy'], 'prod-secret-value\n'));
    const p = await run(['promote', 'shop', 'staging', 'production', '--json']);
    ok(p);
    expect(p.json().promotedFrom).toEqual({ env: 'staging', release: 1, image: `${REPO}@${digest}` });
    // AWS side, with each account's credentials
    expect(await stackParam(prod, `${PLATFORM}-production-shop`, 'Image')).toBe(`${REPO}@${digest}`);
    expect(await stackOf(home, `${PLATFORM}-production-shop`)).toBeNull();
    expect(await stackParam(home, `${PLATFORM}-staging-shop`, 'Image')).toBe(`${REPO}@${digest}`);
    const prodSecrets = await secretNames(prod);
    expect(prodSecrets.filter((n) => n.startsWith(`cyclops/${PLATFORM}/production/`) && n.endsWith('API_KEY'))).toHaveLength(1);
    expect((await secretNames(home)).filter((n) => n.startsWith(`cyclops/${PLATFORM}/production/`))).toEqual([]);
    expect((await logGroupNames(prod, `/cyclops/${PLATFORM}/production/shop`)).length).toBeGreaterThan(0);
    expect(await logGroupNames(home, `/cyclops/${PLATFORM}/production/shop`)).toEqual([]);
    // the store stays home: production's release log is in the home bucket, and records the promotion
    expect((await keys('releases/production/shop/')).length).toBeGreaterThan(0);
    const list = await run(['releases', 'shop', 'production']);
    ok(list);
    expect(list.stdout).toContain('Promote from staging 1 (shop@sha256:');
  });

  test('4. credentials of the wrong account: exit 2 naming both accounts, nothing written', async () => {
    // production said to be in 333333333333 with a profile whose keys act in the home account
    const profiles = path.join(dir, 'credentials');
    writeFileSync(profiles, '[plain]\naws_access_key_id = test\naws_secret_access_key = test\n');
    write({ ...raw, environments: { ...raw.environments, production: { ...raw.environments.production, aws: { account: '333333333333', region: PROD_REGION, profile: 'plain' } } } });
    const releases = await keys('releases/production/shop/');
    const locks = await keys('locks/');
    const before = (await stackOf(prod, `${PLATFORM}-production-shop`))?.LastUpdatedTime;
    const r = await runCli(['deploy', `${REPO}:1.0`, 'shop', 'production'], { cwd: dir, env: { ...env(), AWS_SHARED_CREDENTIALS_FILE: profiles, AWS_CONFIG_FILE: path.join(dir, 'none') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(`environment production: the credentials act in account ${HOME}, but environments.production.aws.account is 333333333333; nothing was written`);
    expect(await keys('releases/production/shop/')).toEqual(releases);
    expect(await keys('locks/')).toEqual(locks);
    expect((await stackOf(prod, `${PLATFORM}-production-shop`))?.LastUpdatedTime).toEqual(before);
    write(raw);
  });
});

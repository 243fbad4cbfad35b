/**
 * An environment in the platform's own account but another region (`environments.<env>.aws:
 * {region}`, no account, no role): the home credentials, in us-west-2, while the platform
 * (bucket, platform stack, ECR) is in the default region. IAM is global, so the platform stack's
 * CloudFormation service role serves the stacks of us-west-2; the env and app stacks, the secret
 * and the log group are in us-west-2 (DescribeStacks and the rest in that region); the config
 * bucket and the release log stay home. bootstrap --env refuses it (nothing to prepare).
 */
import { cfnServiceRole, iamPath } from '../../src/naming';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { pushImage } from '../support/images';
import { logGroupNames, secretNames, stackOf, stackParam } from '../support/aws-reads';
import { writeTwoEnvConfig } from '../support/moto-app';

const PLATFORM = 'xreg';
const BUCKET = 'xreg-e2e-config';
const HOME = '123456789012';
const WEST = 'us-west-2';
const REPO = `${HOME}.dkr.ecr.${TEST_REGION}.amazonaws.com/${PLATFORM}/shop`;
const SERVICE_ROLE = `arn:aws:iam::${HOME}:role${iamPath(PLATFORM)}${cfnServiceRole(PLATFORM)}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-xreg-'));
let home: Aws;
let west: Aws;

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const run = (args: string[], input?: string): Promise<CliResult> => runCli(args, { cwd: dir, env: env(), input });
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });

const keys = async (prefix: string) => ((await home.s3.send(new home.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

beforeAll(async () => {
  setTestCredentials();
  home = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  west = await connect({ region: WEST, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  await writeTwoEnvConfig(home, dir, { platform: PLATFORM, bucket: BUCKET, domain: 'xreg.dev', range: [26000, 26999], production: { aws: { region: WEST } } });
}, 60_000);

afterAll(() => {
  for (const aws of [home, west]) for (const c of [aws.s3, aws.cfn, aws.ecr, aws.route53, aws.secrets, aws.logs]) c.destroy();
});

describe('an environment in the platform account, another region', () => {
  test('bootstrap at home; bootstrap --env production says there is nothing to prepare (exit 2), and makes nothing in us-west-2', async () => {
    ok(await run(['bootstrap']));
    expect((await stackOf(home, `${PLATFORM}-platform`))?.Outputs?.find((o) => o.OutputKey === 'ServiceRoleArn')?.OutputValue).toBe(SERVICE_ROLE);
    const r = await run(['bootstrap', '--env', 'production']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`bootstrap --env production: environment production is in the platform's own account ${HOME} (${WEST}); IAM is global`);
    expect(await stackOf(west, `${PLATFORM}-platform`)).toBeNull();
  });

  test('env create production: the env stack is in us-west-2, run as the home platform stack\'s service role', async () => {
    ok(await run(['env', 'create', 'staging']));
    ok(await run(['env', 'create', 'production']));
    const there = await stackOf(west, `${PLATFORM}-production`);
    expect(there?.StackStatus).toBe('CREATE_COMPLETE');
    expect(there?.RoleARN).toBe(SERVICE_ROLE);
    expect(await stackOf(home, `${PLATFORM}-production`)).toBeNull();
    expect((await stackOf(home, `${PLATFORM}-staging`))?.RoleARN).toBe(SERVICE_ROLE);
    const list = await run(['env', 'list', '--json']);
    ok(list);
    expect(list.json().environments).toContainEqual(expect.objectContaining({ env: 'production', status: 'CREATE_COMPLETE', region: WEST }));
  });

  test('deploy to staging, a secret in production, promote: the app stack, secret and log group in us-west-2; the release log at home', async () => {
    const digest = await pushImage(home, `${PLATFORM}/shop`, '1.0', 'xreg-layer-1.0');
    ok(await run(['deploy', `${REPO}:1.0`, 'shop', 'staging']));
    ok(await run(['secrets', 'set', 'shop', 'production', 'API_KEY', '--no-deploy'], 'west-secret\n'));
    ok(await run(['promote', 'shop', 'staging', 'production']));
    const app = await stackOf(west, `${PLATFORM}-production-shop`);
    expect(app?.StackStatus).toMatch(/_COMPLETE$/);
    expect(app?.RoleARN).toBe(SERVICE_ROLE);
    expect(await stackParam(west, `${PLATFORM}-production-shop`, 'Image')).toBe(`${REPO}@${digest}`);
    expect(await stackOf(home, `${PLATFORM}-production-shop`)).toBeNull();
    expect((await secretNames(west)).filter((n) => n.includes(`${PLATFORM}/production`) && n.endsWith('API_KEY'))).toHaveLength(1);
    expect((await secretNames(home)).filter((n) => n.includes(`${PLATFORM}/production`))).toEqual([]);
    expect((await logGroupNames(west, `/cyclops/${PLATFORM}/production/shop`)).length).toBeGreaterThan(0);
    expect(await logGroupNames(home, `/cyclops/${PLATFORM}/production/shop`)).toEqual([]);
    expect((await keys('releases/production/shop/')).length).toBeGreaterThan(0);
    // a second deploy straight to production updates the stack in us-west-2
    const next = await pushImage(home, `${PLATFORM}/shop`, '1.1', 'xreg-layer-1.1');
    ok(await run(['deploy', `${REPO}:1.1`, 'shop', 'production']));
    expect(await stackParam(west, `${PLATFORM}-production-shop`, 'Image')).toBe(`${REPO}@${next}`);
    const status = await run(['status', 'shop', 'production', '--json']);
    ok(status);
  });
});

/**
 * What cyclops reads about environments that live elsewhere, read where they live (moto, one
 * server): production in account 222222222222 and us-west-2 through its role, west in the home
 * account but us-west-2, staging at home.
 *  - `iam-policy` names each RDS environment's database master secret, read from its env stack
 *    in its own account and region (not looked for at home, where it is not);
 *  - `bootstrap --github` gives the CI role the same secrets;
 *  - `ci show` reads the deploy role `bootstrap --env` made in production's account, and says
 *    what to do while it is missing.
 * The env stacks here are stand-ins made with each account's credentials (moto's CloudFormation
 * has no RDS master secret to output): a stack of the env stack's name whose output is a real
 * Secrets Manager secret of that account and region, the same output the env template gives.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { assumedRole } from '../../src/aws/sts';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';

const PLATFORM = 'xlook';
const BUCKET = 'xlook-e2e-config';
const HOME = '123456789012';
const PROD = '222222222222';
const WEST = 'us-west-2';
const ROLE = `arn:aws:iam::${PROD}:role/cyclops-ci/${PLATFORM}/${PLATFORM}-deploy`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-xlook-'));
let home: Aws;
let homeWest: Aws;
let prod: Aws;
const secret: Record<string, string> = {};

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const run = (args: string[]): Promise<CliResult> => runCli(args, { cwd: dir, env: env() });
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });

/** A stand-in env stack: the env stack's name and its master-secret output, made with `aws`'s credentials in its region. */
async function envStackWithSecret(aws: Aws, env: string): Promise<string> {
  const s = await aws.secrets.send(new aws.sdk.secrets.CreateSecretCommand({ Name: `rds!db-${PLATFORM}-${env}`, SecretString: JSON.stringify({ username: 'postgres', password: 'not-read' }) }));
  const body = { Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } }, Outputs: { DatabaseMasterSecretArn: { Value: s.ARN } } };
  await aws.cfn.send(new aws.sdk.cfn.CreateStackCommand({ StackName: `${PLATFORM}-${env}`, TemplateBody: JSON.stringify(body) }));
  return s.ARN!;
}

beforeAll(async () => {
  setTestCredentials();
  home = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  homeWest = await connect({ region: WEST, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  prod = await connect({ region: WEST, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2, credentials: assumedRole(home, ROLE, 'xlook-test') });
  const rds = { type: 'rds' };
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
      ports: { range: [27000, 27999] },
      environments: {
        staging: { dns: { domain: 'staging.xlook.dev', hostedZoneId: 'Z0000000000001' }, database: rds },
        west: { aws: { region: WEST }, dns: { domain: 'west.xlook.dev', hostedZoneId: 'Z0000000000002' }, database: rds },
        production: { aws: { account: PROD, region: WEST, roleArn: ROLE }, dns: { domain: 'xlook.dev', hostedZoneId: 'Z0000000000003' }, database: rds },
      },
      apps: { shop: { processes: { web: { port: 3000, count: 1 } } } },
    }),
  );
  secret.staging = await envStackWithSecret(home, 'staging');
  secret.west = await envStackWithSecret(homeWest, 'west');
  secret.production = await envStackWithSecret(prod, 'production');
  expect(secret.production).toMatch(`:secretsmanager:${WEST}:${PROD}:`);
  expect(secret.west).toMatch(`:secretsmanager:${WEST}:${HOME}:`);
}, 60_000);

afterAll(() => {
  for (const aws of [home, homeWest, prod]) for (const c of [aws.s3, aws.cfn, aws.secrets, aws.sts]) c.destroy();
});

const policyText = (r: CliResult) => JSON.stringify(r.json().policies);

describe('lookups where each environment lives', () => {
  test('iam-policy: each master secret from its own account and region; no placeholder, no warning', async () => {
    const r = await run(['iam-policy', '--for', 'deploy', '--json']);
    ok(r);
    expect(r.json()).toMatchObject({ account: HOME, accountSource: 'sts' });
    const text = policyText(r);
    for (const e of ['staging', 'west', 'production']) expect(text).toContain(secret[e]);
    expect(text).not.toContain('<MASTER_SECRET_ARN_OF_');
    expect(r.stderr).not.toMatch(/master secret/);
    // west's resources in us-west-2 are in the home account's policy beside the home region's
    expect(text).toContain(`arn:aws:cloudformation:${WEST}:${HOME}:stack/${PLATFORM}-*/*`);
    expect(text).toContain(`arn:aws:cloudformation:${TEST_REGION}:${HOME}:stack/${PLATFORM}-*/*`);
  });

  test('iam-policy: an environment whose account cannot be read gets a placeholder and a warning naming why', async () => {
    // production said to be in 333333333333, reached with a profile whose keys act in the home account: the account guard refuses
    const bad = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    bad.environments.production.aws = { account: '333333333333', region: WEST, profile: 'plain' };
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const profiles = path.join(dir, 'credentials');
    writeFileSync(profiles, '[plain]\naws_access_key_id = test\naws_secret_access_key = test\n');
    const r = await runCli(['iam-policy', '--for', 'deploy', '--config', file, '--json'], { cwd: dir, env: { ...env(), AWS_SHARED_CREDENTIALS_FILE: profiles, AWS_CONFIG_FILE: path.join(dir, 'none') } });
    ok(r);
    expect(policyText(r)).toContain('<MASTER_SECRET_ARN_OF_production>');
    expect(policyText(r)).not.toContain(secret.production);
    for (const e of ['staging', 'west']) expect(policyText(r)).toContain(secret[e]);
    expect(r.stderr).toContain(`could not read environment production's database master secret where it lives (environment production: the credentials act in account ${HOME}, but environments.production.aws.account is 333333333333`);
  });

  test('bootstrap --github: the CI role names the three secrets; ci show says production has no deploy role yet', async () => {
    ok(await run(['bootstrap', '--github', 'acme/shop']));
    const template = (await home.cfn.send(new home.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-platform` }))).TemplateBody!;
    for (const e of ['staging', 'west', 'production']) expect(template).toContain(secret[e]);
    const r = await run(['ci', 'show', '--json']);
    ok(r);
    expect(r.json().environments).toEqual([
      { env: 'production', account: PROD, region: WEST, roleArn: ROLE, deployRoleArn: null, problem: `no deploy role in account ${PROD} (${WEST}) yet: run "cyclops bootstrap --env production"` },
    ]);
    const human = await run(['ci', 'show']);
    expect(human.stdout).toContain(`  production: account ${PROD} (${WEST}), role -\n    no deploy role in account ${PROD} (${WEST}) yet: run "cyclops bootstrap --env production"`);
  });

  test('after bootstrap --env production, ci show reads its deploy role in 222222222222 (us-west-2)', async () => {
    ok(await run(['bootstrap', '--env', 'production']));
    const r = await run(['ci', 'show', '--json']);
    ok(r);
    expect(r.json().environments).toEqual([{ env: 'production', account: PROD, region: WEST, roleArn: ROLE, deployRoleArn: ROLE, problem: null }]);
    expect(r.stderr).toBe('');
    // the deploy role there names production's own master secret
    const there = (await prod.cfn.send(new prod.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-platform` }))).TemplateBody!;
    expect(there).toContain(secret.production);
    const human = await run(['ci', 'show']);
    expect(human.stdout).toContain(`  production: account ${PROD} (${WEST}), role ${ROLE}`);
  });
});

/**
 * `cyclops db` end to end: the built binary, an external database config pointing at the test
 * PostgreSQL (admin password from an environment variable), secrets in moto. Everything the
 * commands print (stdout, and stderr with --verbose), every object in the test bucket and the
 * rendered app template are searched for the generated passwords.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { dbSecretName } from '../../src/naming';
import { renderApp } from '../../src/plan';
import { cyclops, type CliResult } from '../support/cli';
import { motoAws, TEST_REGION } from '../support/store-env';
import { ADMIN_ENV, adminQuery, connectAs, dbConfig, externalDb, rawDbConfig } from './db-support';

const PLATFORM = 'dbcli';
const BUCKET = `${PLATFORM}-bucket`;
const APPS = { cshop: { processes: { web: { port: 3000 } } }, cnodb: { database: false } };
let aws: Aws;
let cwd: string;
const outputs: string[] = [];
const passwords = new Set<string>();

const env = () => ({
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: TEST_REGION,
  AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT,
  AWS_EC2_METADATA_DISABLED: 'true',
  [ADMIN_ENV]: process.env.PG_ADMIN_PASSWORD,
});

async function run(...args: string[]): Promise<CliResult> {
  const r = await cyclops(args, { cwd, env: env() });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function rememberPasswords(): Promise<void> {
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    const out = await aws.secrets
      .send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: dbSecretName(PLATFORM, 'staging', 'cshop'), VersionStage: stage }))
      .catch(() => undefined);
    if (out?.SecretString) passwords.add(JSON.parse(out.SecretString).password);
  }
}

beforeAll(async () => {
  aws = await motoAws();
  await aws.s3.send(new aws.sdk.s3.CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
  cwd = mkdtempSync(path.join(os.tmpdir(), 'cyclops-db-'));
  writeFileSync(path.join(cwd, 'config.json'), JSON.stringify(rawDbConfig(PLATFORM, externalDb(), APPS), null, 2));
});

test('db ensure --json: one document; the second run reports exists', async () => {
  const first = await run('db', 'ensure', 'cshop', 'staging', '--json', '--verbose');
  expect(first.code).toBe(0);
  expect(first.json()).toMatchObject({ ok: true, app: 'cshop', env: 'staging', dbname: 'app_cshop', username: 'app_cshop', database: 'created', role: 'created', secret: 'created' });
  expect(first.stderr).toMatch(/ensure database app_cshop on 127\.0\.0\.1:\d+ \(direct runner\)/);
  expect(first.stderr).toMatch(/aws SecretsManager\.CreateSecret ok/); // --verbose was on
  await rememberPasswords();
  const second = await run('db', 'ensure', 'cshop', 'staging', '--json', '--verbose');
  expect(second.code).toBe(0);
  expect(second.json()).toEqual({ ...first.json(), database: 'exists', role: 'exists', secret: 'exists' });
});

test('db info shows host, database, user and secret ARN, never the password', async () => {
  const r = await run('db', 'info', 'cshop', 'staging', '--json', '--verbose');
  expect(r.code).toBe(0);
  expect(Object.keys(r.json()).sort()).toEqual(['app', 'dbname', 'env', 'host', 'ok', 'port', 'secretArn', 'username']);
  expect(r.json().secretArn).toContain('cyclops/dbcli/staging/cshop/database');
  const human = await run('db', 'info', 'cshop', 'staging');
  expect(human.stdout).toMatch(/^host {6}127\.0\.0\.1:\d+\ndatabase  app_cshop\nuser {6}app_cshop\nsecret {4}arn:aws:secretsmanager:/);
});

test('db ensure --rotate-password: the new password works and the old one does not', async () => {
  const r = await run('db', 'ensure', 'cshop', 'staging', '--rotate-password', '--verbose');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/user {6}app_cshop \(rotated\)/);
  await rememberPasswords();
  expect(passwords.size).toBe(2);
  const [old, fresh] = [...passwords];
  expect(await connectAs('app_cshop', old, 'app_cshop')).toBeInstanceOf(Error);
  const c = await connectAs('app_cshop', fresh, 'app_cshop');
  if (c instanceof Error) throw c;
  await c.end();
});

test('usage errors exit 2 with one line and touch nothing', async () => {
  const cases: [string[], RegExp][] = [
    [['db', 'ensure', 'Bad_Name', 'staging'], /^error: app "Bad_Name": not a valid app name/],
    [['db', 'ensure', 'cshop', 'nowhere'], /^error: environment "nowhere": not in config.json; use one of: staging/],
    [['db', 'ensure', 'cnodb', 'staging'], /^error: app cnodb: has "database": false in config.json/],
    [['db', 'info', 'cother', 'staging'], /^error: app cother in staging: has no database secret cyclops\/dbcli\/staging\/cother\/database; run "cyclops db ensure cother staging" first/],
    [['db', 'ensure', 'cshop', 'staging', '--runner', 'task'], /^error: environment staging: the task runner cannot read the local variable/],
    [['db', 'drop', 'cshop', 'staging'], /^error: db drop cshop staging: needs confirmation and there is no terminal to ask; pass --yes/],
  ];
  for (const [args, message] of cases) {
    const r = await run(...args);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  }
  expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = 'app_cshop'`)).toHaveLength(1);
  expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = 'app_cnodb'`)).toHaveLength(0);
});

test('an unreachable database exits 1 naming host:port and what to check; --json carries the error', async () => {
  const bad = path.join(cwd, 'bad.json');
  writeFileSync(bad, JSON.stringify(rawDbConfig(PLATFORM, externalDb({ port: 1 }), APPS)));
  const r = await run('--config', bad, 'db', 'ensure', 'cshop', 'staging', '--json');
  expect(r.code).toBe(1);
  expect(r.json()).toMatchObject({ ok: false, error: { code: 'db-unreachable', exitCode: 1 } });
  expect(r.json().error.message).toMatch(/^database 127\.0\.0\.1:1: cannot connect from this machine \(ECONNREFUSED\); check the host and port/);
});

test('no password in output, in the bucket, or in the rendered app template', async () => {
  expect(passwords.size).toBe(2);
  // db commands write no S3 objects today; listing the bucket keeps that true if one ever does.
  const objects = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET }));
  const bodies = await Promise.all(
    (objects.Contents ?? []).map(async (o) => (await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: o.Key }))).Body!.transformToString()),
  );
  const secretArn = (await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: dbSecretName(PLATFORM, 'staging', 'cshop') }))).ARN!;
  const template = JSON.stringify(renderApp(dbConfig(PLATFORM, externalDb(), APPS), 'staging', 'cshop', { port: 20001, databaseSecretArn: secretArn }));
  expect(template).toContain(secretArn); // the app gets its database login by reference
  const everything = [...outputs, ...bodies, template].join('\n');
  expect(outputs.join('').length).toBeGreaterThan(1000);
  for (const pw of passwords) {
    expect(everything.includes(pw)).toBe(false);
    expect(everything.includes(encodeURIComponent(pw))).toBe(false);
  }
});

test('db drop --yes drops database, role and secret; a second drop says there was nothing', async () => {
  const r = await run('db', 'drop', 'cshop', 'staging', '--yes', '--json');
  expect(r.code).toBe(0);
  expect(r.json()).toEqual({ ok: true, app: 'cshop', env: 'staging', dropped: true });
  expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = 'app_cshop'`)).toEqual([]);
  expect(await adminQuery(`SELECT 1 FROM pg_roles WHERE rolname = 'app_cshop'`)).toEqual([]);
  const again = await run('db', 'drop', 'cshop', 'staging', '--yes');
  expect(again.code).toBe(0);
  expect(again.stdout).toBe('cshop in staging had no database; nothing to drop\n');
});

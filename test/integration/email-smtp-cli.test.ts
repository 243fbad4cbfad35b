/**
 * An SMTP app end to end through the CLI against moto: bootstrap, `env create`, the environment's
 * `email` (its SES side made by hand, below), deploy of an app with `email: {smtp: true}`,
 * `email rotate`, destroy. Checked on
 * the AWS side (the IAM user's path and tags, its one key, the secret's keys and the password
 * derived from the key, all gone after destroy), and a leak search: every request the CLI sent
 * (recorded whole by a pass-through recorder in this file, in front of the suite's moto proxy;
 * the suite's own request log keeps no bodies), except the Secrets Manager writes that must carry
 * the password, the CLI's stdout and stderr (`--json`, `--progress json`), every object version
 * in the config bucket and every stack template hold neither a secret access key (read from
 * moto's CreateAccessKey answers) nor an SMTP password.
 *
 * What moto cannot show here: the environment stack with `email` (its CloudFormation lacks the
 * SES types; see emailEnvironmentByHand), a user's permissions boundary as GetUser reports it
 * (see withBoundary), and IAM's evaluation of the user's policy (moto evaluates none).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { smtpPassword } from '../../src/email/smtp-password';
import type { Aws } from '../../src/aws/client';
import { motoAws, TEST_REGION } from '../support/store-env';
import { motoEnv, writeMotoConfig } from '../support/moto-app';
import { runCli } from '../support/run-cli';

const PLATFORM = 'smtpc';
const BUCKET = 'smtpc-config';
const USER = 'smtpc-staging-shop-smtp';
const SECRET = 'cyclops/smtpc/staging/shop/smtp';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-smtp-cli-'));

interface Exchange {
  method: string;
  url: string;
  target: string;
  request: string;
  response: string;
}
const exchanges: Exchange[] = [];
const outputs: string[] = [];
let recorder: http.Server;
let endpoint: string;
let aws: Aws;

/**
 * moto's GetUser leaves out the permissions boundary CreateUser was given, and moto has no
 * PutUserPermissionsBoundary (HTTP 500), so a rerun that checks the user's boundary (rotate) would
 * find none and fail to set it. The recorder adds to GetUser's answer the boundary the recorded
 * CreateUser carried, as IAM's GetUser gives it; the first test checks that CreateUser carried the
 * platform's boundary.
 */
const boundaries = new Map<string, string>();
function withBoundary(request: string, response: Buffer): Buffer {
  const q = new URLSearchParams(request);
  const user = q.get('UserName');
  if (q.get('Action') === 'CreateUser' && user && q.get('PermissionsBoundary')) boundaries.set(user, q.get('PermissionsBoundary')!);
  const text = response.toString('utf8');
  if (q.get('Action') !== 'GetUser' || !user || !boundaries.has(user) || text.includes('<PermissionsBoundary>') || !text.includes('</User>')) return response;
  const xml = `<PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>${boundaries.get(user)}</PermissionsBoundaryArn></PermissionsBoundary>`;
  return Buffer.from(text.replace('</User>', `${xml}</User>`));
}

/** Forwards each request to the suite's moto proxy and keeps its body and the answer's, whole. */
function startRecorder(upstream: URL): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: upstream.host };
      delete headers['accept-encoding']; // answers in clear, to read CreateAccessKey's
      const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (r) => {
        const back: Buffer[] = [];
        r.on('data', (d: Buffer) => back.push(d));
        r.on('end', () => {
          const response = withBoundary(body.toString('utf8'), Buffer.concat(back));
          exchanges.push({ method: req.method!, url: req.url!, target: String(req.headers['x-amz-target'] ?? ''), request: body.toString('utf8'), response: response.toString('utf8') });
          res.writeHead(r.statusCode ?? 502, { ...r.headers, 'content-length': String(response.length) }).end(response);
        });
      });
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      up.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function cli(...args: string[]) {
  const r = await runCli([...args, '--json', '--progress', 'json'], { cwd: dir, env: { ...motoEnv(), AWS_ENDPOINT_URL: endpoint } });
  outputs.push(r.stdout, r.stderr);
  expect({ args, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r;
}

beforeAll(async () => {
  recorder = await startRecorder(new URL(process.env.MOTO_ENDPOINT!));
  endpoint = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  aws = await motoAws();
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: BUCKET,
    domain: 'staging.smtpc.dev',
    range: [27000, 27999],
    staging: { database: { type: 'none' } },
    apps: { shop: { processes: { web: { port: 3000 } }, database: false } }, // email after env create (below)
  });
}, 60_000);

afterAll(async () => {
  await new Promise((r) => recorder?.close(r));
});

/** The secret access keys moto handed out, from CreateAccessKey's answers (IAM's query XML). */
const secretKeys = () =>
  exchanges
    .filter((x) => /(^|&)Action=CreateAccessKey(&|$)/.test(x.request))
    .map((x) => /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(x.response)?.[1])
    .filter((k): k is string => Boolean(k));
const keyIds = async () => ((await aws.iam.send(new aws.sdk.iam.ListAccessKeysCommand({ UserName: USER }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!);
const secretValue = async () => JSON.parse((await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: SECRET }))).SecretString!) as Record<string, string>;
const templates: string[] = [];
const stackTemplates = async () => {
  // every page: the shared moto holds the stacks of every test file
  const stacks: { StackName?: string; StackId?: string }[] = [];
  let next: string | undefined;
  do {
    const page = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ NextToken: next }));
    stacks.push(...(page.Stacks ?? []));
    next = page.NextToken;
  } while (next);
  const mine = stacks.filter((s) => s.StackName!.startsWith(`${PLATFORM}-`));
  for (const s of mine) templates.push((await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: s.StackId! }))).TemplateBody!);
  return mine.map((s) => s.StackName!);
};

/**
 * moto's CloudFormation skips AWS::SES::EmailIdentity (and the configuration set) and then fails
 * the environment stack on the Fn::GetAtt of the identity's DKIM tokens ("Template error:
 * instance of Fn::GetAtt references undefined resource EmailIdentity"). So the environment is
 * created without `email`, and what its stack would give the app is made by hand: the identity
 * and configuration set by SES v2's API, and the two exports the app stack imports from a stack
 * of their own. Then config.json gains `email: true` for the environment, as an `env update`
 * would have applied, and `email: {smtp: true}` for the app (config refuses the app's without the
 * environment's). The environment stack's email resources are proven by the template tests
 * (test/templates, cfn-lint).
 */
async function emailEnvironmentByHand() {
  const domain = 'staging.smtpc.dev';
  const configurationSet = `cyclops-${PLATFORM}-staging`;
  await aws.sesv2.send(new aws.sdk.sesv2.CreateEmailIdentityCommand({ EmailIdentity: domain }));
  await aws.sesv2.send(new aws.sdk.sesv2.CreateConfigurationSetCommand({ ConfigurationSetName: configurationSet }));
  const output = (name: string, value: string) => ({ Value: value, Export: { Name: `${PLATFORM}-staging:${name}` } });
  await aws.cfn.send(
    new aws.sdk.cfn.CreateStackCommand({
      StackName: 'smtp-cli-email-exports',
      TemplateBody: JSON.stringify({
        Resources: { Placeholder: { Type: 'AWS::SNS::Topic', Properties: {} } },
        Outputs: { EmailDomain: output('EmailDomain', domain), EmailConfigurationSet: output('EmailConfigurationSet', configurationSet) },
      }),
    }),
  );
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.environments.staging.email = true;
  config.apps.shop.email = { smtp: true };
  writeFileSync(file, JSON.stringify(config));
}

test('bootstrap, env create, deploy: the user, one key, the secret with the derived password', async () => {
  await cli('bootstrap');
  await cli('env', 'create', 'staging');
  await emailEnvironmentByHand();
  await cli('deploy', 'registry.example.com/shop:1.0', 'shop', 'staging');

  const user = (await aws.iam.send(new aws.sdk.iam.GetUserCommand({ UserName: USER }))).User!;
  expect(user.Path).toBe(`/cyclops/${PLATFORM}/`);
  expect(user.Tags).toEqual(expect.arrayContaining([{ Key: 'cyclops:platform', Value: PLATFORM }, { Key: 'cyclops:env', Value: 'staging' }, { Key: 'cyclops:app', Value: 'shop' }]));
  expect(boundaries.get(USER)).toBe(`arn:aws:iam::${(await aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({}))).Account}:policy/cyclops/${PLATFORM}/${PLATFORM}-boundary`);
  const [key] = secretKeys();
  expect(secretKeys()).toHaveLength(1);
  const ids = await keyIds();
  expect(ids).toHaveLength(1);
  const value = await secretValue();
  expect(Object.keys(value).sort()).toEqual(['password', 'username']);
  expect(value).toEqual({ username: ids[0], password: smtpPassword(key, TEST_REGION) });
  // the app stack takes both from the secret
  const app = (await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-staging-shop` }))).TemplateBody!;
  expect(app).toContain('SMTP_PASSWORD');
  expect(app).toContain('SMTP_USERNAME');
}, 60_000);

test('email rotate: a new key in the secret, the old one deleted', async () => {
  const before = await keyIds();
  const out = (await cli('email', 'rotate', 'shop', 'staging')).json();
  const keys = secretKeys();
  expect(keys).toHaveLength(2);
  const after = await keyIds();
  expect(after).toHaveLength(1);
  expect(after[0]).not.toBe(before[0]);
  expect(out).toMatchObject({ accessKeyId: after[0], retired: before, restarted: [expect.stringContaining('web')] });
  expect(await secretValue()).toEqual({ username: after[0], password: smtpPassword(keys[1], TEST_REGION) });
  // the templates of every stack while the app stands
  expect((await stackTemplates()).sort()).toEqual([`${PLATFORM}-platform`, `${PLATFORM}-staging`, `${PLATFORM}-staging-shop`].sort());
}, 60_000);

test('destroy: the user, its keys and the secret gone', async () => {
  await cli('destroy', 'shop', 'staging', '--yes');
  await expect(aws.iam.send(new aws.sdk.iam.GetUserCommand({ UserName: USER }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  await expect(aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: SECRET }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
}, 60_000);

test('leak search: no request but the secret writes, no output, no bucket object, no template holds a secret key or a password', async () => {
  const keys = secretKeys();
  expect(keys).toHaveLength(2);
  const needles = keys.flatMap((k) => [k, smtpPassword(k, TEST_REGION)]);
  // the secret writes: the only requests that may carry a password (never the secret key)
  const secretWrite = (x: Exchange) => /^secretsmanager\.(CreateSecret|PutSecretValue)$/.test(x.target);
  const writes = exchanges.filter(secretWrite);
  expect(writes.length).toBeGreaterThanOrEqual(2);
  const haystacks: [string, string][] = [];
  for (const x of exchanges) {
    haystacks.push([`${x.method} ${x.url} (url)`, x.url]);
    haystacks.push([`${x.method} ${x.url} ${x.target}`, secretWrite(x) ? x.request.split(smtpPassword(keys[0], TEST_REGION)).join('').split(smtpPassword(keys[1], TEST_REGION)).join('') : x.request]);
  }
  outputs.forEach((o, i) => haystacks.push([`cli output ${i}`, o]));
  const versions = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: BUCKET }));
  const objects = (versions.Versions ?? []).map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
  expect(objects.length).toBeGreaterThan(0);
  for (const o of objects) {
    const body = await (await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: o.Key, VersionId: o.VersionId }))).Body!.transformToString();
    haystacks.push([`s3://${BUCKET}/${o.Key}?versionId=${o.VersionId}`, body]);
  }
  await stackTemplates(); // the stacks left after destroy
  templates.forEach((t, i) => haystacks.push([`template ${i}`, t]));
  // the search sees what it searches: the recorder has CreateAccessKey's answer and the secret writes
  expect(exchanges.some((x) => needles.some((n) => x.response.includes(n)))).toBe(true);
  expect(writes.some((x) => x.request.includes(needles[1]))).toBe(true);
  const leaks = haystacks.filter(([, text]) => needles.some((n) => text.includes(n) || text.includes(encodeURIComponent(n)))).map(([where]) => where);
  expect(leaks).toEqual([]);
});

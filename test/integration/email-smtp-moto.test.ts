/**
 * The SMTP user's AWS side against moto (IAM users and access keys, Secrets Manager), through the
 * live binding (src/ops/live-email.ts): the user's path, tags and policy, one key, the
 * secret's keys, a rotation, and deletion. A leak search covers every event: neither the secret
 * access key (read back from moto's CreateAccessKey answer through the binding) nor the password
 * appears in any of them.
 *
 * Not here: the full deploy of an SMTP app on moto (moto's CloudFormation lacks the SES types of
 * the environment stack); the order of deploy's steps is proven over the fakes in
 * test/unit/email-smtp-user.test.ts.
 */
import { EventLog } from '../../src/events';
import { liveEmail } from '../../src/ops/live-email';
import { ensureSmtp, removeSmtp, rotateSmtp } from '../../src/email/smtp-user';
import { smtpPassword } from '../../src/email/smtp-password';
import { parseConfig } from '../../src/config/load';
import type { Ops } from '../../src/ops/context';
import type { Aws } from '../../src/aws/client';
import { motoAws, TEST_REGION } from '../support/store-env';

const PLATFORM = 'smtpm';
const t = { platform: PLATFORM, env: 'staging', app: 'shop' };
const USER = 'smtpm-staging-shop-smtp';
const SECRET = 'cyclops/smtpm/staging/shop/smtp';
let aws: Aws;
let ops: Ops;
const events = new EventLog();
const secretKeys: string[] = [];

beforeAll(async () => {
  aws = await motoAws();
  const config = parseConfig(
    {
      platform: { name: PLATFORM, region: TEST_REGION, bucket: 'smtpm-config' },
      environments: { staging: { dns: { domain: 'staging.smtpm.dev', hostedZoneId: 'Z1' }, database: { type: 'none' }, email: true } },
      apps: { shop: { processes: { web: { port: 3000 } }, database: false, email: { smtp: true } } },
    },
    'config.json',
  );
  // the platform's boundary, as the platform stack makes it
  await aws.iam.send(new aws.sdk.iam.CreatePolicyCommand({ PolicyName: `${PLATFORM}-boundary`, Path: `/cyclops/${PLATFORM}/`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: '*' }] }) }));
  const email = liveEmail(aws);
  // record each secret access key moto hands out, to search for it afterwards
  const createKey = email.createKey;
  email.createKey = async (name) => {
    const k = await createKey(name);
    secretKeys.push(k.secret);
    return { ...k };
  };
  // moto's GetUser leaves out PermissionsBoundary and moto has no PutUserPermissionsBoundary: the
  // binding reports the boundary CreateUser was given, as IAM's GetUser would. That CreateUser
  // carries the boundary is what the unit fakes check (test/unit/email-smtp-user.test.ts).
  const createUser = email.createUser;
  const boundaries = new Map<string, string>();
  email.createUser = async (u) => {
    boundaries.set(u.name, u.boundary);
    return createUser(u);
  };
  const getUser = email.user;
  email.user = async (name) => {
    const u = await getUser(name);
    return u && !u.boundary && boundaries.has(name) ? { ...u, boundary: boundaries.get(name)! } : u;
  };
  ops = { config, email, events, identity: { account: async () => (await import('../../src/aws/sts')).callerAccount(aws) } } as unknown as Ops;
}, 60_000);

const secretValue = async (stage?: string) => {
  const out = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: SECRET, ...(stage ? { VersionStage: stage } : {}) }));
  return JSON.parse(out.SecretString!) as Record<string, string>;
};
const keyIds = async () => ((await aws.iam.send(new aws.sdk.iam.ListAccessKeysCommand({ UserName: USER }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId);

test('ensure: the user under the path with its tags and its one policy, one key, the secret with username and the derived password', async () => {
  const r = await ensureSmtp(ops, t);
  const account = (await aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({}))).Account!;
  const user = (await aws.iam.send(new aws.sdk.iam.GetUserCommand({ UserName: USER }))).User!;
  expect(user.Path).toBe(`/cyclops/${PLATFORM}/`);
  expect(user.Tags).toEqual(expect.arrayContaining([{ Key: 'cyclops:platform', Value: PLATFORM }, { Key: 'cyclops:app', Value: 'shop' }]));
  const policy = await aws.iam.send(new aws.sdk.iam.GetUserPolicyCommand({ UserName: USER, PolicyName: 'send-raw-email' }));
  expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement[0]).toMatchObject({ Action: 'ses:SendRawEmail', Resource: [`arn:aws:ses:${TEST_REGION}:${account}:identity/staging.smtpm.dev`, `arn:aws:ses:${TEST_REGION}:${account}:configuration-set/cyclops-smtpm-staging`] });
  expect(await keyIds()).toEqual([r.accessKeyId]);
  const value = await secretValue();
  expect(Object.keys(value).sort()).toEqual(['password', 'username']);
  expect(value).toEqual({ username: r.accessKeyId, password: smtpPassword(secretKeys[0], TEST_REGION) });
  // again: nothing new
  expect((await ensureSmtp(ops, t)).key).toBe('exists');
  expect(await keyIds()).toEqual([r.accessKeyId]);
});

test('rotate: a new key stored, then the old one deleted; one key left', async () => {
  const before = (await secretValue()).username;
  const restarted: string[] = [];
  const r = await rotateSmtp(ops, t, async () => {
    // while the services restart, both keys exist and the secret already holds the new one
    expect((await keyIds()).sort()).toEqual([before, (await secretValue()).username].sort());
    restarted.push('web');
    return restarted;
  });
  expect(r.retired).toEqual([before]);
  expect(await keyIds()).toEqual([r.accessKeyId]);
  expect((await secretValue()).username).toBe(r.accessKeyId);
  expect((await secretValue('AWSPREVIOUS')).username).toBe(before);
});

test('remove: keys, user and secret gone', async () => {
  const r = await removeSmtp(ops, t);
  expect(r).toEqual({ user: USER, deleted: true, keys: 1, secret: 'deleted' });
  await expect(aws.iam.send(new aws.sdk.iam.GetUserCommand({ UserName: USER }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  await expect(aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: SECRET }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('leak search: no event holds a secret access key or a password', () => {
  expect(secretKeys.length).toBe(2);
  const said = JSON.stringify(events.events);
  expect(said).toContain(USER); // the events were recorded
  for (const k of secretKeys) {
    expect(said).not.toContain(k);
    expect(said).not.toContain(smtpPassword(k, TEST_REGION));
  }
});

/** `cyclops iam-policy`: valid IAM documents, scoped to the platform; the account from --account, or placeholders offline. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/run-cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-iam-'));
writeFileSync(
  path.join(dir, 'config.json'),
  JSON.stringify({
    platform: { name: 'acme', region: 'eu-west-1', bucket: 'acme-config' },
    ports: { range: [20000, 20009] },
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } } },
    apps: { web: {} },
  }),
);
const cli = (...args: string[]) => runCli(args, { cwd: dir });

type Doc = { Version: string; Statement: { Sid: string; Effect: string; Action: string[]; Resource: string[]; Condition?: Record<string, Record<string, unknown>> }[] };

function checkStructure(doc: Doc) {
  expect(Object.keys(doc).sort()).toEqual(['Statement', 'Version']);
  expect(doc.Version).toBe('2012-10-17');
  const sids = doc.Statement.map((s) => s.Sid);
  expect(new Set(sids).size).toBe(sids.length);
  for (const s of doc.Statement) {
    expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(['Allow', 'Deny']).toContain(s.Effect);
    expect(s.Action.length).toBeGreaterThan(0);
    for (const a of s.Action) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9*]+$/);
    for (const r of s.Resource) expect(r === '*' || /^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|<ACCOUNT_ID>)?:.+/.test(r)).toBe(true);
    for (const [op, kv] of Object.entries(s.Condition ?? {})) {
      expect(op).toMatch(/^(StringEquals|ArnLike|ArnEquals|StringLike)$/);
      expect(Object.keys(kv).length).toBeGreaterThan(0);
    }
  }
  expect(JSON.stringify(doc).replace(/\s+/g, '').length).toBeLessThanOrEqual(6144); // a managed policy's limit
}

describe('cyclops iam-policy', () => {
  test.each(['admin', 'deploy', 'read'])('--for %s prints a valid IAM policy document scoped to the platform', async (level) => {
    const r = await cli('iam-policy', '--for', level, '--account', '123456789012');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    checkStructure(doc);
    const resources = doc.Statement.flatMap((s) => s.Resource);
    expect(resources).toContain('arn:aws:s3:::acme-config');
    expect(resources).toContain('arn:aws:cloudformation:eu-west-1:123456789012:stack/acme-*/*');
    expect(resources.filter((x) => x.includes('secretsmanager')).every((x) => /secret:(cyclops\/|rds!)/.test(x))).toBe(true);
  });

  test('PassRole only for the service role and the app roles, each to its service', async () => {
    const doc = JSON.parse((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout) as Doc;
    const pass = doc.Statement.filter((s) => s.Action.includes('iam:PassRole'));
    expect(pass.map((s) => [s.Resource, s.Condition])).toEqual([
      [['arn:aws:iam::123456789012:role/acme-cloudformation'], { StringEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } }],
      [['arn:aws:iam::123456789012:role/cyclops/acme/*'], { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } }],
    ]);
    for (const s of pass) expect(s.Action).toEqual(['iam:PassRole']);
    // no iam:* on any other role: the platform's path (never acme-eu's), and passing its own service role to CloudFormation
    const iam = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith('iam:')));
    expect(iam.flatMap((s) => s.Resource).filter((r) => !r.startsWith('arn:aws:iam::123456789012:role/cyclops/acme/') && r !== 'arn:aws:iam::123456789012:role/acme-cloudformation')).toEqual([]);
  });

  test('deploy writes only app-level keys of the bucket; admin writes all of it and creates the service role', async () => {
    const deploy = JSON.parse((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout) as Doc;
    const put = deploy.Statement.find((s) => s.Action.includes('s3:PutObject'))!;
    expect(put.Resource).toEqual(['templates/app/*', 'locks/*/*', 'releases/*/*', 'vars/*/*', 'ports.json', 'ports-requests/*/*'].map((k) => `arn:aws:s3:::acme-config/${k}`));
    expect(deploy.Statement.flatMap((s) => s.Action)).not.toContain('iam:CreateRole');
    const admin = JSON.parse((await cli('iam-policy', '--for', 'admin', '--account', '123456789012')).stdout) as Doc;
    const create = admin.Statement.find((s) => s.Action.includes('iam:CreateRole'))!;
    // the service role and the CI deploy roles (bootstrap --github, under /cyclops-ci/acme/), nothing else
    expect(create.Resource).toEqual(['arn:aws:iam::123456789012:role/acme-cloudformation', 'arn:aws:iam::123456789012:role/cyclops-ci/acme/*', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com']);
    expect(admin.Statement.find((s) => s.Action.includes('ecr:CreateRepository'))!.Resource).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/acme/*']);
    // no level may create VPCs or databases itself: the service role does
    // (ec2:DeleteNetworkInterface only because DeleteMountTarget deletes its interface with the caller's permissions)
    for (const doc of [admin, deploy]) expect(doc.Statement.flatMap((s) => s.Action).filter((a) => /^(ec2|rds|elasticache):/.test(a))).toEqual(['ec2:DeleteNetworkInterface']);
    // EFS deletes only of this platform's file systems; database secrets named exactly, never every "rds!" secret
    const efs = deploy.Statement.find((s) => s.Action.includes('elasticfilesystem:DeleteFileSystem'))!;
    expect(efs.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cyclops:platform': 'acme' } });
    expect(deploy.Statement.flatMap((s) => s.Resource).filter((r) => r.includes('rds!'))).toEqual([]);
    // secrets: the platform's namespace; cyclops/* (kept before the namespace) only with this platform's tag,
    // but for DescribeSecret (metadata: the lookup of a legacy name that does not exist has no tag to match)
    const putSecret = deploy.Statement.find((s) => s.Action.includes('secretsmanager:PutSecretValue'))!;
    expect(putSecret.Resource).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/*']);
    const anyCyclops = deploy.Statement.filter((x) => x.Resource.includes('arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/*'));
    expect(anyCyclops.map((s) => [s.Action, s.Condition])).toEqual([
      [['secretsmanager:DeleteSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:RestoreSecret'], { StringEquals: { 'aws:ResourceTag/cyclops:platform': 'acme' } }],
      [['secretsmanager:DescribeSecret'], undefined],
    ]);
    // no statement without resources (IAM refuses the document)
    for (const doc of [admin, deploy]) expect(doc.Statement.filter((s) => s.Resource.length === 0)).toEqual([]);
  });

  test('--offline prints placeholders and says so on stderr; --json wraps the document', async () => {
    const r = await cli('iam-policy', '--for', 'read', '--offline', '--json');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ level: 'read', account: null, accountSource: 'placeholder', region: 'eu-west-1' });
    checkStructure(out.policy);
    expect(JSON.stringify(out.policy)).toContain('<ACCOUNT_ID>');
    expect(r.stderr).toMatch(/offline: printing <ACCOUNT_ID> placeholders; pass --account ID/);
  });

  test('bad input: exit 2 with one line naming the option', async () => {
    const level = await cli('iam-policy', '--for', 'root', '--offline');
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--for root: not a policy level; use one of: admin, deploy, read/);
    const account = await cli('iam-policy', '--account', '12345');
    expect(account.code).toBe(2);
    expect(account.stderr).toMatch(/--account 12345: not an AWS account id/);
  });
});

test('the deploy policy may write every object a deploy, vars, secrets, scale or rollback writes in the config bucket', async () => {
  const { lockKey, PORTS_KEY, releaseRecordKey, releasePointerKey, settingsKey, templateKey } = await import('../../src/naming');
  const doc = JSON.parse((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout) as Doc;
  const writes = doc.Statement.filter((s) => s.Action.includes('s3:PutObject')).flatMap((s) => s.Resource);
  // IAM resource wildcards: * matches any run of characters, "/" included.
  const allows = (arn: string) => writes.some((w) => new RegExp(`^${w.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`).test(arn));
  const bucket = 'arn:aws:s3:::acme-config';
  const keys = [
    lockKey('staging', 'web'),
    releaseRecordKey('staging', 'web', 7),
    releasePointerKey('staging', 'web'),
    settingsKey('staging', 'web'),
    templateKey('app', 'a'.repeat(64), { platform: 'acme', env: 'staging', app: 'web' }),
    PORTS_KEY,
  ];
  expect(keys.filter((k) => !allows(`${bucket}/${k}`))).toEqual([]);
  // and nothing outside what it writes: the platform and cluster templates stay admin's
  expect(allows(`${bucket}/${templateKey('cluster', 'a'.repeat(64), { platform: 'acme', env: 'staging' })}`)).toBe(false);
});

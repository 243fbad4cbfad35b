/** `cyclops iam-policy`: valid IAM documents, scoped to the platform; the account from --account, or placeholders offline. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cfnServiceRole, iamPath } from '../../src/naming';
import { runCli } from '../support/run-cli';

const SERVICE_ROLE = `arn:aws:iam::123456789012:role${iamPath('acme')}${cfnServiceRole('acme')}`;

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
    for (const r of s.Resource) expect(r === '*' || /^<MASTER_SECRET_ARN_OF_[a-z0-9-]+>$/.test(r) || /^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|<ACCOUNT_ID>)?:.+/.test(r)).toBe(true);
    for (const [op, kv] of Object.entries(s.Condition ?? {})) {
      expect(op).toMatch(/^(StringEquals|StringNotEquals|ArnLike|ArnEquals|StringLike)(IfExists)?$/);
      expect(Object.keys(kv).length).toBeGreaterThan(0);
    }
  }
  expect(JSON.stringify(doc).replace(/\s+/g, '').length).toBeLessThanOrEqual(6144); // a managed policy's limit
}

/** The level's statements, as one document: stdout is the document, or an array of its parts when it needed several. */
function merged(stdout: string): Doc {
  const out = JSON.parse(stdout) as Doc | Doc[];
  const docs = Array.isArray(out) ? out : [out];
  for (const d of docs) checkStructure(d);
  const Statement = docs.flatMap((d) => d.Statement);
  const sids = Statement.map((s) => s.Sid);
  expect(new Set(sids).size).toBe(sids.length); // the parts never repeat a statement
  return { Version: '2012-10-17', Statement };
}

describe('cyclops iam-policy', () => {
  test.each(['admin', 'deploy', 'read'])('--for %s prints a valid IAM policy document scoped to the platform', async (level) => {
    const r = await cli('iam-policy', '--for', level, '--account', '123456789012');
    expect(r.code).toBe(0);
    const doc = merged(r.stdout);
    const resources = doc.Statement.flatMap((s) => s.Resource);
    expect(resources).toContain('arn:aws:s3:::acme-config');
    expect(resources).toContain('arn:aws:cloudformation:eu-west-1:123456789012:stack/acme-*/*');
    expect(resources.filter((x) => x.includes('secretsmanager')).every((x) => /secret:(cyclops\/|rds!)/.test(x))).toBe(true);
  });

  test('PassRole only for the service role and the app roles, each to its service', async () => {
    const doc = merged((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout);
    const pass = doc.Statement.filter((s) => s.Effect === 'Allow' && s.Action.includes('iam:PassRole'));
    // the service role is under the path the app roles are passed from: passed to CloudFormation only
    expect(doc.Statement.filter((s) => s.Effect === 'Deny').map((s) => [s.Action, s.Resource, s.Condition])).toEqual([
      [['iam:PassRole'], [SERVICE_ROLE], { StringNotEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } }],
    ]);
    expect(pass.map((s) => [s.Resource, s.Condition])).toEqual([
      [[SERVICE_ROLE], { StringEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } }],
      [['arn:aws:iam::123456789012:role/cyclops/acme/*'], { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } }],
    ]);
    for (const s of pass) expect(s.Action).toEqual(['iam:PassRole']);
    // no iam:* on any other role: the platform's path (never acme-eu's; the service role is under it too),
    // and the apps' SMTP users, under the same path (test/unit/iam-role-paths.test.ts checks every level)
    const iam = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith('iam:')));
    const own = (r: string) => r.startsWith('arn:aws:iam::123456789012:role/cyclops/acme/') || r === 'arn:aws:iam::123456789012:user/cyclops/acme/*';
    expect(iam.flatMap((s) => s.Resource).filter((r) => !own(r))).toEqual([]);
  });

  test('deploy --build --remote: deploy may start, read and stop builds of the builder projects only; read may not; admin passes only the builder role to CodeBuild', async () => {
    const deploy = merged((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout);
    const cb = deploy.Statement.filter((s) => s.Action.some((a) => a.startsWith('codebuild:')));
    expect(cb.map((s) => [s.Action, s.Resource])).toEqual([[['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'], ['arn:aws:codebuild:eu-west-1:123456789012:project/acme-builder-*']]]);
    const read = merged((await cli('iam-policy', '--for', 'read', '--account', '123456789012')).stdout);
    expect(read.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('codebuild:'))).toEqual([]);
    const admin = merged((await cli('iam-policy', '--for', 'admin', '--account', '123456789012')).stdout);
    const toCodeBuild = admin.Statement.filter((s) => s.Action.includes('iam:PassRole') && JSON.stringify(s.Condition).includes('codebuild.amazonaws.com'));
    expect(toCodeBuild.map((s) => s.Resource)).toEqual([['arn:aws:iam::123456789012:role/cyclops/acme/acme-builder']]);
    expect(admin.Statement.find((s) => s.Action.includes('codebuild:CreateProject'))!.Resource).toEqual(['arn:aws:codebuild:eu-west-1:123456789012:project/acme-builder-*']);
  });

  test('deploy writes only app-level keys of the bucket; admin writes all of it and creates the service role', async () => {
    const deploy = merged((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout);
    const put = deploy.Statement.find((s) => s.Action.includes('s3:PutObject'))!;
    // builds/*: the build contexts deploy --build --remote uploads
    expect(put.Resource).toEqual(['templates/app/*', 'locks/*/*', 'releases/*/*', 'vars/*/*', 'ports.json', 'ports-requests/*/*', 'builds/*'].map((k) => `arn:aws:s3:::acme-config/${k}`));
    expect(deploy.Statement.flatMap((s) => s.Action)).not.toContain('iam:CreateRole');
    const admin = merged((await cli('iam-policy', '--for', 'admin', '--account', '123456789012')).stdout);
    const create = admin.Statement.find((s) => s.Action.includes('iam:CreateRole'))!;
    // the service role, the remote builder's role (bootstrap --remote-builder) and the CI deploy roles (bootstrap --github, under /cyclops-ci/acme/), nothing else
    expect(create.Resource).toEqual([SERVICE_ROLE, 'arn:aws:iam::123456789012:role/cyclops/acme/acme-builder', 'arn:aws:iam::123456789012:role/cyclops-ci/acme/*', 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com']);
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
    expect(out).toMatchObject({ level: 'read', account: null, accountSource: 'placeholder', region: 'eu-west-1', parts: 1 });
    expect(out.policies).toHaveLength(1);
    checkStructure(out.policies[0]);
    expect(JSON.stringify(out.policies[0])).toContain('<ACCOUNT_ID>');
    expect(r.stderr).toMatch(/offline: printing <ACCOUNT_ID> placeholders; pass --account ID/);
  });

  test('a level longer than one managed policy comes in parts, each under the limit, together the whole level', async () => {
    // config.example.json: four environments with databases; its admin policy is over 6,144 characters in one document
    const big = mkdtempSync(path.join(os.tmpdir(), 'cyclops-iam-big-'));
    copyFileSync(path.join(__dirname, '../../config.example.json'), path.join(big, 'config.json'));
    const { operatorPolicy, whereFor } = await import('../../src/iam/operator');
    const { parseConfig } = await import('../../src/config/load');
    const config = parseConfig(JSON.parse(readFileSync(path.join(big, 'config.json'), 'utf8')), 'config.json');
    const whole = operatorPolicy(config, 'admin', whereFor(config, '123456789012'));
    expect(JSON.stringify(whole).length).toBeGreaterThan(6144); // the case this test is about
    const r = await runCli(['iam-policy', '--for', 'admin', '--account', '123456789012'], { cwd: big });
    expect(r.code).toBe(0);
    const parts = JSON.parse(r.stdout) as Doc[];
    expect(parts.length).toBeGreaterThan(1);
    expect(r.stderr).toMatch(new RegExp(`the admin policy is ${parts.length} managed policies .*--part N.*attach all ${parts.length}`));
    const all = merged(r.stdout);
    // every action on every resource of the whole policy, none trimmed (a statement split by its actions keeps its resources)
    const pairs = (d: Doc) => new Set(d.Statement.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((x) => `${a} ${x} ${JSON.stringify(s.Condition ?? {})}`))));
    expect(pairs(all)).toEqual(pairs(whole as Doc));
    for (const [i, part] of parts.entries()) {
      const one = await runCli(['iam-policy', '--for', 'admin', '--account', '123456789012', '--part', String(i + 1), '--json'], { cwd: big });
      expect(one.code).toBe(0);
      expect(one.json()).toMatchObject({ parts: parts.length, part: i + 1, policies: [part] });
    }
    const over = await runCli(['iam-policy', '--for', 'admin', '--account', '123456789012', '--part', String(parts.length + 1)], { cwd: big });
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(new RegExp(`--part ${parts.length + 1}: the admin policy has ${parts.length} part\\(s\\)`));
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
  const doc = merged((await cli('iam-policy', '--for', 'deploy', '--account', '123456789012')).stdout);
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

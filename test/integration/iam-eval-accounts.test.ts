/**
 * The deploy role of an environment in another account, proven by an IAM evaluator over what a
 * cross-account deploy and promote really ask of AWS.
 *
 * One moto, two accounts (as in cross-account.test.ts): staging lives with the platform
 * (123456789012, eu-west-1), production in 222222222222 (us-west-2), reached through the deploy
 * role `bootstrap --env production` made there. A recording moto proxy (moto-proxy.mjs with
 * CYCLOPS_REQUEST_LOG) sits in front of moto while the platform is set up (admin: bootstrap,
 * bootstrap --env, env create; not evaluated here, iam-eval.test.ts covers admin) and then records
 * every request of: a deploy to staging, a deploy straight to production, a secret set in
 * production, and a promote from staging to production. Each request is placed in the account its
 * credentials act in (moto's GetCallerIdentity for the request's access key id) and mapped to what
 * IAM authorises (test/support/iam-wire.ts). @cloud-copilot/iam-simulate then decides:
 * - a request in 222222222222 with the deploy role's policy as the account stack holds it (GetTemplate
 *   in that account: the managed policies attached to DeployRole, its inline policies and its
 *   boundary, if any, with CloudFormation's pseudo parameters resolved for that account and region);
 * - a request at home with `iam-policy --for deploy` (the home operator's deploy level), and where it
 *   reaches into 222222222222 (sts:AssumeRole of the deploy role) with the role's trust policy from
 *   the same template as the resource policy: both sides of a cross-account call must allow it.
 * sts:GetCallerIdentity (the account guard) needs no permission (src/iam/ops-map.ts ALWAYS_ALLOWED,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html) and is counted apart.
 * Resource tags (aws:ResourceTag) are read from moto in the resource's own account and region.
 * The whole-suite evaluation (test/iam-suite/) leaves requests made in an environment's own account
 * to this file (its "environment-account" rule): only here is the deploy role's policy read from the stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { assumedRole } from '../../src/aws/sts';
import { commandOf } from '../../src/iam/commands';
import { envReadRoleArn, envReadRoleName } from '../../src/naming';
import { ALWAYS_ALLOWED } from '../../src/iam/ops-map';
import { freePort } from '../support/global-setup';
import { decide } from '../support/iam-decide';
import { iamRequestsOf, MOTO_ACCOUNT, type IamRequest, type Lookups, type Recorded } from '../support/iam-wire';
import { pushImage } from '../support/images';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { stackParam } from '../support/aws-reads';
import { writeTwoEnvConfig } from '../support/moto-app';

const PLATFORM = 'xiam';
const BUCKET = 'xiam-e2e-config';
const HOME = MOTO_ACCOUNT;
const PROD = '222222222222';
const PROD_REGION = 'us-west-2';
const ROLE = `arn:aws:iam::${PROD}:role/cyclops-ci/${PLATFORM}/${PLATFORM}-deploy`;
const REPO = `${HOME}.dkr.ecr.${TEST_REGION}.amazonaws.com/${PLATFORM}/shop`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-xiam-'));
/** IAM_EVAL_DEV_LOG=/tmp/x.jsonl keeps the recorded requests there (with the decisions beside them, x.jsonl.decisions.json). */
const LOG = process.env.IAM_EVAL_DEV_LOG || path.join(dir, 'requests.jsonl');
let proxy: ChildProcess;
let endpoint: string;
let home: Aws;
let prod: Aws;

const env = () => ({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const run = (args: string[], input?: string): Promise<CliResult> => runCli(args, { cwd: dir, env: env(), input });
async function step(args: string[], input?: string) {
  const r = await run(args, input);
  expect({ args, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r;
}
const readLog = () => readFileSync(LOG, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded);

beforeAll(async () => {
  setTestCredentials();
  const port = await freePort();
  const direct = new URL(process.env.MOTO_DIRECT_ENDPOINT!).port;
  writeFileSync(LOG, '');
  proxy = spawn(process.execPath, [path.join(__dirname, '../support/moto-proxy.mjs'), direct, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CYCLOPS_REQUEST_LOG: LOG } });
  await new Promise<void>((resolve) => proxy.stdout!.once('data', () => resolve()));
  endpoint = `http://127.0.0.1:${port}`;
  // the test's own reads go through the shared proxy: not recorded
  home = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  prod = await connect({ region: PROD_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2, credentials: assumedRole(home, ROLE, 'xiam-test') });
  const production = { aws: { account: PROD, region: PROD_REGION, roleArn: ROLE } };
  await writeTwoEnvConfig(home, dir, { platform: PLATFORM, bucket: BUCKET, domain: 'xiam.dev', range: [25000, 25999], productionAws: prod, production });
}, 60_000);

afterAll(() => {
  proxy?.kill('SIGTERM');
  for (const aws of [home, prod]) if (aws) for (const c of [aws.s3, aws.cfn, aws.ecr, aws.route53, aws.secrets, aws.logs, aws.sts, aws.ecs, aws.cloudwatch]) c.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** CloudFormation's pseudo parameters in a policy, for the stack's account and region; any other intrinsic is an error. */
function resolved(v: unknown, account: string, region: string): unknown {
  if (Array.isArray(v)) return v.map((x) => resolved(x, account, region));
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('Fn::Sub' in o && typeof o['Fn::Sub'] === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::URLSuffix': 'amazonaws.com' };
    return o['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (!(name in pseudo)) throw new Error(`policy names \${${name}}: not a pseudo parameter`);
      return pseudo[name];
    });
  }
  const intrinsic = Object.keys(o).find((k) => k.startsWith('Fn::') || k === 'Ref');
  if (intrinsic) throw new Error(`policy holds ${intrinsic}: ${JSON.stringify(o)}`);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolved(x, account, region)]));
}

/** A role's identity policies, boundary and trust, as the account stack in 222222222222 holds them (the deploy role unless named). */
async function deployRoleOfStack(name = `${PLATFORM}-deploy`) {
  const body = JSON.parse((await prod.cfn.send(new prod.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-platform` }))).TemplateBody!);
  const resources = body.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  const [logical, role] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === name)!;
  const attached = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && (r.Properties.Roles ?? []).some((x: any) => x?.Ref === logical));
  const inline = (role.Properties.Policies ?? []).map((p: any) => p.PolicyDocument);
  // AWS managed policies by ARN would need their documents: the role has none
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  const boundary = role.Properties.PermissionsBoundary;
  const boundaryDoc = boundary ? Object.values(resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy' && boundary.Ref && resources[boundary.Ref] === r)?.Properties.PolicyDocument : undefined;
  if (boundary) expect(boundaryDoc).toBeDefined();
  const r = (x: unknown) => resolved(x, PROD, PROD_REGION);
  return {
    logical,
    policies: [...attached.map((p) => r(p.Properties.PolicyDocument)), ...inline.map(r)],
    boundary: boundaryDoc ? r(boundaryDoc) : undefined,
    trust: r(role.Properties.AssumeRolePolicyDocument),
  };
}

/** Resource tags and task definition roles, read in the resource's own account and region. */
function lookups(): Lookups {
  const seen = new Map<string, Promise<Record<string, string>>>();
  const regional = new Map<string, Promise<Aws>>();
  const awsOf = (account: string, region: string) => {
    const key = `${account}/${region}`;
    if (!regional.has(key))
      regional.set(key, connect({ region, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2, ...(account === PROD ? { credentials: assumedRole(home, ROLE, 'xiam-lookups') } : {}) }));
    return regional.get(key)!;
  };
  const kv = (list: { Key?: string; Value?: string }[] | undefined) => Object.fromEntries((list ?? []).map((t) => [t.Key!, t.Value!]));
  const resourceTags = async (arn: string): Promise<Record<string, string>> => {
    const [, , service, region, account] = arn.split(':');
    if (!/^\d{12}$/.test(account ?? '')) return {};
    const aws = await awsOf(account, region);
    if (service === 'ecs') {
      const out = await aws.ecs.send(new aws.sdk.ecs.ListTagsForResourceCommand({ resourceArn: arn })).catch(() => null);
      return Object.fromEntries((out?.tags ?? []).map((t) => [t.key!, t.value!]));
    }
    if (service === 'secretsmanager') {
      const id = arn.replace(/-AbCdEf$/, '').replace(/^.*:secret:/, '');
      return kv((await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: arn.endsWith('-AbCdEf') ? id : arn })).catch(() => null))?.Tags);
    }
    if (service === 'cloudformation' && arn.includes(':stack/'))
      return kv((await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: arn.split('/')[1] })).catch(() => null))?.Stacks?.[0]?.Tags);
    if (service === 'cloudwatch') return kv((await aws.cloudwatch.send(new aws.sdk.cloudwatch.ListTagsForResourceCommand({ ResourceARN: arn })).catch(() => null))?.Tags);
    return {};
  };
  return {
    resourceTags: (arn) => {
      if (!seen.has(arn)) seen.set(arn, resourceTags(arn));
      return seen.get(arn)!;
    },
    mountTargetFileSystem: async () => undefined,
    taskDefinitionRoles: async (d) => {
      const [, , , region, account] = d.startsWith('arn:') ? d.split(':') : ['', '', '', TEST_REGION, HOME];
      const aws = await awsOf(account, region);
      const out = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: d }));
      return [out.taskDefinition?.taskRoleArn, out.taskDefinition?.executionRoleArn].filter((x): x is string => !!x);
    },
  };
}

/** The account each access key id acts in, as moto's STS says (moto checks no signature: the key id alone names the credentials). */
async function accountsOf(keys: string[]): Promise<Map<string, string>> {
  return new Map([...(await callersOf(keys))].map(([k, c]) => [k, c.account]));
}

/** Who each access key id is, as moto's STS says: its account and ARN (an assumed role's session names the role). */
async function callersOf(keys: string[]): Promise<Map<string, { account: string; arn: string }>> {
  const out = new Map<string, { account: string; arn: string }>();
  for (const key of keys) {
    const aws = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2, credentials: async () => ({ accessKeyId: key, secretAccessKey: 'unused' }) });
    const who = await aws.sts.send(new aws.sdk.sts.GetCallerIdentityCommand({}));
    out.set(key, { account: who.Account!, arn: who.Arn! });
    aws.sts.destroy();
  }
  return out;
}

describe('the deploy role of an environment in another account, by an IAM evaluator', () => {
  test('every request of a cross-account deploy and promote is allowed: in 222222222222 by the deploy role the account stack made, at home by iam-policy --for deploy', async () => {
    // admin, not evaluated here
    await step(['bootstrap']);
    await step(['bootstrap', '--env', 'production']);
    await step(['env', 'create', 'staging']);
    await step(['env', 'create', 'production']);
    const digest = await pushImage(home, `${PLATFORM}/shop`, '1.0', 'xiam-layer-1.0');
    const started = Date.now();
    writeFileSync(LOG, '');
    // deploy level, recorded
    await step(['deploy', `${REPO}:1.0`, 'shop', 'staging']);
    await step(['deploy', `${REPO}:1.0`, 'shop', 'production']);
    await step(['secrets', 'set', 'shop', 'production', 'API_KEY', '--no-deploy'], 'not-a-real-value\n');
    const promoted = await step(['promote', 'shop', 'staging', 'production', '--json']);
    const commandsMs = Date.now() - started;
    expect(promoted.json().promotedFrom).toMatchObject({ env: 'staging', image: `${REPO}@${digest}` });
    expect(await stackParam(prod, `${PLATFORM}-production-shop`, 'Image')).toBe(`${REPO}@${digest}`);

    const evaluating = Date.now();
    const recorded = readLog();
    const accounts = await accountsOf([...new Set(recorded.map((r) => r.key!))]);
    for (const r of recorded) r.account = accounts.get(r.key!);
    const role = await deployRoleOfStack();
    const iamPolicy = await run(['iam-policy', '--for', 'deploy', '--account', HOME, '--json']);
    expect(iamPolicy.code).toBe(0);
    const homePolicy = iamPolicy.json();
    const sims: Record<string, { principal: string; policies: unknown[]; boundary?: unknown }> = {
      [HOME]: { principal: `arn:aws:iam::${HOME}:user/operator`, policies: homePolicy.policies ?? [homePolicy.policy] },
      [PROD]: { principal: ROLE, policies: role.policies, boundary: role.boundary },
    };
    const look = lookups();
    const problems: string[] = [];
    const decided = new Map<string, { req: IamRequest; account: string; command: string; result?: string }>();
    const alwaysAllowed: Record<string, number> = {};
    for (const r of recorded) {
      if (!r.account || !sims[r.account]) {
        problems.push(`${r.method} ${r.path} ${r.target ?? ''}: credentials of account ${r.account ?? 'unknown'}`);
        continue;
      }
      for (const req of await iamRequestsOf(r, look)) {
        if (ALWAYS_ALLOWED.includes(req.action)) {
          alwaysAllowed[r.account] = (alwaysAllowed[r.account] ?? 0) + 1;
          continue;
        }
        const key = JSON.stringify([r.account, req.action, req.resource, req.context]);
        if (!decided.has(key)) decided.set(key, { req, account: r.account, command: commandOf((r.command ?? '').split('.')) ?? r.command ?? 'no command' });
      }
    }
    await Promise.all(
      [...decided.values()].map(async (d) => {
        const target = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(d.req.resource)?.[1] ?? d.account;
        // a call into another account (the home operator assuming the deploy role) is also decided by that resource's policy: the role's trust
        const resourcePolicy = target !== d.account ? (d.req.action === 'sts:AssumeRole' && d.req.resource === ROLE ? role.trust : undefined) : undefined;
        d.result = await decide({ ...sims[d.account], resourcePolicy }, d.req, target);
      }),
    );
    for (const d of decided.values())
      if (d.result !== 'Allowed')
        problems.push(`${d.command} in ${d.account}: ${d.req.action} on ${d.req.resource}${Object.keys(d.req.context).length ? ` ${JSON.stringify(d.req.context)}` : ''}${d.req.cause !== d.req.action ? ` for ${d.req.cause}` : ''}: ${d.result}`);

    const all = [...decided.values()];
    const per = (account: string) => {
      const mine = all.filter((d) => d.account === account);
      return {
        requests: recorded.filter((r) => r.account === account).length,
        distinct: mine.length,
        actions: new Set(mine.map((d) => d.req.action)).size,
        allowed: mine.filter((d) => d.result === 'Allowed').length,
        alwaysAllowed: alwaysAllowed[account] ?? 0,
        commands: [...new Set(mine.map((d) => d.command))].sort(),
      };
    };
    const figures = { recorded: recorded.length, [HOME]: per(HOME), [PROD]: per(PROD), commandsMs, evaluationMs: Date.now() - evaluating };
    process.stderr.write(`iam-eval-accounts: ${JSON.stringify(figures)}\n`);
    if (process.env.IAM_EVAL_DEV_LOG) writeFileSync(`${LOG}.decisions.json`, JSON.stringify(all, null, 1));
    expect(problems).toEqual([]);
    // the evaluation saw what it is for: the deploy and the promote wrote in 222222222222 with the deploy role,
    // and the home operator took that role
    const prodActions = all.filter((d) => d.account === PROD).map((d) => d.req.action);
    expect(prodActions).toEqual(expect.arrayContaining(['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'iam:PassRole', 'secretsmanager:CreateSecret', 'secretsmanager:TagResource']));
    expect(all.filter((d) => d.account === HOME).map((d) => d.req.action)).toEqual(expect.arrayContaining(['sts:AssumeRole', 's3:PutObject', 'cloudformation:CreateStack', 'ecr:BatchGetImage']));
    // and the cross-account call was decided by both sides: without the role's trust the same request is denied
    const assume = all.find((d) => d.req.action === 'sts:AssumeRole')!;
    expect(await decide(sims[HOME], assume.req, PROD)).not.toBe('Allowed');
    for (const c of ['deploy', 'promote']) for (const account of [HOME, PROD]) expect({ c, account, seen: all.some((d) => d.account === account && d.command.startsWith(c)) }).toEqual({ c, account, seen: true });
  }, 120_000);

  test('read commands on production take its read role: every request there is made as that role and allowed by its policy as the stack holds it; at home iam-policy --for read may assume it and not the deploy role', async () => {
    // after the first test: the account stack, both environments and the app exist
    writeFileSync(LOG, '');
    const status = await step(['status', 'shop', 'production', '--json']);
    expect(status.json()).toBeTruthy();
    await step(['env', 'show', 'production', '--json']);
    const recorded = readLog();
    const callers = await callersOf([...new Set(recorded.map((r) => r.key!))]);
    for (const r of recorded) r.account = callers.get(r.key!)?.account;
    const inProd = recorded.filter((r) => r.account === PROD);
    expect(inProd.length).toBeGreaterThan(0);
    // moto's GetCallerIdentity of those credentials: a session of the read role, never of the deploy role
    expect([...new Set(inProd.map((r) => callers.get(r.key!)!.arn.split('/').slice(0, 2).join('/')))]).toEqual([`arn:aws:sts::${PROD}:assumed-role/${envReadRoleName(PLATFORM)}`]);
    const readRole = await deployRoleOfStack(envReadRoleName(PLATFORM));
    const readArn = envReadRoleArn(PLATFORM, ROLE);
    const iamPolicy = await run(['iam-policy', '--for', 'read', '--account', HOME, '--json']);
    expect(iamPolicy.code).toBe(0);
    const homeRead = iamPolicy.json();
    const sims: Record<string, { principal: string; policies: unknown[]; boundary?: unknown }> = {
      [HOME]: { principal: `arn:aws:iam::${HOME}:user/reader`, policies: homeRead.policies ?? [homeRead.policy] },
      [PROD]: { principal: readArn, policies: readRole.policies, boundary: readRole.boundary },
    };
    const look = lookups();
    const problems: string[] = [];
    const assumed: string[] = [];
    let decidedInProd = 0;
    for (const r of recorded) {
      if (!r.account || !sims[r.account]) {
        problems.push(`${r.method} ${r.path}: credentials of account ${r.account ?? 'unknown'}`);
        continue;
      }
      for (const req of await iamRequestsOf(r, look)) {
        if (ALWAYS_ALLOWED.includes(req.action)) continue;
        const target = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(req.resource)?.[1] ?? r.account;
        if (req.action === 'sts:AssumeRole') assumed.push(req.resource);
        const resourcePolicy = target !== r.account && req.action === 'sts:AssumeRole' && req.resource === readArn ? readRole.trust : undefined;
        const result = await decide({ ...sims[r.account], resourcePolicy }, req, target);
        if (r.account === PROD) decidedInProd += 1;
        if (result !== 'Allowed') problems.push(`${r.command} in ${r.account}: ${req.action} on ${req.resource}: ${result}`);
      }
    }
    expect(problems).toEqual([]);
    expect(decidedInProd).toBeGreaterThan(0);
    expect([...new Set(assumed)]).toEqual([readArn]);
    // the read operator may not take the deploy role: the same AssumeRole on it is denied even with the role's trust
    const deployRole = await deployRoleOfStack();
    const onDeploy: IamRequest = { action: 'sts:AssumeRole', resource: ROLE, context: {}, write: true, cause: 'sts:AssumeRole' };
    expect(await decide({ ...sims[HOME], resourcePolicy: deployRole.trust }, onDeploy, PROD)).not.toBe('Allowed');
  }, 120_000);
});

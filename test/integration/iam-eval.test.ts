/**
 * The operator policies (`cyclops iam-policy --for admin|deploy|read`), proven by an IAM
 * evaluator over what the commands really ask of AWS.
 *
 * moto allows every request, so this file puts a recording moto proxy (moto-proxy.mjs with
 * CYCLOPS_REQUEST_LOG) in front of the shared moto, runs a representative set of commands on one
 * platform with two environments (admin: bootstrap, env create, config push platform/cluster;
 * deploy: deploys by ECR tag and by name, promote, a preview, vars, secrets set/unset/restore,
 * scale, restart, rollback, run, exec, db ensure --rotate-password / info / drop, config push
 * app/ports, ports allocate/release, previews prune, destroy, destroy --delete-volumes; read:
 * status, apps list, releases, images, logs, previews list, vars/secrets list, env list/show, config read,
 * ports list), and maps each recorded request to what IAM authorises (test/support/iam-wire.ts:
 * the action, resource ARN and request context, tag-on-create and iam:PassRole included).
 * @cloud-copilot/iam-simulate then decides each one against the policy `iam-policy` renders for
 * this config: every request of a command is allowed at the command's level (src/iam/commands.ts)
 * and every level above it, and every write is denied at each level below it (read denies every
 * write; deploy denies admin's writes but those on resources both levels share, listed in SHARED_WRITES).
 *
 * Where moto falls short: RunTask needs a task definition with container memory (registered here
 * as in operate-e2e); `exec` runs the AWS CLI, whose ExecuteCommand moto does not implement, and
 * moto keeps no ECS Exec flag on a task, so exec stops before the CLI: the one request the CLI
 * would send is ADDED BY THE TEST (execRequest, marked `added` in the log and counted apart in the
 * figures), not recorded. A deploy with volumes never settles in moto (stateful-moto), so the kept
 * file system `destroy --delete-volumes` removes is made here with the tags cyclops gives it.
 * Resource tags (aws:ResourceTag) are looked up in moto when the requests are evaluated.
 *
 * The whole integration suite's requests are evaluated too (test/iam-suite/): at each command's level and
 * above, and `read` denying every write. This file keeps what that evaluation does not prove: each
 * command's writes denied at every level below its own (deploy denying admin's writes), exec's
 * ExecuteCommand, and a kept file system deleted under its tag condition.
 *
 * IAM_EVAL_DEV_LOG=/tmp/requests.jsonl keeps the recorded requests there, and every decision
 * beside them (requests.jsonl.decisions.json), to see what was evaluated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMAND_LEVELS, commandOf } from '../../src/iam/commands';
import { LEVELS, type Level } from '../../src/iam/ops-map';
import { freePort } from '../support/global-setup';
import { decide as simulate } from '../support/iam-decide';
import { iamRequestsOf, MOTO_ACCOUNT, type IamRequest, type Lookups, type Recorded } from '../support/iam-wire';
import { pushImage } from '../support/images';
import { tags, TAG_VOLUME } from '../../src/naming';
import { motoIam, motoPlatform, OK, outcome, type MotoPlatform } from '../support/moto-platform';
import { TEST_REGION } from '../support/store-env';

const LOG = process.env.IAM_EVAL_DEV_LOG || path.join(mkdtempSync(path.join(os.tmpdir(), 'cyclops-iam-eval-')), 'requests.jsonl');
let proxy: ChildProcess;
const readLog = () => readFileSync(LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Recorded);
let endpoint: string;
let p: MotoPlatform;

/** A command through the recording proxy (with `input` on stdin); it must succeed unless `code` says otherwise. */
async function step(args: string[], opts: { input?: string; code?: number } = {}) {
  const r = opts.input === undefined ? await p.run(...args, '--json') : await p.runInput(opts.input, ...args, '--json');
  const code = opts.code ?? 0;
  expect({ args, code: r.code, stderr: r.code === code ? '' : r.stderr }).toEqual({ args, code, stderr: '' });
  if (opts.code !== undefined) expect(r.stderr).not.toMatch(/AccessDenied|not authorized/);
  return r;
}

beforeAll(async () => {
  writeFileSync(LOG, ''); // IAM_EVAL_DEV_LOG may hold an earlier run's requests
  const port = await freePort();
  const direct = new URL(process.env.MOTO_DIRECT_ENDPOINT!).port;
  proxy = spawn(process.execPath, [path.join(__dirname, '../support/moto-proxy.mjs'), direct, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CYCLOPS_REQUEST_LOG: LOG } });
  await new Promise<void>((resolve) => proxy.stdout!.once('data', () => resolve()));
  endpoint = `http://127.0.0.1:${port}`;
  p = await motoPlatform({
    platform: 'iamx',
    database: 'external',
    endpoint,
    envs: ['production'],
    apps: {
      // not "shop": its database (app_ishop) is in the PostgreSQL every test file shares, and this
      // file drops it while deploy-e2e and previews-e2e, which may run beside it, keep app_shop
      ishop: { processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] } }, exec: true },
      // never deployed (a deploy with volumes never settles in moto): its port and its kept file system
      files: { processes: { web: { port: 3000, volumes: { data: { path: '/data' } } } }, database: false },
    },
  });
}, 60_000);

afterAll(async () => {
  p?.close();
  proxy?.kill('SIGTERM');
  if (!process.env.IAM_EVAL_DEV_LOG) rmSync(path.dirname(LOG), { recursive: true, force: true });
});

const LEVEL_ORDER: Level[] = ['read', 'deploy', 'admin'];
const atOrAbove = (level: Level) => LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(level));
const decide = (policy: unknown[], req: IamRequest) => simulate({ principal: `arn:aws:iam::${MOTO_ACCOUNT}:user/operator`, policies: policy }, req, MOTO_ACCOUNT);

/** Resource tags and task definition roles, read from moto (through the shared proxy: not recorded). */
function lookups(mountTargets: Map<string, string>): Lookups {
  const seen = new Map<string, Promise<Record<string, string>>>();
  const pairs = (list: { key?: string; value?: string }[] | undefined) => Object.fromEntries((list ?? []).map((t) => [t.key!, t.value!]));
  const resourceTags = async (arn: string): Promise<Record<string, string>> => {
    if (arn.startsWith('arn:aws:ecs:')) {
      const out = await p.aws.ecs.send(new p.aws.sdk.ecs.ListTagsForResourceCommand({ resourceArn: arn })).catch(() => null);
      return pairs(out?.tags);
    }
    if (arn.startsWith('arn:aws:cloudwatch:')) {
      const out = await p.aws.cloudwatch.send(new p.aws.sdk.cloudwatch.ListTagsForResourceCommand({ ResourceARN: arn })).catch(() => null);
      return Object.fromEntries((out?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    if (arn.startsWith('arn:aws:secretsmanager:')) {
      const id = arn.replace(/-AbCdEf$/, '').replace(/^.*:secret:/, '');
      const out = await p.aws.secrets.send(new p.aws.sdk.secrets.DescribeSecretCommand({ SecretId: arn.endsWith('-AbCdEf') ? id : arn })).catch(() => null);
      return Object.fromEntries((out?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    if (arn.startsWith('arn:aws:cloudformation:') && arn.includes(':stack/')) {
      const out = await p.aws.cfn.send(new p.aws.sdk.cfn.DescribeStacksCommand({ StackName: arn.split('/')[1] })).catch(() => null);
      return Object.fromEntries((out?.Stacks?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    if (arn.startsWith('arn:aws:elasticfilesystem:')) {
      const out = await p.aws.efs.send(new p.aws.sdk.efs.DescribeFileSystemsCommand({ FileSystemId: arn.split('/').pop() })).catch(() => null);
      return Object.fromEntries((out?.FileSystems?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    return {};
  };
  return {
    resourceTags: (arn) => {
      if (!seen.has(arn)) seen.set(arn, resourceTags(arn));
      return seen.get(arn)!;
    },
    mountTargetFileSystem: async (id) => mountTargets.get(id),
    taskDefinitionRoles: async (d) => {
      const out = await p.aws.ecs.send(new p.aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: d }));
      return [out.taskDefinition?.taskRoleArn, out.taskDefinition?.executionRoleArn].filter((x): x is string => !!x);
    },
  };
}

/** The policy documents `iam-policy --for LEVEL` prints for this config and account (one or several). */
async function policyOf(level: Level): Promise<unknown[]> {
  const r = await p.run('iam-policy', '--for', level, '--account', MOTO_ACCOUNT, '--json');
  expect(outcome(r)).toEqual(OK);
  const out = r.json();
  return out.policies ?? [out.policy];
}

/**
 * RunTask in moto needs container memory: the web service is pointed at such a revision (as in
 * operate-e2e), with the app stack's task and execution roles, which moto's CloudFormation leaves out.
 */
async function runnableWeb(): Promise<string> {
  const family = 'iamx-staging-ishop-web';
  const current = await p.aws.ecs.send(new p.aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: family }));
  const resources = await p.aws.cfn.send(new p.aws.sdk.cfn.ListStackResourcesCommand({ StackName: 'iamx-staging-ishop' }));
  const roleArn = async (logical: string) => {
    const name = resources.StackResourceSummaries!.find((r) => r.LogicalResourceId === logical)!.PhysicalResourceId!;
    return /<Arn>([^<]+)<\/Arn>/.exec((await motoIam('GetRole', { RoleName: name.split('/').pop()! })).body)![1];
  };
  const c = current.taskDefinition!.containerDefinitions![0];
  const revision = await p.aws.ecs.send(
    new p.aws.sdk.ecs.RegisterTaskDefinitionCommand({
      family,
      taskRoleArn: await roleArn('TaskRole'),
      executionRoleArn: await roleArn('ExecutionRole'),
      containerDefinitions: [{ ...c, name: 'web', image: c.image || 'registry.example.com/ishop:1.0.0', memory: 512 }],
    }),
  );
  await p.aws.ecs.send(new p.aws.sdk.ecs.UpdateServiceCommand({ cluster: 'iamx-staging', service: 'ishop-web', taskDefinition: revision.taskDefinition!.taskDefinitionArn }));
  // moto starts no tasks for a service: one with ECS Exec on, for exec to pick
  const task = await p.aws.ecs.send(new p.aws.sdk.ecs.RunTaskCommand({ cluster: 'iamx-staging', taskDefinition: revision.taskDefinition!.taskDefinitionArn, enableExecuteCommand: true, launchType: 'FARGATE', startedBy: 'ecs-svc/ishop-web' }));
  return task.tasks![0].taskArn!.split('/').pop()!;
}

/**
 * exec hands the session to the AWS CLI (ecs execute-command) and the Session Manager plugin.
 * moto keeps no ECS Exec flag on a task, so exec stops at the task it picked (exit 2, naming it);
 * the CLI's request for that task (ecs:ExecuteCommand on the cluster and the task) is added to
 * the log as the CLI would send it.
 */
function execRequest(stderr: string): Recorded {
  // "task <id> runs without ECS Exec", or (a moto that keeps the flag) the CLI command with the task's ARN
  const id = /\b([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(stderr)?.[1];
  if (!id) throw new Error(`exec named no task: ${stderr}`);
  const task = `arn:aws:ecs:${TEST_REGION}:${MOTO_ACCOUNT}:task/iamx-staging/${id}`;
  return {
    command: 'exec',
    service: 'ecs',
    region: TEST_REGION,
    method: 'POST',
    path: '/',
    target: 'AmazonEC2ContainerServiceV20141113.ExecuteCommand',
    fields: { cluster: 'iamx-staging', task },
    added: 'the AWS CLI\'s ecs execute-command, which exec hands the session to; moto keeps no ECS Exec flag, so exec stops before it',
  };
}

/**
 * The file system a destroyed app kept, as its stack made it (the cyclops tags and its volume's),
 * with a mount target in the environment's first private subnet: what `destroy --delete-volumes`
 * deletes. Made directly in moto (not recorded): a deploy with volumes never settles there.
 */
async function keptFileSystem(app: string, volume: string): Promise<{ fileSystemId: string; mountTargetId: string }> {
  const env = await p.aws.cfn.send(new p.aws.sdk.cfn.DescribeStacksCommand({ StackName: 'iamx-staging' }));
  const subnet = env.Stacks![0].Outputs!.find((o) => o.OutputKey === 'PrivateSubnets')!.OutputValue!.split(',')[0];
  const fs = await p.aws.efs.send(
    new p.aws.sdk.efs.CreateFileSystemCommand({ CreationToken: `iamx-${app}-${volume}`, Tags: [...tags({ platform: 'iamx', env: 'staging', app }), { Key: TAG_VOLUME, Value: volume }] }),
  );
  const mount = await p.aws.efs.send(new p.aws.sdk.efs.CreateMountTargetCommand({ FileSystemId: fs.FileSystemId!, SubnetId: subnet }));
  return { fileSystemId: fs.FileSystemId!, mountTargetId: mount.MountTargetId! };
}

/**
 * Writes of an admin command that the deploy level may make too, on the same resources: the
 * CloudFormation calls on "<platform>-*" stacks (env and app stacks share the pattern and the
 * platform tag; deploy creates and updates app stacks), and the config bucket's objects both write
 * (the ports file). Every other admin write must be denied at deploy.
 */
const SHARED_WRITES = /^(cloudformation:(CreateChangeSet|ExecuteChangeSet|DeleteChangeSet|CreateStack|DeleteStack|CancelUpdateStack)|iam:PassRole)$/;

describe('operator policies, by an IAM evaluator over the requests the commands make', () => {
  test('every request of a command is allowed at its level and above, and every write is denied below it (read; deploy for admin but SHARED_WRITES)', async () => {
    const started = Date.now();
    // admin
    await step(['bootstrap']);
    await step(['env', 'create', 'staging']);
    await step(['env', 'create', 'production']);
    await step(['config', 'push', 'platform']);
    await step(['config', 'push', 'cluster', 'staging']);
    // deploy: by ECR tag (pinned to its digest), promoted by that digest, then by name
    await pushImage(p.aws, 'iamx/ishop', '1.0.0', 'iam-eval-1.0.0');
    await step(['deploy', `${MOTO_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/iamx/ishop:1.0.0`, 'ishop', 'staging']);
    await step(['promote', 'ishop', 'staging', 'production']);
    await step(['deploy', 'registry.example.com/ishop:1.1.0', 'ishop', 'staging']);
    await step(['config', 'push', 'app', 'ishop', 'staging']);
    await step(['config', 'push', 'ports']);
    await step(['ports', 'allocate', 'files', 'staging']);
    await step(['db', 'ensure', 'ishop', 'staging', '--rotate-password']);
    await step(['db', 'info', 'ishop', 'staging']);
    await step(['vars', 'set', 'ishop', 'staging', 'LOG_LEVEL=debug']);
    await step(['vars', 'unset', 'ishop', 'staging', 'LOG_LEVEL']);
    await step(['secrets', 'set', 'ishop', 'staging', 'API_TOKEN'], { input: 'not-a-real-token' });
    await step(['secrets', 'unset', 'ishop', 'staging', 'API_TOKEN', '--recovery-days', '7']);
    await step(['secrets', 'restore', 'ishop', 'staging', 'API_TOKEN']);
    await step(['scale', 'ishop', 'staging', 'worker=2']);
    await step(['restart', 'ishop', 'staging']);
    await step(['rollback', 'ishop', 'staging']);
    await step(['deploy', 'registry.example.com/ishop:pr-1', 'ishop', 'staging', '--preview', 'pr-1']);
    const serviceTask = await runnableWeb();
    await step(['run', 'ishop', 'staging', '--detach', '--', 'echo', 'hi']);
    const exec = await step(['exec', 'ishop', 'staging', '--task', serviceTask, '--', 'ls'], { code: 2 });
    // read
    await step(['env', 'list']);
    await step(['env', 'show', 'staging']);
    await step(['status', 'ishop', 'staging']);
    await step(['apps', 'list', 'staging']);
    await step(['releases', 'ishop', 'staging']);
    await step(['images', 'ishop', 'staging']);
    await step(['logs', 'ishop', 'staging', '--since', '1h']);
    await step(['previews', 'list', 'staging']);
    await step(['vars', 'list', 'ishop', 'staging']);
    await step(['secrets', 'list', 'ishop', 'staging']);
    await step(['config', 'read', 'app', 'ishop', 'staging']);
    await step(['config', 'read', 'ports']);
    await step(['ports', 'list']);
    // aws:ResourceTag is looked up in moto: read the tags of what the requests so far touched before it goes
    const mountTargets = new Map<string, string>();
    const look = lookups(mountTargets);
    await Promise.all(readLog().map((r) => iamRequestsOf(r, look).catch(() => [])));
    // and away
    await step(['previews', 'prune', 'staging', '--older-than', '0s', '--yes']);
    await step(['destroy', 'ishop', 'staging', '--yes']);
    await step(['db', 'drop', 'ishop', 'staging', '--yes']);
    const kept = await keptFileSystem('files', 'data');
    mountTargets.set(kept.mountTargetId, kept.fileSystemId);
    await look.resourceTags(`arn:aws:elasticfilesystem:${TEST_REGION}:${MOTO_ACCOUNT}:file-system/${kept.fileSystemId}`);
    const volumes = await step(['destroy', 'files', 'staging', '--delete-volumes', '--yes']);
    expect(volumes.json().volumes).toEqual({ kept: [], deleted: [kept.fileSystemId] });
    await step(['ports', 'release', 'files', 'staging']);
    const commandsTook = Date.now() - started;

    const recorded = readLog();
    recorded.push(execRequest(exec.stderr));
    const evaluating = Date.now();
    const policies = Object.fromEntries(await Promise.all(LEVELS.map(async (l) => [l, await policyOf(l)] as const))) as Record<Level, unknown[]>;
    const problems: string[] = [];
    const decided = new Map<string, { req: IamRequest; level: Level; command: string; results: Partial<Record<Level, string>> }>();
    for (const r of recorded) {
      const command = commandOf((r.command ?? '').split('.'));
      const level = command ? COMMAND_LEVELS[command] : undefined;
      if (!command || !level || level === 'none') {
        problems.push(`${r.method} ${r.path} ${r.target ?? ''}: made by ${r.command ?? 'no command'}, which has no level in src/iam/commands.ts`);
        continue;
      }
      for (const req of await iamRequestsOf(r, look)) {
        const key = JSON.stringify([command, req.action, req.resource, req.context]);
        if (!decided.has(key)) decided.set(key, { req, level, command, results: {} });
      }
    }
    // every decision at once: the evaluator awaits AWS's data between its steps
    await Promise.all([...decided.values()].flatMap((d) => LEVELS.map(async (l) => (d.results[l] = await decide(policies[l], d.req)))));
    for (const { req, level, command, results } of decided.values()) {
      const what = `${command} (${level}): ${req.action} on ${req.resource}${Object.keys(req.context).length ? ` ${JSON.stringify(req.context)}` : ''}${req.cause !== req.action ? ` for ${req.cause}` : ''}`;
      for (const l of atOrAbove(level)) if (results[l] !== 'Allowed') problems.push(`${what}: ${l} ${results[l]}`);
      if (req.write && results.read === 'Allowed') problems.push(`${what}: a write, allowed at read`);
      if (req.write && level === 'admin' && results.deploy === 'Allowed' && !SHARED_WRITES.test(req.action)) problems.push(`${what}: an admin write, allowed at deploy`);
    }
    const all = [...decided.values()];
    const figures = {
      recorded: recorded.length - 1,
      addedByHand: recorded.filter((r) => r.added).length,
      distinct: all.length,
      actions: new Set(all.map((d) => d.req.action)).size,
      commands: new Set(all.map((d) => d.command)).size,
      allowed: Object.fromEntries(LEVELS.map((l) => [l, all.filter((d) => d.results[l] === 'Allowed').length])),
      writes: all.filter((d) => d.req.write).length,
      deniedAtRead: all.filter((d) => d.results.read !== 'Allowed').length,
      deniedAtDeploy: all.filter((d) => d.results.deploy !== 'Allowed').length,
      // ECS requests decided with the resource's cyclops:platform tag in context (not all: a resource gone by now has none)
      ecsTagged: all.filter((d) => d.req.action.startsWith('ecs:') && d.req.context['aws:ResourceTag/cyclops:platform']).length,
      commandsMs: commandsTook,
      evaluationMs: Date.now() - evaluating,
    };
    process.stderr.write(`iam-eval: ${JSON.stringify(figures)}\n`);
    if (process.env.IAM_EVAL_DEV_LOG) writeFileSync(`${LOG}.decisions.json`, JSON.stringify(all, null, 1));
    expect(problems).toEqual([]);
    // the evaluation saw what it is for: tag-on-create, PassRole, and every level's commands
    expect(all.map((d) => d.req.action)).toEqual(
      expect.arrayContaining(['logs:TagResource', 'ecs:TagResource', 'secretsmanager:TagResource', 'iam:PassRole', 'ecs:RunTask', 'elasticfilesystem:DeleteFileSystem', 'elasticfilesystem:DeleteMountTarget', 'ecr:PutImage']),
    );
    for (const c of ['promote', 'db ensure', 'db info', 'db drop', 'config push app', 'config push ports', 'config push platform', 'ports allocate', 'ports release', 'ports list'])
      expect({ command: c, evaluated: all.some((d) => d.command === c) }).toEqual({ command: c, evaluated: true });
    expect(new Set(all.map((d) => d.level))).toEqual(new Set(LEVELS));
  }, 600_000);
});

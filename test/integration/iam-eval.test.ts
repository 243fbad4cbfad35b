/**
 * The operator policies (`cyclops iam-policy --for admin|deploy|read`), proven by an IAM
 * evaluator over what the commands really ask of AWS.
 *
 * moto allows every request, so this file puts a recording moto proxy (moto-proxy.mjs with
 * CYCLOPS_REQUEST_LOG) in front of the shared moto, runs a representative set of commands on one
 * platform (admin: bootstrap, env create; deploy: deploys, a preview, vars, secrets set/unset/
 * restore, scale, restart, rollback, run, exec, previews prune, destroy; read: status, apps list,
 * releases, images, logs, previews list, vars/secrets list, env list/show), and maps each recorded request
 * to what IAM authorises (test/support/iam-wire.ts: the action, resource ARN and request context,
 * tag-on-create and iam:PassRole included). @cloud-copilot/iam-simulate then decides each one
 * against the policy `iam-policy` renders for this config: every request of a command is allowed
 * at the command's level (src/iam/commands.ts) and every level above it, and `read` denies
 * every write.
 *
 * Where moto falls short: RunTask needs a task definition with container memory (registered here
 * as in operate-e2e); `exec` runs the AWS CLI, whose ExecuteCommand moto does not implement: its
 * request is recorded all the same (the CLI carries the command's app id too), and evaluated.
 * Resource tags (aws:ResourceTag) are looked up in moto when the requests are evaluated.
 *
 * IAM_EVAL_DEV_LOG=/tmp/requests.jsonl keeps the recorded requests there, and every decision
 * beside them (requests.jsonl.decisions.json), to see what was evaluated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { COMMAND_LEVELS, commandOf } from '../../src/iam/commands';
import { LEVELS, type Level } from '../../src/iam/ops-map';
import { freePort } from '../support/global-setup';
import { iamRequestsOf, MOTO_ACCOUNT, type IamRequest, type Lookups, type Recorded } from '../support/iam-wire';
import { motoIam, motoPlatform, OK, outcome, type MotoPlatform } from '../support/moto-platform';
import { TEST_REGION } from '../support/store-env';

const LOG = process.env.IAM_EVAL_DEV_LOG || path.join(mkdtempSync(path.join(os.tmpdir(), 'cyclops-iam-eval-')), 'requests.jsonl');
let proxy: ChildProcess;
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
  const port = await freePort();
  const direct = new URL(process.env.MOTO_DIRECT_ENDPOINT!).port;
  proxy = spawn(process.execPath, [path.join(__dirname, '../support/moto-proxy.mjs'), direct, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CYCLOPS_REQUEST_LOG: LOG } });
  await new Promise<void>((resolve) => proxy.stdout!.once('data', () => resolve()));
  endpoint = `http://127.0.0.1:${port}`;
  p = await motoPlatform({
    platform: 'iamx',
    database: 'external',
    endpoint,
    apps: { shop: { processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] } }, exec: true } },
  });
}, 60_000);

afterAll(async () => {
  p?.close();
  proxy?.kill('SIGTERM');
  if (!process.env.IAM_EVAL_DEV_LOG) rmSync(path.dirname(LOG), { recursive: true, force: true });
});

const LEVEL_ORDER: Level[] = ['read', 'deploy', 'admin'];
const atOrAbove = (level: Level) => LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(level));

async function decide(policy: unknown[], req: IamRequest): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: policy.map((doc, i) => ({ name: `part${i + 1}`, policy: doc })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action: req.action, principal: `arn:aws:iam::${MOTO_ACCOUNT}:user/operator`, resource: { resource: req.resource, accountId: MOTO_ACCOUNT }, contextVariables: req.context },
    } as never,
    {},
  );
  return result.resultType === 'error' ? `error ${JSON.stringify(result.errors)}` : result.overallResult;
}

/** Resource tags and task definition roles, read from moto (through the shared proxy: not recorded). */
function lookups(): Lookups {
  return {
    resourceTags: async (arn) => {
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
    },
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
  const family = 'iamx-staging-shop-web';
  const current = await p.aws.ecs.send(new p.aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: family }));
  const resources = await p.aws.cfn.send(new p.aws.sdk.cfn.ListStackResourcesCommand({ StackName: 'iamx-staging-shop' }));
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
      containerDefinitions: [{ ...c, name: 'web', image: c.image || 'registry.example.com/shop:1.0.0', memory: 512 }],
    }),
  );
  await p.aws.ecs.send(new p.aws.sdk.ecs.UpdateServiceCommand({ cluster: 'iamx-staging', service: 'shop-web', taskDefinition: revision.taskDefinition!.taskDefinitionArn }));
  // moto starts no tasks for a service: one with ECS Exec on, for exec to pick
  const task = await p.aws.ecs.send(new p.aws.sdk.ecs.RunTaskCommand({ cluster: 'iamx-staging', taskDefinition: revision.taskDefinition!.taskDefinitionArn, enableExecuteCommand: true, launchType: 'FARGATE', startedBy: 'ecs-svc/shop-web' }));
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
  return { command: 'exec', service: 'ecs', region: TEST_REGION, method: 'POST', path: '/', target: 'AmazonEC2ContainerServiceV20141113.ExecuteCommand', fields: { cluster: 'iamx-staging', task } };
}

describe('operator policies, by an IAM evaluator over the requests the commands make', () => {
  test('every request of a command is allowed at its level and above, and read denies every write', async () => {
    // admin
    await step(['bootstrap']);
    await step(['env', 'create', 'staging']);
    // deploy
    await step(['deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging']);
    await step(['deploy', 'registry.example.com/shop:1.1.0', 'shop', 'staging']);
    await step(['vars', 'set', 'shop', 'staging', 'LOG_LEVEL=debug']);
    await step(['vars', 'unset', 'shop', 'staging', 'LOG_LEVEL']);
    await step(['secrets', 'set', 'shop', 'staging', 'API_TOKEN'], { input: 'not-a-real-token' });
    await step(['secrets', 'unset', 'shop', 'staging', 'API_TOKEN', '--recovery-days', '7']);
    await step(['secrets', 'restore', 'shop', 'staging', 'API_TOKEN']);
    await step(['scale', 'shop', 'staging', 'worker=2']);
    await step(['restart', 'shop', 'staging']);
    await step(['rollback', 'shop', 'staging']);
    await step(['deploy', 'registry.example.com/shop:pr-1', 'shop', 'staging', '--preview', 'pr-1']);
    const serviceTask = await runnableWeb();
    await step(['run', 'shop', 'staging', '--detach', '--', 'echo', 'hi']);
    const exec = await step(['exec', 'shop', 'staging', '--task', serviceTask, '--', 'ls'], { code: 2 });
    // read
    await step(['env', 'list']);
    await step(['env', 'show', 'staging']);
    await step(['status', 'shop', 'staging']);
    await step(['apps', 'list', 'staging']);
    await step(['releases', 'shop', 'staging']);
    await step(['images', 'shop', 'staging']);
    await step(['logs', 'shop', 'staging', '--since', '1h']);
    await step(['previews', 'list', 'staging']);
    await step(['vars', 'list', 'shop', 'staging']);
    await step(['secrets', 'list', 'shop', 'staging']);
    // and away
    await step(['previews', 'prune', 'staging', '--older-than', '0s', '--yes']);
    await step(['destroy', 'shop', 'staging', '--yes']);

    const recorded = readFileSync(LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Recorded);
    recorded.push(execRequest(exec.stderr));
    const policies = Object.fromEntries(await Promise.all(LEVELS.map(async (l) => [l, await policyOf(l)] as const))) as Record<Level, unknown[]>;
    const look = lookups();
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
        if (decided.has(key)) continue;
        const results: Partial<Record<Level, string>> = {};
        for (const l of LEVELS) results[l] = await decide(policies[l], req);
        decided.set(key, { req, level, command, results });
      }
    }
    for (const { req, level, command, results } of decided.values()) {
      const what = `${command} (${level}): ${req.action} on ${req.resource}${Object.keys(req.context).length ? ` ${JSON.stringify(req.context)}` : ''}${req.cause !== req.action ? ` for ${req.cause}` : ''}`;
      for (const l of atOrAbove(level)) if (results[l] !== 'Allowed') problems.push(`${what}: ${l} ${results[l]}`);
      if (req.write && results.read === 'Allowed') problems.push(`${what}: a write, allowed at read`);
    }
    const all = [...decided.values()];
    const figures = {
      recorded: recorded.length,
      distinct: all.length,
      actions: new Set(all.map((d) => d.req.action)).size,
      commands: new Set(all.map((d) => d.command)).size,
      allowed: Object.fromEntries(LEVELS.map((l) => [l, all.filter((d) => d.results[l] === 'Allowed').length])),
      writes: all.filter((d) => d.req.write).length,
    };
    process.stderr.write(`iam-eval: ${JSON.stringify(figures)}\n`);
    if (process.env.IAM_EVAL_DEV_LOG) writeFileSync(`${LOG}.decisions.json`, JSON.stringify(all, null, 1));
    expect(problems).toEqual([]);
    // the evaluation saw what it is for: tag-on-create, PassRole, and every level's commands
    expect(all.map((d) => d.req.action)).toEqual(expect.arrayContaining(['logs:TagResource', 'ecs:TagResource', 'secretsmanager:TagResource', 'iam:PassRole', 'ecs:RunTask']));
    expect(new Set(all.map((d) => d.level))).toEqual(new Set(LEVELS));
  }, 600_000);
});

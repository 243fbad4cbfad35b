/**
 * logs, run and the release phase against moto: a platform, an environment (no database) and
 * an app with a release process. Log events are put into the app's log group with the SDK.
 *
 * Where moto falls short (DESIGN.md, and moto 5's ECS): tasks never really run; RunTask of
 * an awsvpc task definition in a real subnet fails (HTTP 500: its ENI lacks private_dns_name),
 * and RunTask of a task definition without container-level memory fails too (the app
 * template sets memory on the task, and CloudFormation in moto also drops NetworkMode and the
 * execution role). So:
 * - before `run`, the test registers a revision of the web family with container memory (and,
 *   like moto's CloudFormation revisions, no network mode or Fargate compatibility) and points the service at it; run
 *   starts from the service's current task definition. moto records no network configuration
 *   for such a task, so run's subnets and security group are proven on the RunTask request in
 *   test/unit/ops-operate.test.ts.
 * - the release task definition is awsvpc (Fargate needs it), so moto cannot start it: the
 *   e2e proves the order (the release task definition with the new image is registered and
 *   started before the stack update) and that a release phase that does not succeed leaves
 *   the stack and the services on the old image. Exit codes and the success path are proven
 *   with mocks in test/unit/ops-operate.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCyclops } from '../support/cli';
import { motoAws } from '../support/store-env';
import { motoCli, motoEnv, ok, outcome, writeMotoConfig } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';
import { releaseRecordKey } from '../../src/naming';

const PLATFORM = 'opx';
const BUCKET = 'opx-operate-config';
const GROUP = `/cyclops/${PLATFORM}/staging/shop`;
const CLUSTER = `${PLATFORM}-staging`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-operate-'));
let aws: Aws;

const env = motoEnv;
const cli = motoCli(dir);

async function put(stream: string, events: { timestamp: number; message: string }[]) {
  await aws.logs.send(new aws.sdk.logs.CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream })).catch((e) => {
    if ((e as Error).name !== 'ResourceAlreadyExistsException') throw e;
  });
  await aws.logs.send(new aws.sdk.logs.PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: events }));
}

beforeAll(async () => {
  aws = await motoAws();
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: BUCKET,
    domain: 'staging.opx.dev',
    range: [23000, 23999],
    staging: { database: { type: 'none' } },
    apps: { shop: { processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] }, release: { command: ['bin/migrate', '--verbose'] } }, exec: true } },
  });
  for (const args of [['bootstrap'], ['env', 'create', 'staging']]) {
    expect(outcome(await cli(...args, '--json'))).toEqual(ok);
  }
}, 120_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.logs, aws.route53]) c.destroy();
});

/** Release record N of shop in staging, from the release log in the bucket. */
const releaseRecord = async (n: number) =>
  JSON.parse(await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: releaseRecordKey('staging', 'shop', n) })).then((o) => o.Body!.transformToString()));

describe('operate, end to end', () => {
  test('the first deploy creates the stack with no task running and starts the release task before any service gets a task; its failure leaves the services at 0', async () => {
    const stackName = `${PLATFORM}-staging-shop`;
    const r = await cli('--verbose', 'deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging', '--json');
    // moto fails RunTask of an awsvpc task (see the top of this file): the release phase did not succeed
    expect(r.code).toBe(1);
    expect(r.json().error.message).toMatch(/^release phase of shop in staging: the release task could not start \(.*\); no task of shop runs yet \(its services stay at 0 until the release phase succeeds\); fix the release command or its image and run the same deploy again$/);
    // the stack was created, then the release task was started, and the stack was not asked to change again
    const calls = [...r.stderr.matchAll(/^aws (\S+) /gm)].map((m) => m[1]);
    const writes = calls.map((c, i) => [c, i] as const).filter(([c]) => /CreateStack|ExecuteChangeSet|UpdateStack/.test(c));
    expect(writes.map(([c]) => c)).toEqual(['CloudFormation.CreateStack']);
    expect(calls.indexOf('ECS.RunTask')).toBeGreaterThan(writes[0][1]);
    // what the stack and ECS say now is what they said while the release task was started
    const stack = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'HoldTasks', ParameterValue: 'true' });
    const held = await aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-web', 'shop-worker'] }));
    expect(held.services!.map((x) => [x.serviceName, x.desiredCount])).toEqual([
      ['shop-web', 0],
      ['shop-worker', 0],
    ]);
    expect(await releaseRecord(1)).toMatchObject({ number: 1, outcome: 'failed', releasePhase: { status: 'failed', stoppedReason: expect.stringMatching(/^not started: /) } });

    // moto cannot run the phase, so the operator's way past it: --skip-release-phase releases the tasks
    const skipped = await cli('deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging', '--skip-release-phase', '--json');
    expect(outcome(skipped)).toEqual(ok);
    expect(skipped.json().release).toMatchObject({ number: 2, releasePhase: { status: 'skipped', reason: '--skip-release-phase' } });
    const after = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    expect(after.Parameters).toContainEqual({ ParameterKey: 'HoldTasks', ParameterValue: 'false' });
    // moto's CloudFormation does not carry the update's DesiredCount to the ECS service (it stays
    // 0 there); the released template's counts are proven in test/templates/app-hold.test.ts
    expect(after.Parameters).toContainEqual({ ParameterKey: 'WebCount', ParameterValue: '1' });
  }, 60_000);

  test('logs --since 1h --json: every process interleaved by time, with process and task', async () => {
    const t = Date.now() - 60_000;
    await put('web/web/aaaa1111', [
      { timestamp: t, message: 'GET / 200' },
      { timestamp: t + 2000, message: 'GET /up 200' },
    ]);
    await put('worker/worker/bbbb2222', [{ timestamp: t + 1000, message: 'job 1 done' }]);
    const r = await cli('logs', 'shop', 'staging', '--since', '1h', '--json');
    expect(outcome(r)).toEqual(ok);
    const doc = r.json();
    expect(doc.more).toBe(false);
    expect(doc.events.map((e: { process: string; task: string; message: string }) => [e.process, e.task, e.message])).toEqual([
      ['web', 'aaaa1111', 'GET / 200'],
      ['worker', 'bbbb2222', 'job 1 done'],
      ['web', 'aaaa1111', 'GET /up 200'],
    ]);
    const worker = await cli('logs', 'shop', 'staging', '--process', 'worker', '--json');
    expect(worker.json().events.map((e: { message: string }) => e.message)).toEqual(['job 1 done']);
    const limited = await cli('logs', 'shop', 'staging', '--limit', '2', '--json');
    expect(limited.json()).toMatchObject({ more: true });
    // --limit gives the newest N of the window, oldest first (as tail -n)
    expect(limited.json().events.map((e: { message: string }) => e.message)).toEqual(['job 1 done', 'GET /up 200']);
    expect(limited.stderr).toMatch(/older ones exist/);
  });

  test('logs of an app that was never deployed: one usage line (exit 2)', async () => {
    const r = await cli('logs', 'ghost', 'staging');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/log group \/cyclops\/opx\/staging\/ghost does not exist; the app was never deployed there/);
  });

  test('logs --follow (the binary) prints an event written after it started within seconds, and SIGINT ends it with exit 0', async () => {
    const child = startCyclops(['logs', 'shop', 'staging', '--follow', '--json', '--since', '5m'], { cwd: dir, env: env() });
    let out = '';
    child.child.stdout!.on('data', (d) => (out += d));
    const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const waitFor = async (pred: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      return pred();
    };
    expect(await waitFor(() => lines().length >= 3, 15_000)).toBe(true); // the earlier events, as NDJSON
    const written = Date.now();
    await put('web/web/cccc3333', [{ timestamp: written, message: 'written after follow started' }]);
    expect(await waitFor(() => lines().some((l) => l.message === 'written after follow started'), 8_000)).toBe(true);
    const seenAfter = Date.now() - written;
    expect(seenAfter).toBeLessThan(8_000);
    child.child.kill('SIGINT');
    const done = await child.done;
    expect(done.code).toBe(0);
    const all = lines();
    expect(new Set(all.map((l) => l.id)).size).toBe(all.length); // no duplicates
    expect(all.at(-1)).toMatchObject({ process: 'web', task: 'cccc3333', message: 'written after follow started' });
  }, 40_000);

  test('run --detach -- echo hi: a tagged task from the web task definition whose overrides carry the command', async () => {
    const current = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: `${PLATFORM}-staging-shop-web` }));
    const c = current.taskDefinition!.containerDefinitions![0];
    const revision = await aws.ecs.send(
      new aws.sdk.ecs.RegisterTaskDefinitionCommand({
        family: `${PLATFORM}-staging-shop-web`,
        containerDefinitions: [{ ...c, name: 'web', memory: 512 }],
      }),
    );
    await aws.ecs.send(new aws.sdk.ecs.UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-web', taskDefinition: revision.taskDefinition!.taskDefinitionArn }));
    const r = await cli('run', 'shop', 'staging', '--detach', '--json', '--', 'echo', 'hi', '--json');
    expect(outcome(r)).toEqual(ok);
    const { taskArn } = r.json();
    const d = await aws.ecs.send(new aws.sdk.ecs.DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn], include: ['TAGS'] }));
    const task = d.tasks![0];
    // everything after "--" is the command, "--json" included
    expect(task.overrides!.containerOverrides).toEqual([expect.objectContaining({ name: 'web', command: ['echo', 'hi', '--json'] })]);
    expect(task.startedBy).toBe('cyclops-run');
    const svc = await aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-web'] }));
    expect(task.taskDefinitionArn).toBe(svc.services![0].taskDefinition);
    const tags = Object.fromEntries((task.tags ?? []).map((x) => [x.key, x.value]));
    expect(tags).toMatchObject({ 'cyclops:platform': PLATFORM, 'cyclops:env': 'staging', 'cyclops:app': 'shop' });
    expect(tags['cyclops:run']).toMatch(/@/);
  });

  test('a deploy with a release process registers and starts the release task with the new image before the stack update; when it does not succeed the stack keeps the old image', async () => {
    const stackName = `${PLATFORM}-staging-shop`;
    const before = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    const r = await cli('--verbose', 'deploy', 'registry.example.com/shop:2.0.0', 'shop', 'staging', '--json');
    // moto fails RunTask of an awsvpc task (see the top of this file): the release phase did not succeed
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^release phase of shop in staging: the release task could not start \(start release phase of shop in staging on cluster opx-staging/) } });
    const calls = [...r.stderr.matchAll(/^aws (\S+) /gm)].map((m) => m[1]);
    const register = calls.indexOf('ECS.RegisterTaskDefinition');
    expect(register).toBeGreaterThan(-1);
    expect(calls.indexOf('ECS.RunTask')).toBeGreaterThan(register);
    // The change set is described and judged first, the release task runs, and the failed phase
    // deletes the change set: it is never executed.
    expect(calls.indexOf('CloudFormation.DescribeChangeSet')).toBeLessThan(register);
    expect(calls.lastIndexOf('CloudFormation.DeleteChangeSet')).toBeGreaterThan(calls.indexOf('ECS.RunTask'));
    expect(calls.filter((c) => /ExecuteChangeSet|UpdateStack|CreateStack/.test(c))).toEqual([]);
    expect(r.stderr).toMatch(/release phase: bin\/migrate --verbose \(registry.example.com\/shop:2.0.0\)/);

    const td = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: `${PLATFORM}-staging-shop-release` }));
    expect(td.taskDefinition).toMatchObject({ networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'] });
    expect(td.taskDefinition!.containerDefinitions![0]).toMatchObject({ name: 'release', image: 'registry.example.com/shop:2.0.0', command: ['bin/migrate', '--verbose'] });
    expect(td.taskDefinition!.containerDefinitions![0].logConfiguration!.options).toMatchObject({ 'awslogs-group': GROUP, 'awslogs-stream-prefix': 'release' });
    // the execution role is the app stack's own, by its ARN: under the platform's IAM path
    const resources = await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stackName }));
    const role = resources.StackResourceSummaries!.find((x) => x.LogicalResourceId === 'ExecutionRole')!.PhysicalResourceId!;
    expect(td.taskDefinition!.executionRoleArn).toMatch(new RegExp(`:role/cyclops/${PLATFORM}/${role}$`));

    const after = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: stackName }))).Stacks![0];
    expect(after.Parameters).toContainEqual({ ParameterKey: 'Image', ParameterValue: 'registry.example.com/shop:1.0.0' });
    expect(after.LastUpdatedTime?.getTime()).toBe(before.LastUpdatedTime?.getTime());
    // the failed attempt is release 3 in the log (outcome failed, with the phase); release 2 stays current
    expect(await releaseRecord(3)).toMatchObject({
      number: 3,
      image: 'registry.example.com/shop:2.0.0',
      outcome: 'failed',
      releasePhase: { status: 'failed', stoppedReason: expect.stringMatching(/^not started: /) },
    });
    expect((await cli('status', 'shop', 'staging', '--json')).json().release).toMatchObject({ number: 2, image: 'registry.example.com/shop:1.0.0' });

    // --skip-release-phase: the deploy goes through and says so in the record
    const skipped = await cli('deploy', 'registry.example.com/shop:2.0.0', 'shop', 'staging', '--skip-release-phase', '--json');
    expect(outcome(skipped)).toEqual(ok);
    expect(skipped.json().release).toMatchObject({ number: 4, image: 'registry.example.com/shop:2.0.0', releasePhase: { status: 'skipped', reason: '--skip-release-phase' } });
  }, 60_000);
});

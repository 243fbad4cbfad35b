/**
 * Seeing the running app against moto: `ps` over tasks the test starts (RunTask in the service's
 * group, one of them stopped), and `metrics` over data the test puts into CloudWatch.
 *
 * moto's tasks carry no health, zone, size, start time or stop code, and its ListTasks ignores
 * serviceName; those fields are proven with aws-sdk-client-mock in test/unit/ps.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/run-cli';
import { motoAws, TEST_REGION } from '../support/store-env';
import { writeMotoConfig } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'obs';
const BUCKET = 'obs-observe-config';
const CLUSTER = `${PLATFORM}-staging`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-observe-'));
let aws: Aws;

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const cli = (...args: string[]) => runCli(args, { cwd: dir, env: env() });
const outcome = (r: { code: number; stderr: string }) => ({ code: r.code, stderr: r.code === 0 ? '' : r.stderr });
const ok = { code: 0, stderr: '' };

beforeAll(async () => {
  aws = await motoAws();
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: BUCKET,
    domain: 'staging.obs.dev',
    range: [24000, 24999],
    staging: { database: { type: 'none' } },
    apps: { shop: { processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] } } } },
  });
  for (const args of [['bootstrap'], ['env', 'create', 'staging'], ['deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging']]) {
    expect(outcome(await cli(...args, '--json'))).toEqual(ok);
  }
}, 300_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.cloudwatch, aws.route53]) c.destroy();
});

/** moto places tasks without container instances only for FARGATE (the revision is not awsvpc, so the subnets go unused) */
const fargate = { launchType: 'FARGATE' as const, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0'] } } };

describe('ps', () => {
  let started: string[] = [];
  beforeAll(async () => {
    // moto's CloudFormation task definitions lack container memory, which its RunTask needs: a revision with it, as the service's
    const current = await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: `${PLATFORM}-staging-shop-web` }));
    const c = current.taskDefinition!.containerDefinitions![0];
    const revision = await aws.ecs.send(new aws.sdk.ecs.RegisterTaskDefinitionCommand({ family: `${PLATFORM}-staging-shop-web`, containerDefinitions: [{ ...c, name: 'web', memory: 512 }] }));
    await aws.ecs.send(new aws.sdk.ecs.UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-web', taskDefinition: revision.taskDefinition!.taskDefinitionArn }));
    const run = await aws.ecs.send(new aws.sdk.ecs.RunTaskCommand({ cluster: CLUSTER, taskDefinition: revision.taskDefinition!.taskDefinitionArn, count: 3, group: 'service:shop-web', startedBy: 'ecs-svc/1', ...fargate }));
    started = run.tasks!.map((t) => t.taskArn!);
    // a one-off task of the same family is not the service's
    await aws.ecs.send(new aws.sdk.ecs.RunTaskCommand({ cluster: CLUSTER, taskDefinition: revision.taskDefinition!.taskDefinitionArn, count: 1, startedBy: 'cyclops-run', ...fargate }));
    await aws.ecs.send(new aws.sdk.ecs.StopTaskCommand({ cluster: CLUSTER, task: started[2], reason: 'Essential container in task exited' }));
  }, 60_000);

  test('--json: the service\'s running tasks, each with its process and release, and the stopped one with its reason', async () => {
    const r = await cli('ps', 'shop', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    const id = (arn: string) => arn.split('/').pop();
    const out = r.json();
    expect(out.release).toBe(1);
    expect(out.tasks.map((t: { id: string }) => t.id).sort()).toEqual([id(started[0]), id(started[1])].sort());
    // (moto moves a task's lastStatus on at each DescribeTasks: RUNNING, DEACTIVATING …)
    expect(out.tasks[0]).toMatchObject({ process: 'web', desiredStatus: 'RUNNING', release: 1 });
    expect(out.stopped).toEqual([expect.objectContaining({ id: id(started[2]), process: 'web', desiredStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' })]);
    expect(out.processes.map((p: { name: string }) => p.name)).toEqual(['web', 'worker']);
  });

  test('the table: one line per task, the stopped hour below; --process worker shows none of web\'s', async () => {
    const r = await cli('ps', 'shop', 'staging');
    expect(outcome(r)).toEqual(ok);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^shop in staging: release 1; web \d+\/1/);
    expect(lines.filter((l) => /^web\s+[0-9a-f-]{12}\s+RUNNING\/[A-Z]+\s/.test(l))).toHaveLength(2);
    expect(r.stdout).toMatch(/stopped in the last hour:\n.*\n^web\s+[0-9a-f-]{12}\s.*Essential container in task exited$/m);
    const w = await cli('ps', 'shop', 'staging', '--process', 'worker', '--json');
    expect(outcome(w)).toEqual(ok);
    expect(w.json().tasks).toEqual([]);
    const bad = await cli('ps', 'shop', 'staging', '--process', 'cron');
    expect(bad.code).toBe(2);
  });
});

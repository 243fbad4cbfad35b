/**
 * Seeing the running app against moto: `ps` over tasks the test starts (RunTask in the service's
 * group, one of them stopped), and `metrics` over data the test puts into CloudWatch.
 *
 * moto's tasks carry no health, zone, size, start time or stop code, and its ListTasks ignores
 * serviceName; those fields are proven with aws-sdk-client-mock in test/unit/ps.test.ts.
 */
import { motoPlatform, setUp, type MotoPlatform } from '../support/moto-platform';
import { ok, outcome } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'obs';
const CLUSTER = `${PLATFORM}-staging`;
let p: MotoPlatform;
let aws: Aws;
const cli = (...args: string[]) => p.run(...args);

beforeAll(async () => {
  p = await motoPlatform({ platform: PLATFORM, database: 'none', apps: { shop: { processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] } } } } });
  aws = p.aws;
  await setUp(p, ['deploy', 'registry.example.com/shop:1.0.0', 'shop', 'staging']);
}, 300_000);

afterAll(() => {
  aws.cloudwatch.destroy();
  p.close();
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

describe('metrics', () => {
  const at = Date.now();
  const minute = (ago: number) => new Date(Math.floor((at - ago * 60_000) / 60_000) * 60_000 + 1_000);
  beforeAll(async () => {
    const dims = [{ Name: 'ClusterName', Value: CLUSTER }, { Name: 'ServiceName', Value: 'shop-web' }];
    await aws.cloudwatch.send(
      new aws.sdk.cloudwatch.PutMetricDataCommand({
        Namespace: 'AWS/ECS',
        MetricData: [
          { MetricName: 'CPUUtilization', Dimensions: dims, Timestamp: minute(40), Value: 12.5, Unit: 'Percent' },
          { MetricName: 'CPUUtilization', Dimensions: dims, Timestamp: minute(10), Value: 87.5, Unit: 'Percent' },
          { MetricName: 'MemoryUtilization', Dimensions: dims, Timestamp: minute(10), Value: 40, Unit: 'Percent' },
        ],
      }),
    );
  });

  test('--json: the series from GetMetricData on one time index, gaps as null, never zero', async () => {
    const r = await cli('metrics', 'shop', 'staging', '--since', '1h', '--json');
    expect(outcome(r)).toEqual(ok);
    const out = r.json();
    expect(out.periodSeconds).toBe(120);
    const series = (name: string) => out.series.find((s: { name: string }) => s.name === name).values as (number | null)[];
    expect(series('web cpu')).toHaveLength(out.timestamps.length);
    expect(series('web cpu').filter((v) => v !== null)).toEqual([12.5, 87.5]);
    expect(series('web memory').filter((v) => v !== null)).toEqual([40]);
    // the worker has no data at all: every period is a gap
    expect(series('worker cpu').every((v) => v === null)).toBe(true);
    expect(out.releases.map((x: { number: number }) => x.number)).toEqual([1]);
  });

  test('the charts: min, max and last of the data there is; "no data" where there is none', async () => {
    const r = await cli('metrics', 'shop', 'staging', '--since', '1h', '--process', 'web');
    expect(outcome(r)).toEqual(ok);
    expect(r.stdout).toMatch(/^web cpu\s+.*min 12\.5% max 87\.5% last 87\.5%$/m);
    expect(r.stdout).not.toMatch(/^worker/m);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
});

describe('env status', () => {
  test('every deployed app on one line: release, change, image, tasks, URL; --json has the same', async () => {
    const r = await cli('env', 'status', 'staging', '--json');
    expect(outcome(r)).toEqual(ok);
    expect(r.json().apps).toEqual([
      expect.objectContaining({ app: 'shop', release: 1, description: 'Deploy shop:1.0.0', image: 'registry.example.com/shop:1.0.0', url: expect.stringMatching(/shop\.staging\.obs\.dev/) }),
    ]);
    expect(['ok', 'deploying', 'degraded', 'unknown']).toContain(r.json().apps[0].health);
    const human = await cli('env', 'status', 'staging');
    expect(outcome(human)).toEqual(ok);
    expect(human.stdout).toMatch(/^shop\s+1\s+Deploy shop:1\.0\.0\s+shop:1\.0\.0\s/m);
  });
});

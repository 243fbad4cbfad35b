/**
 * ps: the SDK mapping of a task (aws-sdk-client-mock: moto's tasks have no health, zone, size or
 * stop code), and the operation over the fakes: which release each task runs, the stopped hour,
 * the counts, --process. The moto end to end is test/integration/observe-e2e.test.ts.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { connect, type Aws } from '../../src/aws/client';
import * as sdk from '../../src/aws/sdk';
import { serviceTasks, type TaskRow } from '../../src/aws/ecs';
import { deploy } from '../../src/ops/deploy';
import { age, ps } from '../../src/ops/ps';
import { parseImage } from '../../src/plan/inputs';
import { failure, fakeOps, svc } from './fakes/ops';

const ecsMock = mockClient(sdk.ecs.ECSClient);
let aws: Aws;
beforeAll(async () => {
  aws = await connect({ region: 'eu-west-1', maxAttempts: 1 });
});
afterEach(() => ecsMock.reset());

const digest = (c: string) => `sha256:${c.repeat(64)}`;

test('serviceTasks: every field ps shows comes from DescribeTasks, and only the service\'s own tasks are kept', async () => {
  ecsMock.on(sdk.ecs.ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:eu-west-1:1:task/c/aaa', 'arn:aws:ecs:eu-west-1:1:task/c/bbb'] });
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves({
    tasks: [
      {
        taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/aaa',
        group: 'service:shop-web',
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        healthStatus: 'UNHEALTHY',
        availabilityZone: 'eu-west-1b',
        cpu: '256',
        memory: '512',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: new Date('2030-01-01T00:10:00Z'),
        containers: [{ name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage', image: 'shop:2', imageDigest: digest('b') }],
      },
      { taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/bbb', group: 'family:shop-web', containers: [] },
    ],
  });
  const rows = await serviceTasks(aws, 'c', 'shop-web', 'STOPPED');
  expect(ecsMock.commandCalls(sdk.ecs.ListTasksCommand)[0].args[0].input).toMatchObject({ cluster: 'c', serviceName: 'shop-web', desiredStatus: 'STOPPED' });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ health: 'UNHEALTHY', availabilityZone: 'eu-west-1b', cpu: '256', memory: '512', stopCode: 'EssentialContainerExited', containers: [{ exitCode: 137, imageDigest: digest('b') }] });
});

const t = { platform: 'acme', env: 'staging', app: 'web' };
const at = Date.parse('2030-06-01T12:00:00Z');
const task = (id: string, fields: Partial<TaskRow>): TaskRow => ({ arn: `arn:aws:ecs:eu-west-1:1:task/acme-staging/${id}`, group: 'service:web-web', containers: [], ...fields });

test('ps: one line per task with its release (by task definition, else by image digest), and the stopped hour with exit code and reason', async () => {
  const f = fakeOps();
  await deploy(f.ops, { target: t, image: `shop@${digest('a')}`, ref: parseImage(`shop@${digest('a')}`) });
  await deploy(f.ops, { target: t, image: `shop@${digest('b')}`, ref: parseImage(`shop@${digest('b')}`) });
  f.ops.clock = () => at;
  f.services.set('web-web', { ...svc('web-web', 'IN_PROGRESS', 2, 3), taskDefinition: 'td:web:7' });
  f.services.set('web-worker', { ...svc('web-worker', 'COMPLETED', 1, 1), taskDefinition: 'td:worker:3' });
  const tasks: Record<string, TaskRow[]> = {
    'web-web RUNNING': [
      task('new1', { taskDefinition: 'td:web:7', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', health: 'HEALTHY', startedAt: new Date(at - 125_000), availabilityZone: 'eu-west-1a', cpu: '256', memory: '512', containers: [{ imageDigest: digest('b') }] }),
      task('old1', { taskDefinition: 'td:web:6', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedAt: new Date(at - 2 * 86_400_000), containers: [{ imageDigest: digest('a') }] }),
    ],
    'web-web STOPPED': [
      task('dead1', { taskDefinition: 'td:web:7', lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: new Date(at - 600_000), stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ exitCode: 1, imageDigest: digest('b') }] }),
      task('gone1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: new Date(at - 2 * 3_600_000), containers: [{ exitCode: 0 }] }),
    ],
    'web-worker RUNNING': [task('wrk1', { group: 'service:web-worker', taskDefinition: 'td:worker:3', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedAt: new Date(at - 30_000) })],
    'web-worker STOPPED': [],
  };
  f.ops.tasks.serviceTasks = async (_cluster, service, desired = 'RUNNING') => tasks[`${service} ${desired}`];
  const r = await ps(f.ops, t);
  expect(r.release).toBe(2);
  expect(r.processes).toEqual([
    { name: 'web', service: 'web-web', desired: 3, running: 2, pending: 1, rollout: 'IN_PROGRESS' },
    { name: 'worker', service: 'web-worker', desired: 1, running: 1, pending: 0, rollout: 'COMPLETED' },
  ]);
  expect(r.tasks.map((x) => [x.process, x.id, x.release, x.health, x.ageSeconds, x.availabilityZone, x.cpu, x.memory])).toEqual([
    ['web', 'old1', 1, null, 172800, null, null, null],
    ['web', 'new1', 2, 'HEALTHY', 125, 'eu-west-1a', '256', '512'],
    ['worker', 'wrk1', 2, null, 30, null, null, null],
  ]);
  // the task that stopped two hours ago is out of the window
  expect(r.stopped).toEqual([expect.objectContaining({ id: 'dead1', release: 2, exitCode: 1, stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' })]);

  const only = await ps(f.ops, t, { process: 'worker' });
  expect(only.tasks.map((x) => x.id)).toEqual(['wrk1']);
  expect((await failure(ps(f.ops, t, { process: 'cron' }))).message).toMatch(/^ps --process cron: web has no cron service in staging \(it has web, worker\)/);
  expect([age(42), age(420), age(3 * 3600 + 120), age(5 * 86400), age(null)]).toEqual(['42s', '7m', '3h02m', '5d', '-']);
});

test('status: running/desired and the autoscaling bounds the stack runs, per process', async () => {
  const { appStatus } = await import('../../src/ops/apps');
  const { scale } = await import('../../src/ops/scale');
  const { testConfig } = await import('./fakes/ops');
  const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080, count: { min: 2, max: 6, cpu: 60 } }, worker: { command: ['worker'], count: 1 } }, database: false } } }));
  await deploy(f.ops, { target: t, image: 'shop:1', ref: parseImage('shop:1') });
  await scale(f.ops, t, { counts: {}, ranges: { web: { min: 3, max: 9 } } });
  f.services.set('web-web', svc('web-web', 'COMPLETED', 3, 4));
  const s = await appStatus(f.ops, t);
  expect(s.processes.map((p) => [p.process, p.running, p.desired, p.min, p.max])).toEqual([
    ['web', 3, 4, 3, 9],
    ['worker', 1, 1, null, null],
  ]);
});

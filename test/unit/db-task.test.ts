/**
 * The task runner's call sequence and failure paths with the ECS client mocked: moto never
 * runs a task, so exit codes, start failures, interruption and time-outs are proven here.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { connect, type Aws } from '../../src/aws/client';
import * as sdk from '../../src/aws/sdk';
import { ensureTaskDefinition, runTask, taskDefinitionInput, type TaskRun, type TaskTarget } from '../../src/database/runner-task';
import { DROP_PLAN, ENSURE_PLAN } from '../../src/database/sql';
import { EventLog } from '../../src/events';

const ecsMock = mockClient(sdk.ecs.ECSClient);
let aws: Aws;
beforeAll(async () => {
  // The product's own client factory; the mock replaces send() on every ECS client.
  aws = await connect({ region: 'eu-west-1', maxAttempts: 1 });
});

const target: TaskTarget = {
  family: 'acme-staging-dbadmin',
  cluster: 'acme-staging',
  subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
  securityGroup: 'sg-0dbadmin',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  tags: [{ Key: 'cyclops:platform', Value: 'acme' }],
};
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/shop/database-AbCdEf';
const run: TaskRun = {
  plan: ENSURE_PLAN,
  vars: { role: 'app_shop', db: 'app_shop', rotate: 'false' },
  environment: { PGHOST: 'db.internal', PGPORT: '5432' },
  secrets: { PGPASSWORD: 'arn:master:password::', APP_PASSWORD: `${SECRET}:password::v1` },
};
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/acme-staging/0123abcd';
const fast = { wait: { firstMs: 1, maxMs: 2, timeoutMs: 5000 } };

function stopped(container: { exitCode?: number; reason?: string }, stoppedReason = 'Essential container in task exited') {
  return { tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason, containers: [{ name: 'psql', ...container }] }] };
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(sdk.ecs.DescribeTaskDefinitionCommand).rejects(new Error('Unable to describe task definition'));
  ecsMock.on(sdk.ecs.RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:td:1' } });
  ecsMock.on(sdk.ecs.RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
});

test('RunTask: Fargate in the private subnets with the admin group and no public IP; passwords only as secrets', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolvesOnce({ tasks: [{ lastStatus: 'PENDING' }] }).resolves(stopped({ exitCode: 102 }));
  expect(await runTask(aws, target, run, fast)).toEqual({ roleCreated: 0, databaseCreated: 1 });
  const req = ecsMock.commandCalls(sdk.ecs.RunTaskCommand)[0].args[0].input;
  expect(req).toMatchObject({
    cluster: 'acme-staging',
    taskDefinition: 'arn:td:1',
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: target.subnets, securityGroups: ['sg-0dbadmin'], assignPublicIp: 'DISABLED' } },
  });
  const env = req.overrides!.containerOverrides![0].environment!;
  expect(env).toEqual(expect.arrayContaining([{ name: 'DB_ROLE', value: 'app_shop' }, { name: 'DB_NAME', value: 'app_shop' }, { name: 'DB_ROTATE', value: 'false' }]));
  expect(env.map((e) => e.name)).not.toContain('APP_PASSWORD');
  const td = ecsMock.commandCalls(sdk.ecs.RegisterTaskDefinitionCommand)[0].args[0].input;
  expect(td.containerDefinitions![0].secrets).toEqual([
    { name: 'APP_PASSWORD', valueFrom: `${SECRET}:password::v1` },
    { name: 'PGPASSWORD', valueFrom: 'arn:master:password::' },
  ]);
  expect(ecsMock.commandCalls(sdk.ecs.DescribeTasksCommand)).toHaveLength(2);
});

test('an unchanged task definition is reused; a changed one gets a new revision', async () => {
  const want = taskDefinitionInput(target, run.secrets);
  ecsMock.on(sdk.ecs.DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...want, status: 'ACTIVE', taskDefinitionArn: 'arn:td:7' } });
  expect(await ensureTaskDefinition(aws, target, run.secrets)).toBe('arn:td:7');
  expect(ecsMock.commandCalls(sdk.ecs.RegisterTaskDefinitionCommand)).toHaveLength(0);
  expect(await ensureTaskDefinition(aws, target, { ...run.secrets, APP_PASSWORD: `${SECRET}:password::v2` })).toBe('arn:td:1');
  expect(ecsMock.commandCalls(sdk.ecs.RegisterTaskDefinitionCommand)).toHaveLength(1);
});

test('a SQL failure (exit 3) is one line with the task id, the meaning and the reasons', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped({ exitCode: 3 }));
  await expect(runTask(aws, target, run, fast)).rejects.toMatchObject({
    exitCode: 1,
    message: 'database task 0123abcd: exited with code 3: a SQL statement failed; check that the admin user may create roles and databases (Essential container in task exited)',
  });
});

test('psql could not connect (exit 2) points at the security groups', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped({ exitCode: 2 }));
  await expect(runTask(aws, target, run, fast)).rejects.toThrow(/exited with code 2: psql could not connect .*DbAdminSecurityGroup/);
});

test('a task that never ran psql reports the stop reason and what to check', async () => {
  ecsMock
    .on(sdk.ecs.DescribeTasksCommand)
    .resolves(stopped({ reason: 'ResourceInitializationError: unable to pull secrets' }, 'Task failed to start'));
  await expect(runTask(aws, target, run, fast)).rejects.toThrow(
    'database task 0123abcd: stopped before psql ran (Task failed to start; ResourceInitializationError: unable to pull secrets); check that the execution role may read the secrets',
  );
});

test('RunTask failures (no capacity) are reported with their reason', async () => {
  ecsMock.on(sdk.ecs.RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free addresses' }] });
  await expect(runTask(aws, target, run, fast)).rejects.toThrow(
    'database task on cluster acme-staging: ECS did not start it (RESOURCE:ENI: no free addresses); check the cluster',
  );
  expect(ecsMock.commandCalls(sdk.ecs.DescribeTasksCommand)).toHaveLength(0);
});

test('an AWS error from RunTask becomes one line naming the action', async () => {
  ecsMock.on(sdk.ecs.RunTaskCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
  await expect(runTask(aws, target, run, fast)).rejects.toThrow('start the database task on cluster acme-staging: ClusterNotFoundException: Cluster not found.');
});

test('Ctrl-C stops the task and exits 130', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
  ecsMock.on(sdk.ecs.StopTaskCommand).resolves({});
  const abort = new AbortController();
  const p = runTask(aws, target, run, { signal: abort.signal, wait: { firstMs: 5_000, timeoutMs: 60_000 } });
  setTimeout(() => abort.abort(), 50);
  await expect(p).rejects.toMatchObject({ exitCode: 130 });
  expect(ecsMock.commandCalls(sdk.ecs.StopTaskCommand)[0].args[0].input).toMatchObject({ cluster: 'acme-staging', task: TASK });
});

test('a task that never stops times out with a clear message', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
  await expect(runTask(aws, target, run, { wait: { firstMs: 1, maxMs: 5, timeoutMs: 30 } })).rejects.toThrow(/database task 0123abcd: still RUNNING after 0 s/);
});

test('drop decodes its own state', async () => {
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped({ exitCode: 101 }));
  expect(await runTask(aws, target, { ...run, plan: DROP_PLAN, secrets: { PGPASSWORD: 'arn:master:password::' } }, fast)).toEqual({ dropped: 1 });
  ecsMock.on(sdk.ecs.DescribeTasksCommand).resolves(stopped({ exitCode: 102 }));
  await expect(runTask(aws, target, { ...run, plan: DROP_PLAN }, fast)).rejects.toThrow(/exited with code 102: unexpected exit/);
});

test('the runner emits task-state events (started, then each status change once), not prints', async () => {
  ecsMock
    .on(sdk.ecs.DescribeTasksCommand)
    .resolvesOnce({ tasks: [{ lastStatus: 'PENDING' }] })
    .resolvesOnce({ tasks: [{ lastStatus: 'PENDING' }] })
    .resolvesOnce({ tasks: [{ lastStatus: 'RUNNING' }] })
    .resolves(stopped({ exitCode: 102 }));
  const log = new EventLog();
  await runTask(aws, target, run, { ...fast, reporter: log });
  expect(log.events).toEqual([
    { type: 'task-state', code: 'task.state', task: 'database task 0123abcd', status: 'started on acme-staging' },
    { type: 'task-state', code: 'task.state', task: 'database task 0123abcd', status: 'PENDING' },
    { type: 'task-state', code: 'task.state', task: 'database task 0123abcd', status: 'RUNNING' },
    { type: 'task-state', code: 'task.state', task: 'database task 0123abcd', status: 'STOPPED' },
  ]);
});

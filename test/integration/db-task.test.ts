/**
 * The task runner against moto (env stack outputs, RunTask, task definition, Secrets Manager)
 * and, standing in for Fargate, the task's own command run by a local sh + psql against the
 * real PostgreSQL, with the environment and secrets ECS would inject.
 *
 * moto shortfall: its tasks never run and never report a container exit code. So the test
 * checks the RunTask request moto recorded, runs that exact command locally (proving the SQL
 * and the exit-code protocol on real PostgreSQL), then stops the task in moto and checks that
 * cyclops reports the stop with its reason. Exit-code decoding of a stopped task is covered
 * with aws-sdk-client-mock in test/unit/db-task.test.ts.
 */
import { spawnSync } from 'node:child_process';
import type { Aws } from '../../src/aws/client';
import { ensureAppDatabase, dropAppDatabase, type DbDeps } from '../../src/database';
import { DB_TASK_CONTAINER, DB_TASK_IMAGE, taskCommand } from '../../src/database/runner-task';
import { DROP_PLAN, ENSURE_PLAN } from '../../src/database/sql';
import { dbSecretName, envStack } from '../../src/naming';
import { motoAws } from '../support/store-env';
import { adminQuery, capturingReporter, connectAs, dbConfig } from './db-support';

const PLATFORM = 'dbtask';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/dbtask-staging-task-execution';
let aws: Aws;
let masterArn: string;
let outputs: Record<string, string>;
const cap = capturingReporter();
const deps = (): DbDeps => ({ aws, config: dbConfig(PLATFORM, { type: 'rds', deletionProtection: false }), reporter: cap.reporter, taskWait: { firstMs: 50, maxMs: 200, timeoutMs: 20_000 } });

/** An env stack with real subnets and a security group in moto, and the outputs cyclops reads. */
async function createEnvStack(): Promise<void> {
  const master = await aws.secrets.send(
    new aws.sdk.secrets.CreateSecretCommand({
      Name: `rds!db-${PLATFORM}-master`,
      SecretString: JSON.stringify({ username: process.env.PG_ADMIN_USER, password: process.env.PG_ADMIN_PASSWORD }),
    }),
  );
  masterArn = master.ARN!;
  const template = {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.77.0.0/16', EnableDnsSupport: true, EnableDnsHostnames: true } },
      SubnetA: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.77.1.0/24', AvailabilityZone: 'eu-west-1a' } },
      SubnetB: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.77.2.0/24', AvailabilityZone: 'eu-west-1b' } },
      DbAdminSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db admin tasks', VpcId: { Ref: 'Vpc' } } },
      Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: `${PLATFORM}-staging` } },
    },
    Outputs: {
      VpcId: { Value: { Ref: 'Vpc' } },
      ClusterName: { Value: { Ref: 'Cluster' } },
      PrivateSubnets: { Value: { 'Fn::Join': [',', [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }]] } },
      DbAdminSecurityGroup: { Value: { 'Fn::GetAtt': ['DbAdminSg', 'GroupId'] } },
      TaskExecutionRoleArn: { Value: EXEC_ROLE },
      DatabaseEndpoint: { Value: process.env.PG_HOST },
      DatabasePort: { Value: process.env.PG_PORT },
      DatabaseMasterSecretArn: { Value: masterArn },
    },
  };
  await aws.cfn.send(new aws.sdk.cfn.CreateStackCommand({ StackName: envStack(PLATFORM, 'staging'), TemplateBody: JSON.stringify(template) }));
  const s = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: envStack(PLATFORM, 'staging') }));
  outputs = Object.fromEntries((s.Stacks![0].Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  await enableDnsHostnames(outputs.VpcId);
}

/**
 * moto shortfall: its CloudFormation VPC ignores EnableDnsHostnames, and its awsvpc RunTask
 * fails without it. There is no EC2 client in the product's SDK bundle, so the test sends
 * moto the EC2 query call itself (moto does not check signatures).
 */
async function enableDnsHostnames(vpcId: string): Promise<void> {
  const body = new URLSearchParams({ Action: 'ModifyVpcAttribute', Version: '2016-11-15', VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' });
  const r = await fetch(`${process.env.MOTO_ENDPOINT}/`, {
    method: 'POST',
    body,
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=0' },
  });
  if (!r.ok) throw new Error(`ModifyVpcAttribute: ${r.status} ${await r.text()}`);
}

/** What ECS does with `valueFrom`: `<secret arn>[:json-key:version-stage:version-id]`. */
async function resolveValueFrom(valueFrom: string): Promise<string> {
  const parts = valueFrom.split(':');
  const arn = parts.slice(0, 7).join(':');
  const [key, stage, versionId] = parts.slice(7);
  const out = await aws.secrets.send(
    new aws.sdk.secrets.GetSecretValueCommand({ SecretId: arn, ...(versionId ? { VersionId: versionId } : stage ? { VersionStage: stage } : {}) }),
  );
  return key ? JSON.parse(out.SecretString!)[key] : out.SecretString!;
}

/** Run a container's command here, with the task definition's secrets and the overrides' environment. */
function runContainer(command: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(command[0], command.slice(1), { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Start `op` (ensure or drop) and return the task it started, as moto recorded it, with its task definition. */
async function startedTask(op: () => Promise<unknown>) {
  const pending = op().then(
    (r) => r,
    (e: Error) => e,
  );
  const cluster = outputs.ClusterName;
  let taskArn: string | undefined;
  for (let i = 0; i < 200 && !taskArn; i++) {
    taskArn = (await aws.ecs.send(new aws.sdk.ecs.ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }))).taskArns?.[0];
    if (!taskArn) await new Promise((r) => setTimeout(r, 25));
  }
  if (!taskArn) throw new Error(`no task started: ${await Promise.race([pending, Promise.resolve('still running')])}`);
  const task = (await aws.ecs.send(new aws.sdk.ecs.DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0];
  const td = (await aws.ecs.send(new aws.sdk.ecs.DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }))).taskDefinition!;
  const stop = (reason: string) => aws.ecs.send(new aws.sdk.ecs.StopTaskCommand({ cluster, task: taskArn, reason }));
  return { pending, task, td, stop };
}

beforeAll(async () => {
  aws = await motoAws();
  await createEnvStack();
});

test('ensure runs a Fargate task in the private subnets with passwords only as ECS secrets; its command does the job on real PostgreSQL', async () => {
  const { pending: ensuring, task, td, stop } = await startedTask(() => ensureAppDatabase(deps(), 'staging', 'tshop'));

  // Task definition: family, Fargate, awsvpc, execution role, image, and the secrets by ARN.
  const appSecretArn = (await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: dbSecretName(PLATFORM, 'staging', 'tshop') }))).ARN!;
  expect(td).toMatchObject({ family: `${PLATFORM}-staging-dbadmin`, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], executionRoleArn: EXEC_ROLE });
  const container = td.containerDefinitions![0];
  expect(container).toMatchObject({ name: DB_TASK_CONTAINER, image: DB_TASK_IMAGE });
  const secrets = Object.fromEntries(container.secrets!.map((s) => [s.name!, s.valueFrom!]));
  expect(secrets).toEqual({
    PGUSER: `${masterArn}:username::`,
    PGPASSWORD: `${masterArn}:password::`,
    APP_PASSWORD: expect.stringMatching(new RegExp(`^${appSecretArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:verifier::[0-9a-f-]+$`)),
  });

  // RunTask: cluster, launch type, network configuration (moto records it on the task).
  expect(task.launchType).toBe('FARGATE');
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  expect(eni?.details?.find((d) => d.name === 'subnetId')?.value).toBe(outputs.PrivateSubnets.split(',')[0]);
  // moto keeps only the first subnet on the task; the request carried both and the group (unit test).

  // Overrides: the command is the fixed script; names and endpoint as plain environment; no password anywhere.
  const override = task.overrides!.containerOverrides!.find((c) => c.name === DB_TASK_CONTAINER)!;
  expect(override.command).toEqual(taskCommand(ENSURE_PLAN));
  const env = Object.fromEntries(override.environment!.map((e) => [e.name!, e.value!]));
  expect(env).toMatchObject({ PGHOST: process.env.PG_HOST, PGPORT: process.env.PG_PORT, PGDATABASE: 'postgres', PGSSLMODE: 'require', DB_ROLE: 'app_tshop', DB_NAME: 'app_tshop', DB_ROTATE: 'true' });
  // The task gets the password's SCRAM verifier, never the password itself.
  expect(await resolveValueFrom(secrets.APP_PASSWORD)).toMatch(/^SCRAM-SHA-256\$4096:/);
  const appPassword = await resolveValueFrom(secrets.APP_PASSWORD.replace(':verifier::', ':password::'));
  expect(appPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const request = JSON.stringify({ task, td });
  expect(request).not.toContain(appPassword);
  expect(request).not.toContain(process.env.PG_ADMIN_PASSWORD);

  // Be Fargate: run the command with the injected secrets (the test server has no TLS, so sslmode prefer).
  const injected: Record<string, string> = { ...env, PGSSLMODE: 'prefer' };
  for (const [name, valueFrom] of Object.entries(secrets)) injected[name] = await resolveValueFrom(valueFrom);
  const first = runContainer(override.command!, injected);
  expect(first).toEqual({ status: 103, stderr: '' }); // 100 + role created (1) + database created (2)
  const again = runContainer(override.command!, { ...injected, DB_ROTATE: 'false' });
  expect(again.status).toBe(100); // nothing created
  const c = await connectAs('app_tshop', appPassword, 'app_tshop');
  if (c instanceof Error) throw c;
  await c.query('CREATE TABLE t (x int)');
  await c.end();

  // moto never runs the task and reports exit code 0 once it is stopped (by us, or by its own
  // state machine): cyclops must not take that for success, since success is 100 + state.
  await stop('test: stopped by the test');
  const err = await ensuring;
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(/^database task [0-9a-f-]+: exited with code 0: the command ended without reporting a result/);
  expect(cap.output()).not.toContain(appPassword);
});

describe('the task command on real PostgreSQL', () => {
  const base = () => ({
    PGHOST: process.env.PG_HOST!,
    PGPORT: process.env.PG_PORT!,
    PGDATABASE: 'postgres',
    PGUSER: process.env.PG_ADMIN_USER!,
    PGPASSWORD: process.env.PG_ADMIN_PASSWORD!,
  });

  test('rotation: old password fails, new works; drop reports 101 then 100', async () => {
    const env = { ...base(), DB_ROLE: 'app_trot', DB_NAME: 'app_trot', APP_PASSWORD: 'first-password-0123456789', DB_ROTATE: 'false' };
    expect(runContainer(taskCommand(ENSURE_PLAN), env).status).toBe(103);
    expect(runContainer(taskCommand(ENSURE_PLAN), { ...env, APP_PASSWORD: 'second-password-0123456789', DB_ROTATE: 'true' }).status).toBe(100);
    expect(await connectAs('app_trot', 'first-password-0123456789', 'app_trot')).toBeInstanceOf(Error);
    const c = await connectAs('app_trot', 'second-password-0123456789', 'app_trot');
    if (c instanceof Error) throw c;
    await c.end();
    expect(runContainer(taskCommand(DROP_PLAN), env).status).toBe(101);
    expect(runContainer(taskCommand(DROP_PLAN), env).status).toBe(100);
    expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = 'app_trot'`)).toEqual([]);
  });

  test('hostile names and password travel as psql variables and cannot inject', async () => {
    const name = `t"; DROP DATABASE postgres; -- ' \\ é`;
    const pw = `pw'; DROP ROLE postgres; --`;
    const env = { ...base(), DB_ROLE: name, DB_NAME: name, APP_PASSWORD: pw, DB_ROTATE: 'false' };
    expect(runContainer(taskCommand(ENSURE_PLAN), env)).toEqual({ status: 103, stderr: '' });
    expect(await adminQuery('SELECT pg_get_userbyid(datdba) AS o FROM pg_database WHERE datname = $1', [name])).toEqual([{ o: name }]);
    const c = await connectAs(name, pw, name);
    if (c instanceof Error) throw c;
    await c.end();
    expect(runContainer(taskCommand(DROP_PLAN), env).status).toBe(101);
    expect(await adminQuery(`SELECT datname FROM pg_database WHERE datname = 'postgres'`)).toHaveLength(1);
    expect(await adminQuery(`SELECT rolname FROM pg_roles WHERE rolname = 'postgres'`)).toHaveLength(1);
  });

  test('a SQL failure exits 3 (psql ON_ERROR_STOP), which is below the success range', async () => {
    // a role that may not create roles
    await adminQuery(`DROP ROLE IF EXISTS tweak`);
    await adminQuery(`CREATE ROLE tweak LOGIN PASSWORD 'tweak-pw'`);
    const env = { ...base(), PGUSER: 'tweak', PGPASSWORD: 'tweak-pw', DB_ROLE: 'app_tno', DB_NAME: 'app_tno', APP_PASSWORD: 'x-password-0123456789', DB_ROTATE: 'false' };
    const r = runContainer(taskCommand(ENSURE_PLAN), env);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/permission denied to create role/);
    expect(runContainer(taskCommand(ENSURE_PLAN), { ...env, PGPORT: '1' }).status).toBe(2);
  });
});

test('drop through the task runner starts a task without the app password', async () => {
  const { pending: dropping, task, td, stop } = await startedTask(() => dropAppDatabase(deps(), 'staging', 'tshop'));
  expect(td.containerDefinitions![0].secrets!.map((s) => s.name).sort()).toEqual(['PGPASSWORD', 'PGUSER']);
  expect(task.overrides!.containerOverrides![0].command).toEqual(taskCommand(DROP_PLAN));
  await stop('test: done');
  expect(String(await dropping)).toMatch(/database task [0-9a-f-]+: exited with code 0: .*\(test: done\)$/);
});

test('RDS with --runner direct: endpoint and master secret come from the env stack; TLS is required', async () => {
  // The test server offers no TLS and RDS always does, so this stops at the TLS check, after
  // cyclops read the endpoint from the stack outputs and the master login from its secret.
  const err = await ensureAppDatabase({ ...deps(), runner: 'direct' }, 'staging', 'trds').catch((e: Error) => e);
  expect((err as Error).message).toBe(
    `database ${process.env.PG_HOST}:${process.env.PG_PORT}: the server does not offer TLS and ssl is "require"; enable TLS on the server, or set database.ssl to "prefer"`,
  );
  expect(cap.output()).not.toContain(process.env.PG_ADMIN_PASSWORD);
});

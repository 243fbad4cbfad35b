/** `exec: true` in the app template, and the release phase's task definition derived from a rendered template. */
import { renderApp, templateBody } from '../../src/plan';
import { EXEC_ACTIONS } from '../../templates/app';
import { releaseTaskDefinition, resolveIntrinsics } from '../../src/ops/release-phase/task-definition';
import { CyclopsError } from '../../src/errors';
import { variants } from './fixtures';

const v = variants();
const withExec = renderApp(v, 'staging', 'console', { port: 20010 });
const without = renderApp(v, 'staging', 'worker', { port: 20011 });
const resources = (t: typeof withExec) => t.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;

test('exec: true turns on ECS Exec on every service and gives the task role exactly the four ssmmessages actions', () => {
  const r = resources(withExec);
  const services = Object.values(r).filter((x) => x.Type === 'AWS::ECS::Service');
  expect(services).toHaveLength(2);
  for (const s of services) expect(s.Properties.EnableExecuteCommand).toBe(true);
  const policies = r.TaskRole.Properties.Policies;
  expect(policies).toHaveLength(1);
  expect(policies[0].PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: EXEC_ACTIONS, Resource: '*' }]);
  expect([...EXEC_ACTIONS].sort()).toEqual(['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']);
  expect(r.TaskRole.Properties.ManagedPolicyArns).toBeUndefined();
});

test('without exec the services have no ECS Exec and the task role no permissions; a release process adds no resource', () => {
  const r = resources(without);
  for (const s of Object.values(r).filter((x) => x.Type === 'AWS::ECS::Service')) expect(s.Properties.EnableExecuteCommand).toBeUndefined();
  expect(r.TaskRole.Properties.Policies).toBeUndefined();
  expect(Object.keys(resources(withExec)).filter((k) => /Release/.test(k))).toEqual([]);
});

const ctx = {
  target: { platform: 'acme', env: 'staging', app: 'worker' },
  image: 'registry.example.com/worker:2',
  release: { command: ['bin/migrate'], cpu: 512, memory: 1024 },
  outputs: { privateSubnets: 'subnet-1,subnet-2', serviceSecurityGroup: 'sg-1', redisEndpoint: 'redis.internal' },
  region: 'eu-west-1',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  taskRoleArn: 'arn:aws:iam::123456789012:role/task',
  accountId: '123456789012',
  partition: 'aws',
  logGroup: '/cyclops/acme/staging/worker',
  fargate: true,
};

test('the release task definition: the template task definition with the new image, the release command and size, intrinsics resolved', () => {
  const td = releaseTaskDefinition(templateBody(without), ctx);
  expect(td).toMatchObject({ family: 'acme-staging-worker-release', cpu: '512', memory: '1024', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], executionRoleArn: ctx.executionRoleArn, taskRoleArn: ctx.taskRoleArn });
  const c = td.containerDefinitions[0];
  expect(c).toMatchObject({ name: 'release', image: ctx.image, command: ['bin/migrate'] });
  expect(c.logConfiguration!.options).toEqual({ 'awslogs-group': ctx.logGroup, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'release' });
  // the SSM parameter secret of the fixture and the database secret, their Fn::Sub resolved
  expect(c.secrets).toEqual(
    expect.arrayContaining([
      { name: 'TOKEN', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/acme/token' },
      { name: 'DATABASE_URL', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/worker/database:url::' },
    ]),
  );
  expect(JSON.stringify(td)).not.toMatch(/Fn::|"Ref"/);
});

test('intrinsics: imports by export name, joins, splits and subs resolve; an unknown one is a clear failure', () => {
  expect(resolveIntrinsics({ 'Fn::Join': ['', ['rediss://', { 'Fn::ImportValue': 'acme-staging:RedisEndpoint' }, ':6379']] }, ctx)).toBe('rediss://redis.internal:6379');
  expect(resolveIntrinsics({ 'Fn::Split': [',', { 'Fn::ImportValue': 'acme-staging:PrivateSubnets' }] }, ctx)).toEqual(['subnet-1', 'subnet-2']);
  expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}' }, ctx)).toBe('arn:aws:x:eu-west-1:123456789012');
  expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Db', 'Endpoint.Address'] }, ctx)).toThrow(CyclopsError);
  expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'acme-staging:Nope' }, ctx)).toThrow(/cannot resolve the import acme-staging:Nope/);
});

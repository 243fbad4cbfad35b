/**
 * App log groups belong to cyclops, not to the app stack: deploy makes the group (idempotent)
 * with its retention before the stack, and the template names it instead of creating it, so
 * destroy + deploy works on real AWS where the retained group already exists. moto cannot show
 * the name clash (it deletes a Retain group's stack without complaint), hence these unit tests.
 */
import { mockClient } from 'aws-sdk-client-mock';
import type { Aws } from '../../src/aws/client';
import { ensureLogGroup } from '../../src/aws/loggroups';
import * as sdk from '../../src/aws/sdk';
import { destroyApp } from '../../src/ops/apps';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { renderApp } from '../../src/plan';
import { fakeOps, testConfig, type Fake } from './fakes/ops';

const logsMock = mockClient(sdk.logs.CloudWatchLogsClient);
const aws = { sdk, region: 'eu-west-1', logs: new sdk.logs.CloudWatchLogsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), calls: () => 0 } as unknown as Aws;
const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: Fake, dryRun = false) => deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') }, { dryRun });

beforeEach(() => logsMock.reset());

test('ensureLogGroup creates the group with tags and sets its retention; an existing group gets its retention again', async () => {
  logsMock.on(sdk.logs.CreateLogGroupCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('exists'), { name: 'ResourceAlreadyExistsException', $metadata: {} }));
  logsMock.on(sdk.logs.PutRetentionPolicyCommand).resolves({});
  expect(await ensureLogGroup(aws, '/cyclops/acme/staging/web', 30, { 'cyclops:app': 'web' })).toBe('created');
  expect(await ensureLogGroup(aws, '/cyclops/acme/staging/web', 30, { 'cyclops:app': 'web' })).toBe('exists');
  expect(logsMock.commandCalls(sdk.logs.CreateLogGroupCommand)[0].args[0].input).toEqual({ logGroupName: '/cyclops/acme/staging/web', tags: { 'cyclops:app': 'web' } });
  expect(logsMock.commandCalls(sdk.logs.PutRetentionPolicyCommand).map((c) => c.args[0].input)).toEqual([
    { logGroupName: '/cyclops/acme/staging/web', retentionInDays: 30 },
    { logGroupName: '/cyclops/acme/staging/web', retentionInDays: 30 },
  ]);
});

test('the app template names the group and does not create it', () => {
  const t = renderApp(testConfig(), 'staging', 'web', { port: 20000 }) as { Resources: Record<string, { Type: string; Properties: any }>; Outputs: Record<string, { Value: unknown }> };
  expect(Object.values(t.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup')).toEqual([]);
  const defs = Object.values(t.Resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
  expect(defs.length).toBeGreaterThan(0);
  for (const d of defs) expect(d.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group']).toBe('/cyclops/acme/staging/web');
  expect(t.Outputs.LogGroupName.Value).toBe('/cyclops/acme/staging/web');
});

test('deploy makes the log group after the lock and port, before the template and the stack', async () => {
  const f = fakeOps();
  await run(f);
  const i = (c: string) => f.calls.indexOf(c);
  expect(i('logGroups.ensure')).toBeGreaterThan(i('store.allocatePort'));
  expect(i('logGroups.ensure')).toBeLessThan(i('store.pushTemplate'));
  expect(i('logGroups.ensure')).toBeLessThan(i('stacks.apply'));
  expect(f.logGroups.get('/cyclops/acme/staging/web')).toBe(30);
});

test('a dry run and the fast path make no log group', async () => {
  const f = fakeOps();
  await run(f, true);
  expect(f.calls).not.toContain('logGroups.ensure');
  await run(f);
  f.calls.length = 0;
  expect((await run(f)).skipped).toBe(true);
  expect(f.calls).not.toContain('logGroups.ensure');
});

test('destroy then deploy again: the group that stayed is reused, and the new stack is created', async () => {
  const f = fakeOps();
  await run(f);
  await destroyApp(f.ops, target);
  expect(f.logGroups.has('/cyclops/acme/staging/web')).toBe(true); // the logs stay
  const again = await run(f);
  expect(again).toMatchObject({ action: 'create', changed: true });
});

/**
 * `cyclops notify test` against moto, end to end: the environment stack makes the topic (read
 * back from SNS) and the EventBridge rule (moto's CloudFormation has no AWS::SNS::Subscription), and the test
 * message reaches a subscriber: an HTTP endpoint this test serves and subscribes (moto delivers
 * to HTTP subscribers; SNS would ask a real one to confirm first).
 *
 * moto cannot emit ECS deployment events: the rule's pattern is proven against AWS's documented
 * events in test/unit/notifications.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { motoAws, TEST_REGION } from '../support/store-env';
import { motoCli, writeMotoConfig } from '../support/moto-app';
import type { Aws } from '../../src/aws/client';

const PLATFORM = 'ntf';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-notify-'));
let aws: Aws;
let server: Server;
const received: string[] = [];

const cli = motoCli(dir);

beforeAll(async () => {
  aws = await motoAws();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await writeMotoConfig(aws, dir, {
    platform: PLATFORM,
    bucket: 'ntf-notify-config',
    domain: 'staging.ntf.dev',
    range: [25000, 25999],
    staging: { database: { type: 'none' }, notifications: { email: ['ops@ntf.dev'] } },
    apps: { shop: { processes: { web: { port: 3000 } } } },
  });
  for (const args of [['bootstrap'], ['env', 'create', 'staging']]) {
    const r = await cli(...args, '--json');
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  }
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const c of [aws.s3, aws.cfn, aws.sns]) c.destroy();
});

test('the environment stack makes the topic (read back from SNS) and the deployment rule', async () => {
  const topicArn = `arn:aws:sns:${TEST_REGION}:123456789012:${PLATFORM}-staging-notifications`;
  const stack = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging` }));
  const outputs = Object.fromEntries(stack.Stacks![0].Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
  expect(outputs.NotificationTopicArn).toMatch(new RegExp(`:${PLATFORM}-staging-notifications$`));
  const attrs = await aws.sns.send(new aws.sdk.sns.GetTopicAttributesCommand({ TopicArn: outputs.NotificationTopicArn }));
  expect(attrs.Attributes?.TopicArn).toBe(outputs.NotificationTopicArn);
  // moto's CloudFormation has no AWS::SNS::Subscription (it neither lists nor subscribes it): the
  // subscriptions' properties are proven by test/unit/notifications.test.ts and cfn-lint
  const res = await aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: `${PLATFORM}-staging` }));
  const types = Object.fromEntries(res.StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.ResourceType]));
  expect(types).toMatchObject({ NotificationTopic: 'AWS::SNS::Topic', DeploymentEventsRule: 'AWS::Events::Rule' });
  expect(topicArn.split(':').pop()).toBe(outputs.NotificationTopicArn.split(':').pop());
});

test('notify test --json publishes to the topic; a subscriber receives it; the output says subscribers confirm', async () => {
  const stack = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-staging` }));
  const topicArn = stack.Stacks![0].Outputs!.find((o) => o.OutputKey === 'NotificationTopicArn')!.OutputValue!;
  const { port } = server.address() as AddressInfo;
  await aws.sns.send(new aws.sdk.sns.SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/hook` }));

  const r = await cli('notify', 'test', 'staging', '--json');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ env: 'staging', topicArn, email: ['ops@ntf.dev'], subject: `cyclops ${PLATFORM}/staging: test notification` });
  expect(out.messageId).toMatch(/\S/);
  expect(out.confirmation).toMatch(/receive nothing until they confirm/);
  const notification = received.map((b) => JSON.parse(b)).find((m) => m.Type === 'Notification');
  expect(notification).toMatchObject({ TopicArn: topicArn, MessageId: out.messageId, Subject: out.subject });
  expect(notification.Message).toMatch(/test notification from cyclops for environment staging/);

  const human = await cli('notify', 'test', 'staging');
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/must|confirm/);
}, 120_000);

test('an environment without notifications: exit 2, one line naming the fix', async () => {
  const r = await cli('notify', 'test', 'nope', '--json');
  expect(r.code).toBe(2);
  expect(JSON.parse(r.stdout || r.stderr).error?.message ?? r.stderr).toMatch(/nope/);
});

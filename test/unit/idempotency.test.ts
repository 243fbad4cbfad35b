/**
 * Create-type calls carry an idempotency token, and the SDK's retry of a lost reply carries the
 * same one: a local HTTP endpoint performs the first request, answers 503 (the reply is lost),
 * and the SDK tries again. The real src/aws functions and the real SDK clients run; only the
 * endpoint is a fake. Tokens: RunTask clientToken, CreateStack ClientRequestToken,
 * CreateChangeSet ClientToken, ExecuteChangeSet ClientRequestToken (see src/aws/call.ts); and a CreateStack
 * retry answered AlreadyExistsException, as moto does, finds the stack the first attempt made.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Aws } from '../../src/aws/client';
import { createChangeSet, createStack, executeChangeSet } from '../../src/aws/cloudformation';
import { runFargateTask } from '../../src/aws/ecs';

let server: http.Server;
let aws: Aws;
const seen: { body: string; target?: string }[] = [];
/** the answer a request gets once its retry comes (the first attempt always gets 503) */
let answer = '';
let contentType = 'text/xml';
/** instead of `answer`: the status and body for a request (its retry, as above) */
let reply: ((body: string) => [number, string]) | undefined;
const CREDS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '' };
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ body, target: req.headers['x-amz-target'] as string | undefined });
      if (seen.length % 2 === 1) return res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      const [status, text] = reply ? reply(body) : [200, answer];
      res.writeHead(status, { 'content-type': contentType }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  for (const k of Object.keys(CREDS)) saved[k] = process.env[k];
  Object.assign(process.env, CREDS);
  aws = await connect({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxAttempts: 3 });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  reply = undefined;
});

const param = (body: string, name: string) => new URLSearchParams(body).get(name);
const input = { stackName: 'acme-staging-web', templateUrl: 'https://acme-config.s3.eu-west-1.amazonaws.com/t.json', tags: [] };

test('CreateStack: a ClientRequestToken, the same on the retry', async () => {
  contentType = 'text/xml';
  answer = '<CreateStackResponse><CreateStackResult><StackId>arn:aws:cloudformation:eu-west-1:1:stack/acme-staging-web/x</StackId></CreateStackResult></CreateStackResponse>';
  const out = await createStack(aws, input);
  expect(out.stackId).toMatch(/acme-staging-web/);
  expect(seen).toHaveLength(2);
  const [a, b] = seen.map((s) => param(s.body, 'ClientRequestToken'));
  expect(a).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
  expect(b).toBe(a);
  // and the next call is a new request, with a new token
  await createStack(aws, input);
  expect(param(seen[2].body, 'ClientRequestToken')).not.toBe(a);
});

test('CreateStack answered AlreadyExists on the retry (moto keeps no tokens): the real SDK counts the attempts, the stack the first made is taken', async () => {
  contentType = 'text/xml';
  const stackId = 'arn:aws:cloudformation:eu-west-1:1:stack/acme-staging-web/x';
  const now = new Date().toISOString();
  reply = (body) => {
    const action = param(body, 'Action');
    if (action === 'CreateStack') return [400, '<ErrorResponse><Error><Type>Sender</Type><Code>AlreadyExistsException</Code><Message>Stack [acme-staging-web] already exists</Message></Error></ErrorResponse>'];
    if (action === 'DescribeStacks') return [200, `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>acme-staging-web</StackName><StackId>${stackId}</StackId><StackStatus>CREATE_IN_PROGRESS</StackStatus><CreationTime>${now}</CreationTime><Tags/><Parameters/></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`];
    return [200, `<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents><member><EventId>e1</EventId><StackId>${stackId}</StackId><StackName>acme-staging-web</StackName><LogicalResourceId>acme-staging-web</LogicalResourceId><ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus><Timestamp>${now}</Timestamp></member></StackEvents></DescribeStackEventsResult></DescribeStackEventsResponse>`];
  };
  expect(await createStack(aws, input)).toEqual({ stackId, retried: true });
  expect(seen.map((s) => param(s.body, 'Action'))).toEqual(['CreateStack', 'CreateStack', 'DescribeStacks', 'DescribeStacks', 'DescribeStackEvents', 'DescribeStackEvents']);
});

test('CreateChangeSet: a ClientToken, the same on the retry', async () => {
  contentType = 'text/xml';
  answer = '<CreateChangeSetResponse><CreateChangeSetResult><Id>arn:cs</Id><StackId>arn:stack</StackId></CreateChangeSetResult></CreateChangeSetResponse>';
  await createChangeSet(aws, { ...input, changeSetName: 'cyclops-1', type: 'UPDATE' });
  const [a, b] = seen.map((s) => param(s.body, 'ClientToken'));
  expect(a).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$/);
  expect(b).toBe(a);
});

test('ExecuteChangeSet: a ClientRequestToken, the same on the retry', async () => {
  contentType = 'text/xml';
  answer = '<ExecuteChangeSetResponse><ExecuteChangeSetResult/></ExecuteChangeSetResponse>';
  await executeChangeSet(aws, 'acme-staging-web', 'cyclops-1');
  const [a, b] = seen.map((s) => param(s.body, 'ClientRequestToken'));
  expect(a).toBeTruthy();
  expect(b).toBe(a);
});

test('RunTask: a clientToken of at most 64 characters, the same on the retry (one task, not two)', async () => {
  contentType = 'application/x-amz-json-1.1';
  answer = JSON.stringify({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:1:task/acme-staging/abc' }], failures: [] });
  const out = await runFargateTask(aws, { cluster: 'acme-staging', taskDefinition: 'td:1', startedBy: 'cyclops-run', subnets: ['s'], securityGroups: ['g'], container: 'web', command: ['migrate'], tags: [] });
  expect(out.arn).toMatch(/task\/acme-staging\/abc$/);
  expect(seen.map((s) => s.target)).toEqual(['AmazonEC2ContainerServiceV20141113.RunTask', 'AmazonEC2ContainerServiceV20141113.RunTask']);
  const [a, b] = seen.map((s) => (JSON.parse(s.body) as { clientToken?: string }).clientToken);
  expect(a).toBeTruthy();
  expect(a!.length).toBeLessThanOrEqual(64);
  expect(b).toBe(a);
});

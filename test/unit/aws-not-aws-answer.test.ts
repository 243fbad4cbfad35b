/**
 * An endpoint that answers with something no AWS service sends (an HTML 500 from a proxy or a
 * wrong --endpoint-url) is reported as such, not as the SDK's JSON parse error. A local HTTP
 * server plays the endpoint; the SDK clients are real, so this checks how the SDK surfaces it:
 * a SyntaxError for JSON protocols (ECS, Secrets Manager), an "Unknown" error without a
 * request id for query/XML protocols (CloudFormation, S3).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Aws } from '../../src/aws/client';
import { getStack } from '../../src/aws/cloudformation';
import { describeServices } from '../../src/aws/ecs';

type Answer = { status: number; type: string; body: string; headers?: Record<string, string> };
let answer: Answer;
let requests = 0;
let server: http.Server;
let endpoint: string;
let aws: Aws;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  aws = await connect({ region: 'us-east-1', endpoint, maxAttempts: 1, credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }) });
});

afterAll(async () => {
  aws.cfn.destroy();
  aws.ecs.destroy();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  requests = 0;
  answer = { status: 500, type: 'text/html; charset=utf-8', body: '<html><body><h1>500 Internal Server Error</h1></body></html>' };
});

test('an HTML 500 to a JSON-protocol call (ECS) names the status and the endpoint, not a JSON parse error', async () => {
  const e = (await describeServices(aws, 'c', ['s']).then(() => null, (x: unknown) => x)) as Error & { code?: string; exitCode?: number };
  expect(requests).toBe(1);
  expect(e.message).toMatch(/; check --endpoint-url\/AWS_ENDPOINT_URL, or a proxy between here and AWS$/);
  expect(e.message).toContain(`HTTP 500 from ${endpoint} (not an AWS answer: text/html)`);
  expect(e.message).not.toMatch(/JSON|Unexpected token|Deserialization/);
  expect(e.code).toBe('not-aws');
  expect(e.exitCode).toBe(1);
});

test('an HTML 502 to a query-protocol call (CloudFormation) says the same, not "Unknown"', async () => {
  answer.status = 502;
  const e = (await getStack(aws, 'acme-staging-web').then(() => null, (x: unknown) => x)) as Error & { code?: string };
  expect(e.message).toContain(`HTTP 502 from ${endpoint} (not an AWS answer: text/html)`);
  expect(e.message).not.toMatch(/Unknown/);
  expect(e.code).toBe('not-aws');
});

test('a body in no AWS format (not JSON, no request id) is still not an AWS answer', async () => {
  answer = { status: 500, type: 'application/octet-stream', body: 'upstream connect error' };
  const e = (await describeServices(aws, 'c', ['s']).then(() => null, (x: unknown) => x)) as Error & { code?: string };
  expect(e.message).toContain(`HTTP 500 from ${endpoint} (not an AWS answer: application/octet-stream)`);
});

test("a real AWS error (JSON, with a request id) keeps AWS's own words", async () => {
  answer = { status: 500, type: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'ServerException', message: 'the service broke' }), headers: { 'x-amzn-requestid': 'req-1' } };
  const e = (await describeServices(aws, 'c', ['s']).then(() => null, (x: unknown) => x)) as Error & { code?: string };
  expect(e.message).toMatch(/ServerException: the service broke$/);
  expect(e.code).toBe('aws');
});

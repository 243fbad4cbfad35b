/**
 * Retry bounds, 409 handling and error messages of the config-bucket store, with the S3
 * client mocked (moto never sends 409 ConditionalRequestConflict, so it is proven here).
 */
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkStreamMixin } from '@smithy/core/serde';
import type { Aws } from '../../src/aws/client';
import * as sdk from '../../src/aws/sdk';
import { backoffMs, withCas } from '../../src/store/cas';
import { acquireLock, allocatePort, ensureBucket, readPorts } from '../../src/store';
import { REQUEST_STALE_MS, serve } from '../../src/store/port-requests';
import { storeConfig } from '../support/store-env';

const s3Mock = mockClient(sdk.s3.S3Client);
const config = storeConfig('unit-bucket', [20000, 20009]);
const aws = {
  sdk,
  region: 'eu-west-1',
  s3: new sdk.s3.S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  calls: () => 0,
} as unknown as Aws;

const s3Error = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new sdk.s3.S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: extra.message as string ?? name }), extra);
const body = (text: string) => sdkStreamMixin(Readable.from([Buffer.from(text)]));
const portsBody = (envs: Record<string, Record<string, number>> = {}) => JSON.stringify({ version: 1, range: [20000, 20009], environments: envs });
const noSleep = { sleep: async () => {} };

/** The request object, the listing of requests (web's own alone) and their removal succeed; only ports.json writes are scripted. */
const requestsAllowed = () => {
  s3Mock.on(sdk.s3.PutObjectCommand).resolves({ ETag: '"r"' });
  s3Mock.on(sdk.s3.ListObjectsV2Command).resolves({ Contents: [{ Key: 'ports-requests/staging/web', LastModified: new Date() }] });
  s3Mock.on(sdk.s3.DeleteObjectCommand).resolves({});
  s3Mock.on(sdk.s3.DeleteObjectsCommand).resolves({});
};
const filePuts = () => s3Mock.commandCalls(sdk.s3.PutObjectCommand).filter((c) => c.args[0].input.Key === 'ports.json');
const PORTS = { Key: 'ports.json' };

beforeEach(() => s3Mock.reset());

test('backoff is full jitter in a window that doubles and is capped', () => {
  expect([1, 2, 3, 4].map((n) => backoffMs(n, { random: () => 0.999 }))).toEqual([39, 79, 159, 319]);
  expect(backoffMs(30, { random: () => 0.999 })).toBe(1998);
  expect(backoffMs(5, { random: () => 0 })).toBe(0);
});

test('withCas retries 409 and 412 with backoff, and stops on anything else', async () => {
  const sleeps: number[] = [];
  let n = 0;
  const r = await withCas(
    'thing',
    async () => {
      n++;
      if (n === 1) throw s3Error('ConditionalRequestConflict', 409);
      if (n === 2) throw s3Error('PreconditionFailed', 412);
      return 'done';
    },
    { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  );
  expect(r).toEqual({ value: 'done', attempts: 3 });
  expect(sleeps).toEqual([20, 40]);

  let calls = 0;
  await expect(withCas('thing', async () => { calls++; throw new Error('boom'); }, noSleep)).rejects.toThrow('boom');
  expect(calls).toBe(1);
});

test('allocatePort survives a 409 ConditionalRequestConflict: re-reads and writes again', async () => {
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(() => ({ Body: body(portsBody({ staging: { a: 20000 } })), ETag: '"e1"' }));
  requestsAllowed();
  s3Mock
    .on(sdk.s3.PutObjectCommand, PORTS)
    .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
    .resolves({ ETag: '"e2"' });
  const r = await allocatePort(aws, config, 'staging', 'web', noSleep);
  expect(r).toEqual({ port: 20001, allocated: true, attempts: 2 });
  const puts = filePuts();
  expect(puts).toHaveLength(2);
  expect(puts.every((c) => c.args[0].input.IfMatch === '"e1"')).toBe(true);
  expect(s3Mock.commandCalls(sdk.s3.GetObjectCommand)).toHaveLength(2);
});

test('the first write uses IfNoneMatch "*"; retries stop at the bound with a clear error', async () => {
  s3Mock.on(sdk.s3.GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
  requestsAllowed();
  s3Mock.on(sdk.s3.PutObjectCommand, PORTS).rejects(s3Error('PreconditionFailed', 412));
  const err = await allocatePort(aws, config, 'staging', 'web', { ...noSleep, maxAttempts: 7 }).catch((e) => e);
  expect(err.exitCode).toBe(1);
  expect(err.message).toBe('s3://unit-bucket/ports.json: other writers kept changing it; gave up after 7 attempts (last: PreconditionFailed); run the command again');
  // The request was written before the first attempt and removed after the last.
  expect(s3Mock.commandCalls(sdk.s3.PutObjectCommand)[0].args[0].input.Key).toBe('ports-requests/staging/web');
  expect(s3Mock.commandCalls(sdk.s3.DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['ports-requests/staging/web']);
  const puts = filePuts();
  expect(puts).toHaveLength(7);
  expect(puts[0].args[0].input).toMatchObject({ IfNoneMatch: '*', Key: 'ports.json' });
  expect(puts[0].args[0].input.IfMatch).toBeUndefined();
});

test('the default bound is 12 attempts', async () => {
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(() => ({ Body: body(portsBody()), ETag: '"e"' }));
  requestsAllowed();
  s3Mock.on(sdk.s3.PutObjectCommand, PORTS).rejects(s3Error('ConditionalRequestConflict', 409));
  await expect(allocatePort(aws, config, 'staging', 'web', noSleep)).rejects.toThrow(/gave up after 12 attempts \(last: ConditionalRequestConflict\)/);
  expect(filePuts()).toHaveLength(12);
});

test('other S3 errors are not retried and become one line', async () => {
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(() => ({ Body: body(portsBody()), ETag: '"e"' }));
  requestsAllowed();
  s3Mock.on(sdk.s3.PutObjectCommand, PORTS).rejects(s3Error('AccessDenied', 403, { message: 'Access Denied' }));
  const err = await allocatePort(aws, config, 'staging', 'web', noSleep).catch((e) => e);
  expect(err.message).toBe('write s3://unit-bucket/ports.json: access denied (Access Denied); the credentials need permission for this action');
  expect(filePuts()).toHaveLength(1);
});

test('serving: each pending request gets the lowest free port of its env in request order; a full env is left unserved', () => {
  const file = { version: 1 as const, range: [20000, 20002] as [number, number], environments: { staging: { a: 20000, b: 20002 } } };
  const next = serve(file, [
    { env: 'staging', app: 'a' }, // has a port: kept
    { env: 'staging', app: 'c' },
    { env: 'production', app: 'c' },
    { env: 'staging', app: 'd' }, // staging is full by now
  ]);
  expect(next.environments).toEqual({ staging: { a: 20000, b: 20002, c: 20001 }, production: { c: 20000 } });
  expect(file.environments.staging).toEqual({ a: 20000, b: 20002 }); // pure
});

test('the writer serves every listed request, stale ones too, and deletes those it served in one call', async () => {
  // ports.json as S3 would keep it: what the last write put there.
  let stored = portsBody();
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(() => ({ Body: body(stored), ETag: '"e"' }));
  requestsAllowed();
  s3Mock.on(sdk.s3.PutObjectCommand, PORTS).callsFake((input) => {
    stored = input.Body as string;
    return { ETag: '"e2"' };
  });
  const old = new Date(Date.now() - REQUEST_STALE_MS - 1000);
  s3Mock.on(sdk.s3.ListObjectsV2Command).resolves({
    Contents: [
      { Key: 'ports-requests/staging/dead', LastModified: old },
      { Key: 'ports-requests/staging/web', LastModified: new Date(Date.now() - 1000) }, // the oldest live one: web leads
      { Key: 'ports-requests/staging/live', LastModified: new Date() },
    ],
  });
  expect(await allocatePort(aws, config, 'staging', 'web', noSleep)).toMatchObject({ port: 20001, allocated: true, attempts: 1 });
  expect(JSON.parse(filePuts()[0].args[0].input.Body as string).environments).toEqual({ staging: { dead: 20000, web: 20001, live: 20002 } });
  expect(filePuts()).toHaveLength(1); // the service rounds after it found everyone served
  const batch = s3Mock.commandCalls(sdk.s3.DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.map((o) => o.Key).sort());
  expect(batch[0]).toEqual(['ports-requests/staging/dead', 'ports-requests/staging/live']);
  expect(s3Mock.commandCalls(sdk.s3.DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['ports-requests/staging/web']);
});

test('a follower never writes while the leader serves: it waits until its request is gone, then reads its port', async () => {
  let listed = 0;
  s3Mock.on(sdk.s3.PutObjectCommand).resolves({ ETag: '"r"' });
  s3Mock.on(sdk.s3.DeleteObjectCommand).resolves({});
  // The leader's request is older; on the third list the leader has served web and deleted its request.
  s3Mock.on(sdk.s3.ListObjectsV2Command).callsFake(() => ({
    Contents: [
      { Key: 'ports-requests/staging/leader', LastModified: new Date(Date.now() - 1000) },
      ...(++listed < 3 ? [{ Key: 'ports-requests/staging/web', LastModified: new Date() }] : []),
    ],
  }));
  s3Mock
    .on(sdk.s3.GetObjectCommand)
    .resolvesOnce({ Body: body(portsBody({ staging: { a: 20000 } })), ETag: '"e1"' } as never)
    .callsFake(() => ({ Body: body(portsBody({ staging: { a: 20000, leader: 20001, web: 20002 } })), ETag: '"e2"' }));
  const waits: number[] = [];
  const r = await allocatePort(aws, config, 'staging', 'web', { sleep: async (ms) => void waits.push(ms) });
  expect(r).toEqual({ port: 20002, allocated: true, attempts: 2 });
  expect(filePuts()).toHaveLength(0);
  expect(waits).toHaveLength(2);
  expect(waits.every((ms) => ms >= 25 && ms <= 1000)).toBe(true);
});

test('wrong region: a 301 from HeadBucket and a PermanentRedirect name the bucket\'s region', async () => {
  s3Mock.on(sdk.s3.HeadBucketCommand).rejects(s3Error('301', 301, { $response: { headers: { 'x-amz-bucket-region': 'us-east-2' } } }));
  await expect(ensureBucket(aws, config)).rejects.toThrow(
    'check bucket unit-bucket: wrong region: it is in us-east-2, not eu-west-1; set platform.region in config or pass --region us-east-2',
  );
  s3Mock.on(sdk.s3.GetObjectCommand).rejects(s3Error('PermanentRedirect', 301, { message: 'The bucket you are attempting to access must be addressed using the specified endpoint.' }));
  const err = await readPorts(aws, config).catch((e) => e);
  expect(err.exitCode).toBe(1);
  expect(err.message).toBe('read s3://unit-bucket/ports.json: wrong region: it is not in eu-west-1; set platform.region in config or pass --region');
  s3Mock.on(sdk.s3.GetObjectCommand).rejects(s3Error('AuthorizationHeaderMalformed', 400, { message: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'ap-south-1'" }));
  await expect(readPorts(aws, config)).rejects.toThrow('wrong region: it is in ap-south-1, not eu-west-1; set platform.region in config or pass --region ap-south-1');
});

test('bootstrap in us-east-1 sends no LocationConstraint; elsewhere it does', async () => {
  s3Mock.on(sdk.s3.HeadBucketCommand).rejects(s3Error('NotFound', 404));
  s3Mock.on(sdk.s3.CreateBucketCommand).resolves({});
  await ensureBucket({ ...aws, region: 'us-east-1' } as Aws, config);
  await ensureBucket(aws, config);
  const creates = s3Mock.commandCalls(sdk.s3.CreateBucketCommand).map((c) => c.args[0].input);
  expect(creates[0].CreateBucketConfiguration).toBeUndefined();
  expect(creates[1].CreateBucketConfiguration).toEqual({ LocationConstraint: 'eu-west-1' });
});

test('a bucket name owned by another account is a clear error', async () => {
  s3Mock.on(sdk.s3.HeadBucketCommand).rejects(s3Error('403', 403));
  await expect(ensureBucket(aws, config)).rejects.toThrow('bucket unit-bucket: exists but this account cannot use it (403); bucket names are global, so set platform.bucket to another name');
});

test('a 409 on the lock write is treated like a lost race: the current holder is reported (exit 3)', async () => {
  s3Mock.on(sdk.s3.PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
  const held = { version: 1, holder: 'x@y pid 1', operation: 'deploy', since: '2030-01-01T00:00:00.000Z', expires: '2999-01-01T00:00:00.000Z' };
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(() => ({ Body: body(JSON.stringify(held)), ETag: '"l"' }));
  await expect(acquireLock(aws, config, 'staging', 'web', 'deploy')).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('locked by x@y pid 1 (deploy) since 2030-01-01T00:00:00.000Z') });
});

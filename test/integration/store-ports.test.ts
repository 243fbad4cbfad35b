/** ports.json against moto: allocation, release, ranges, validation and the real 412 path. */
import type { Aws } from '../../src/aws/client';
import { CyclopsError } from '../../src/errors';
import { allocatePort, pushPortsRange, readPorts, releasePort } from '../../src/store';
import { createPlainBucket, motoAws, storeConfig } from '../support/store-env';

const bucket = 'store-ports-test';
let aws: Aws;

const putRaw = (body: string) => aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: 'ports.json', Body: body }));
const getRaw = async () => (await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: 'ports.json' }))).Body!.transformToString();
const requestKeys = async () =>
  ((await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: bucket, Prefix: 'ports-requests/' }))).Contents ?? []).map((o) => o.Key!).sort();
const putRequest = (env: string, app: string) => aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: `ports-requests/${env}/${app}`, Body: '{}' }));
const clear = async () => {
  await aws.s3.send(new aws.sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: 'ports.json' }));
  for (const key of await requestKeys()) await aws.s3.send(new aws.sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
};

beforeAll(async () => {
  aws = await motoAws();
  await createPlainBucket(aws, bucket);
});
beforeEach(clear);

test('allocation is idempotent, takes the lowest free port, and is per environment', async () => {
  const config = storeConfig(bucket, [20000, 20009]);
  expect(await readPorts(aws, config)).toBeNull();
  expect(await allocatePort(aws, config, 'staging', 'web')).toEqual({ port: 20000, allocated: true, attempts: 1 });
  expect(await allocatePort(aws, config, 'staging', 'api')).toMatchObject({ port: 20001, allocated: true });
  expect(await allocatePort(aws, config, 'staging', 'web')).toMatchObject({ port: 20000, allocated: false });
  expect(await allocatePort(aws, config, 'production', 'api')).toMatchObject({ port: 20000, allocated: true });

  expect(await releasePort(aws, config, 'staging', 'web')).toMatchObject({ port: 20000 });
  expect(await releasePort(aws, config, 'staging', 'web')).toMatchObject({ port: null });
  // The freed port is the lowest free one again.
  expect(await allocatePort(aws, config, 'staging', 'docs')).toMatchObject({ port: 20000 });
  expect(await readPorts(aws, config)).toEqual({
    version: 1,
    range: [20000, 20009],
    environments: { staging: { api: 20001, docs: 20000 }, production: { api: 20000 } },
  });
});

test('a crowd of first allocations at once: one leads and serves the rest, who never write ports.json and read it at most twice', async () => {
  const config = storeConfig(bucket, [20000, 20049]);
  const apps = Array.from({ length: 12 }, (_, i) => `app${String(i).padStart(2, '0')}`);
  const writes: string[] = [];
  // Count the writes of ports.json at the wire: followers must not compete for it.
  const counted = { ...aws, s3: { send: (cmd: { input: { Key?: string }; constructor: { name: string } }) => (cmd.constructor.name === 'PutObjectCommand' && cmd.input.Key === 'ports.json' && writes.push('put'), aws.s3.send(cmd as never)) } } as unknown as typeof aws;
  const results = await Promise.all(apps.map((app) => allocatePort(counted, config, 'staging', app)));
  const ports = results.map((r) => r.port);
  expect(new Set(ports).size).toBe(apps.length);
  expect([...ports].sort()).toEqual(apps.map((_, i) => 20000 + i));
  const attempts = results.map((r) => r.attempts).sort();
  expect(attempts[Math.floor(attempts.length / 2)]).toBeLessThanOrEqual(2);
  expect(Math.max(...attempts)).toBeLessThanOrEqual(3);
  expect(writes.length).toBeLessThan(apps.length / 2);
  expect(Object.keys((await readPorts(aws, config))!.environments.staging).sort()).toEqual(apps);
  expect(await requestKeys()).toEqual([]);
});

test('a full range is a clear error naming the range and how to widen it', async () => {
  const config = storeConfig(bucket, [20000, 20001]);
  await allocatePort(aws, config, 'staging', 'a');
  await allocatePort(aws, config, 'staging', 'b');
  const before = await getRaw();
  const err = await allocatePort(aws, config, 'staging', 'c').catch((e) => e);
  expect(err.message).toBe(
    'ports: the range 20000-20001 is full in staging (2 apps); widen ports.range in config.json and run "cyclops config push ports", or free one with "cyclops ports release APP staging"',
  );
  // Exit 2: refused before any write (no request object, the file as it was).
  expect(err.exitCode).toBe(2);
  expect(await getRaw()).toBe(before);
  expect(await requestKeys()).toEqual([]);
});

test('one winning write serves every pending request and deletes what it served; a leader that never writes is waited for, then passed', async () => {
  const config = storeConfig(bucket, [20000, 20009]);
  // Two allocations elsewhere (one in another env) wrote their requests and then went silent:
  // web follows the older one until it sees no progress (PATIENCE lists), then writes itself
  // after one more read of ports.json.
  await putRequest('staging', 'early');
  await putRequest('production', 'other');
  expect(await allocatePort(aws, config, 'staging', 'web')).toEqual({ port: 20001, allocated: true, attempts: 2 });
  expect(await readPorts(aws, config)).toEqual({
    version: 1,
    range: [20000, 20009],
    environments: { staging: { early: 20000, web: 20001 }, production: { other: 20000 } },
  });
  // web's write served the others too, so it deleted their requests with its own.
  expect(await requestKeys()).toEqual([]);
  // Their allocations find the port already given: no further write of ports.json.
  const etag = (await aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: 'ports.json' }))).ETag;
  await putRequest('staging', 'early'); // (still there)
  expect(await allocatePort(aws, config, 'staging', 'early')).toEqual({ port: 20000, allocated: false, attempts: 1 });
  expect((await aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: 'ports.json' }))).ETag).toBe(etag);
});

test('corrupt or invalid ports.json is reported and never overwritten', async () => {
  const config = storeConfig(bucket);
  await putRaw('{"version": 1, "range": [20000');
  await expect(allocatePort(aws, config, 'staging', 'web')).rejects.toThrow(/s3:\/\/store-ports-test\/ports.json: is not valid JSON .*will not overwrite it/);
  expect(await getRaw()).toBe('{"version": 1, "range": [20000');

  const dup = JSON.stringify({ version: 1, range: [20000, 20009], environments: { staging: { web: 20001, api: 20001 } } });
  await putRaw(dup);
  const err = await allocatePort(aws, config, 'staging', 'x').catch((e) => e);
  expect(err).toBeInstanceOf(CyclopsError);
  expect(err.message).toMatch(/is invalid \(environments\.staging\.api: port 20001 is also given to web\)/);
  expect(err.exitCode).toBe(1);
  await expect(pushPortsRange(aws, config)).rejects.toThrow(/is invalid/);
  expect(await getRaw()).toBe(dup);

  await putRaw(JSON.stringify({ version: 2, range: 'all', environments: {} }));
  await expect(readPorts(aws, config)).rejects.toThrow(/is invalid \(version: .*and \d+ more\)/);
});

test('config push ports creates the file, moves the range keeping allocations, and refuses to strand an app', async () => {
  const created = await pushPortsRange(aws, storeConfig(bucket, [20000, 20009]));
  expect(created).toMatchObject({ kind: 'ports', key: 'ports.json', created: true, changed: true, range: [20000, 20009] });
  expect(created.url).toBe(`https://${bucket}.s3.eu-west-1.amazonaws.com/ports.json`);
  expect(await pushPortsRange(aws, storeConfig(bucket, [20000, 20009]))).toMatchObject({ created: false, changed: false, sha256: created.sha256 });

  await allocatePort(aws, storeConfig(bucket, [20000, 20009]), 'staging', 'web'); // 20000
  await allocatePort(aws, storeConfig(bucket, [20000, 20009]), 'staging', 'api'); // 20001
  const widened = await pushPortsRange(aws, storeConfig(bucket, [20000, 20099]));
  expect(widened).toMatchObject({ changed: true, created: false });
  expect(await readPorts(aws, storeConfig(bucket))).toEqual({ version: 1, range: [20000, 20099], environments: { staging: { web: 20000, api: 20001 } } });

  const before = await getRaw();
  const err = await pushPortsRange(aws, storeConfig(bucket, [20001, 20050])).catch((e) => e);
  expect(err.exitCode).toBe(2);
  expect(err.message).toBe(
    'ports.range 20001-20050 in config.json: leaves out allocated ports of web in staging (20000); widen the range, or release those ports first with "cyclops ports release APP ENV"',
  );
  expect(await getRaw()).toBe(before);
});

test('a write that loses the race gets a real 412 from S3, re-reads and takes the next port', async () => {
  const config = storeConfig(bucket, [20000, 20009]);
  // Interleave: the first time our PutObject is about to go out, another writer gets in first.
  let sneaked = false;
  const statuses: number[] = [];
  aws.s3.middlewareStack.add(
    (next) => async (args) => {
      const input = (args as { input: { Key?: string; IfNoneMatch?: string; Body?: unknown } }).input;
      if (!sneaked && input.Key === 'ports.json' && input.IfNoneMatch) {
        sneaked = true;
        await putRaw(JSON.stringify({ version: 1, range: [20000, 20009], environments: { staging: { other: 20000 } } }));
      }
      try {
        return await next(args);
      } catch (e) {
        if (input.Body !== undefined) statuses.push((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0);
        throw e;
      }
    },
    { step: 'initialize', name: 'sneakInWriter' },
  );
  try {
    const r = await allocatePort(aws, config, 'staging', 'web');
    expect(r).toEqual({ port: 20001, allocated: true, attempts: 2 });
    expect(statuses).toEqual([412]);
    expect((await readPorts(aws, config))?.environments.staging).toEqual({ other: 20000, web: 20001 });
  } finally {
    aws.s3.middlewareStack.remove('sneakInWriter');
  }
});

// Names are not checked here: the store trusts a target resolved by the command
// (src/plan/target.ts); test/integration/adversarial.test.ts checks bad names at the CLI.

/**
 * The lock lease with a fake clock: expiry, renewal by CAS, a takeover that the old holder
 * detects before writing more, and a holder whose process is gone on this host. S3 is an
 * in-memory bucket behind aws-sdk-client-mock that honours IfNoneMatch/IfMatch exactly as S3
 * does (412 PreconditionFailed), so the lease code runs unchanged against it.
 */
import os from 'node:os';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkStreamMixin } from '@smithy/core/serde';
import * as sdk from '../../src/aws/sdk';
import { acquireLock, readLock } from '../../src/store';
import { storeConfig } from '../support/store-env';
import { fakeAwsOf } from './stacks-fakes';

const s3Mock = mockClient(sdk.s3.S3Client);
const config = storeConfig('lease-bucket');
const aws = fakeAwsOf('s3');

const objects = new Map<string, { body: string; etag: string }>();
let etags = 0;
const precondition = () =>
  new sdk.s3.S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'At least one of the pre-conditions you specified did not hold' });
const noSuchKey = () => new sdk.s3.S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });

beforeEach(() => {
  objects.clear();
  s3Mock.reset();
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake((input: { Key: string }) => {
    const o = objects.get(input.Key);
    if (!o) throw noSuchKey();
    return { Body: sdkStreamMixin(Readable.from([Buffer.from(o.body)])), ETag: o.etag };
  });
  s3Mock.on(sdk.s3.PutObjectCommand).callsFake((input: { Key: string; Body: string; IfMatch?: string; IfNoneMatch?: string }) => {
    const cur = objects.get(input.Key);
    if (input.IfNoneMatch === '*' && cur) throw precondition();
    if (input.IfMatch && (!cur || cur.etag !== input.IfMatch)) throw precondition();
    const etag = `"e${++etags}"`;
    objects.set(input.Key, { body: String(input.Body), etag });
    return { ETag: etag };
  });
  s3Mock.on(sdk.s3.DeleteObjectCommand).callsFake((input: { Key: string; IfMatch?: string }) => {
    const cur = objects.get(input.Key);
    if (input.IfMatch && cur && cur.etag !== input.IfMatch) throw precondition();
    objects.delete(input.Key);
    return {};
  });
});

/** A clock that moves only when told to. */
function clock(start = '2027-01-01T00:00:00Z') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (s: number) => (t += s * 1000) };
}

const KEY = 'locks/staging/web.json';
const stored = () => JSON.parse(objects.get(KEY)!.body);

test('a lease lasts two minutes by default and records host and pid; the heartbeat interval is a third of it', async () => {
  const c = clock();
  const lock = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, renewEverySeconds: 0 });
  expect(stored()).toMatchObject({ since: '2027-01-01T00:00:00.000Z', expires: '2027-01-01T00:02:00.000Z', host: os.hostname(), pid: process.pid });
  await lock.release();
  expect(objects.has(KEY)).toBe(false);
});

test('renewal moves the expiry forward by CAS, so a live holder is never taken over', async () => {
  const c = clock();
  const lock = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, ttlSeconds: 120, renewEverySeconds: 0 });
  c.advance(100);
  expect(await lock.renew()).toBe(true);
  expect(stored().expires).toBe('2027-01-01T00:03:40.000Z');
  expect(lock.expires).toBe('2027-01-01T00:03:40.000Z');
  c.advance(100); // 200 s after the start: past the first expiry, inside the renewed one
  await expect(acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'other', renewEverySeconds: 0 })).rejects.toMatchObject({ exitCode: 3 });
  expect(() => lock.assertHeld()).not.toThrow();
  await lock.release();
});

test('a crashed holder (no renewals) lapses; the next operation takes over, and the old holder finds out before writing', async () => {
  const c = clock();
  const old = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'old', renewEverySeconds: 0 });
  c.advance(121);
  const fresh = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'new', renewEverySeconds: 0 });
  expect(fresh).toMatchObject({ tookOverFrom: 'old', tookOverBecause: 'expired' });
  expect(stored().holder).toBe('new');

  // The old holder's clock says its lease has lapsed: it must not write anything more.
  expect(() => old.assertHeld()).toThrow(/lock locks\/staging\/web.json: the lease lapsed/);
  expect(old.lost.aborted).toBe(true);
  await old.release(); // not ours any more: the new lease stays
  expect(stored().holder).toBe('new');
  await fresh.release();
});

test('a renewal that finds the lease taken over marks the lock lost (exit 3), and release leaves the new holder alone', async () => {
  const c = clock();
  const a = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'a', renewEverySeconds: 0 });
  // Someone removed it by hand (cyclops unlock) and took it.
  objects.delete(KEY);
  const b = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'b', renewEverySeconds: 0 });
  expect(await a.renew()).toBe(false);
  expect(a.lost.aborted).toBe(true);
  let err: unknown;
  try {
    a.assertHeld();
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ exitCode: 3, message: expect.stringContaining('taken over or removed by someone else; stopped before writing anything more') });
  await a.release();
  expect(stored().holder).toBe('b');
  await b.release();
});

test('a passing S3 error does not lose the lease while it lasts; it is lost once the expiry passes unrenewed', async () => {
  const c = clock();
  const lock = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, renewEverySeconds: 0 });
  s3Mock.on(sdk.s3.PutObjectCommand).rejects(new sdk.s3.S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error' }));
  c.advance(60);
  expect(await lock.renew()).toBe(true);
  expect(lock.lost.aborted).toBe(false);
  c.advance(61);
  expect(await lock.renew()).toBe(false);
  expect(lock.lost.aborted).toBe(true);
});

test('the heartbeat renews on its own timer', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
  try {
    const lock = await acquireLock(aws, config, 'staging', 'web', 'deploy', { renewEverySeconds: 40 });
    const first = stored().expires;
    jest.setSystemTime(Date.now() + 40_000);
    await jest.advanceTimersByTimeAsync(40_000);
    expect(stored().renewed).toBeDefined();
    expect(new Date(stored().expires).getTime()).toBeGreaterThan(new Date(first).getTime());
    await lock.release();
    expect(objects.has(KEY)).toBe(false);
  } finally {
    jest.useRealTimers();
  }
});

test('a live lease whose holder process is gone on this host is taken over, and says why', async () => {
  const c = clock();
  await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, holder: 'crashed', renewEverySeconds: 0 });
  // The same lease as written by another process on this host, which has since died.
  const o = objects.get(KEY)!;
  objects.set(KEY, { ...o, body: JSON.stringify({ ...JSON.parse(o.body), pid: 999999 }) });
  const fresh = await acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, processAlive: (pid) => pid !== 999999, renewEverySeconds: 0 });
  expect(fresh).toMatchObject({ tookOverFrom: 'crashed', tookOverBecause: 'holder-gone' });
  // A holder on another host is never judged by its pid.
  objects.set(KEY, { ...objects.get(KEY)!, body: JSON.stringify({ ...stored(), host: 'elsewhere', pid: 999999 }) });
  await expect(acquireLock(aws, config, 'staging', 'web', 'deploy', { now: c.now, processAlive: () => false, renewEverySeconds: 0 })).rejects.toMatchObject({ exitCode: 3 });
  expect((await readLock(aws, config, 'staging', 'web'))?.info?.host).toBe('elsewhere');
});

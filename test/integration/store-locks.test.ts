/** Per-app locks against moto: one holder at a time, exit 3 for the second, expired takeover, release. */
import type { Aws } from '../../src/aws/client';
import { acquireLock, readLock, removeLock } from '../../src/store';
import { createPlainBucket, motoAws, storeConfig } from '../support/store-env';

const bucket = 'store-locks-test';
const config = storeConfig(bucket);
let aws: Aws;

beforeAll(async () => {
  aws = await motoAws();
  await createPlainBucket(aws, bucket);
});

test('the first holder gets the lock; a second gets exit 3 naming holder, start and unlock command', async () => {
  const lock = await acquireLock(aws, config, 'staging', 'web', 'deploy', { holder: 'alice@laptop pid 1' });
  expect(lock).toMatchObject({ key: 'locks/staging/web.json', holder: 'alice@laptop pid 1', operation: 'deploy' });
  const stored = await readLock(aws, config, 'staging', 'web');
  expect(stored?.info).toMatchObject({ version: 1, holder: 'alice@laptop pid 1', operation: 'deploy', since: lock.since, expires: lock.expires });

  const err = await acquireLock(aws, config, 'staging', 'web', 'destroy', { holder: 'bob@ci pid 2' }).catch((e) => e);
  expect(err.exitCode).toBe(3);
  expect(err.message).toBe(
    `web in staging is locked by alice@laptop pid 1 (deploy) since ${lock.since}, until ${lock.expires}; wait for it, or if it is stale run "cyclops unlock web staging"`,
  );
  // Other apps and environments are independent.
  const other = await acquireLock(aws, config, 'production', 'web', 'deploy');
  await other.release();

  await lock.release();
  expect(await readLock(aws, config, 'staging', 'web')).toBeNull();
  const again = await acquireLock(aws, config, 'staging', 'web', 'deploy', { holder: 'bob@ci pid 2' });
  await again.release();
});

test('an expired lock is taken over by CAS, and the old holder cannot delete the new lock', async () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const old = await acquireLock(aws, config, 'staging', 'api', 'deploy', { holder: 'old', ttlSeconds: 60, now: () => t0 });
  const later = new Date(t0.getTime() + 61_000);
  const fresh = await acquireLock(aws, config, 'staging', 'api', 'deploy', { holder: 'new', now: () => later });
  expect(fresh.tookOverFrom).toBe('old');
  expect((await readLock(aws, config, 'staging', 'api'))?.info?.holder).toBe('new');

  // The old holder's release is conditional on its ETag: the new lock stays.
  await old.release();
  expect((await readLock(aws, config, 'staging', 'api'))?.info?.holder).toBe('new');
  await fresh.release();
  expect(await readLock(aws, config, 'staging', 'api')).toBeNull();
});

test('an unreadable lock is a conflict that points at unlock; removeLock clears it', async () => {
  await aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: 'locks/staging/docs.json', Body: 'garbage' }));
  await expect(acquireLock(aws, config, 'staging', 'docs', 'deploy')).rejects.toMatchObject({
    exitCode: 3,
    message: 'lock locks/staging/docs.json: exists but cannot be read; if nobody is deploying docs to staging, remove it with "cyclops unlock docs staging"',
  });
  const cur = await readLock(aws, config, 'staging', 'docs');
  expect(cur?.info).toBeNull();
  expect(await removeLock(aws, config, 'staging', 'docs', cur!.etag)).toEqual({ removed: true });
  expect(await readLock(aws, config, 'staging', 'docs')).toBeNull();
});

test('two holders racing for a free lock: exactly one wins', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => acquireLock(aws, config, 'production', 'race', 'deploy', { holder: `h${i}` })),
  );
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  expect(won).toHaveLength(1);
  expect(lost.map((r) => r.reason.exitCode)).toEqual([3, 3, 3, 3, 3]);
  await (won[0] as PromiseFulfilledResult<{ release: () => Promise<void> }>).value.release();
});

/** Bootstrap, template push/read and releases against moto's S3. */
import type { Aws } from '../../src/aws/client';
import { ensureBucket, pushTemplate, readLatestTemplate, writeRelease, readRelease, deleteRelease, tlsOnlyPolicy } from '../../src/store';
import { createPlainBucket, motoAws, storeConfig } from '../support/store-env';

const bucket = 'store-bucket-test';
const config = storeConfig(bucket);
let aws: Aws;

beforeAll(async () => {
  aws = await motoAws();
  await createPlainBucket(aws, bucket);
});

test('ensureBucket creates a private, encrypted, versioned, TLS-only bucket, and is idempotent', async () => {
  const bucket = 'store-bootstrap-test';
  const config = storeConfig(bucket);
  const first = await ensureBucket(aws, config);
  expect(first).toMatchObject({ bucket, created: true, region: 'eu-west-1' });
  const second = await ensureBucket(aws, config);
  expect(second.created).toBe(false);

  const s3 = aws.sdk.s3;
  const loc = await aws.s3.send(new s3.GetBucketLocationCommand({ Bucket: bucket }));
  expect(loc.LocationConstraint).toBe('eu-west-1');
  const pab = await aws.s3.send(new s3.GetPublicAccessBlockCommand({ Bucket: bucket }));
  expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  const enc = await aws.s3.send(new s3.GetBucketEncryptionCommand({ Bucket: bucket }));
  expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
  const ver = await aws.s3.send(new s3.GetBucketVersioningCommand({ Bucket: bucket }));
  expect(ver.Status).toBe('Enabled');
  const pol = await aws.s3.send(new s3.GetBucketPolicyCommand({ Bucket: bucket }));
  const policy = JSON.parse(pol.Policy!);
  expect(policy).toEqual(JSON.parse(tlsOnlyPolicy(bucket, 'eu-west-1')));
  expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  const tagging = await aws.s3.send(new s3.GetBucketTaggingCommand({ Bucket: bucket }));
  expect(tagging.TagSet).toEqual(expect.arrayContaining([{ Key: 'cyclops:platform', Value: 'acme' }]));

  // Object requests to this bucket are not checked here: moto 5.2 ignores the Bool
  // aws:SecureTransport condition, and its endpoint is plain HTTP, so its answers say nothing
  // about HTTPS access. The other tests use a plain bucket (createPlainBucket).
});

test('pushTemplate uploads content once, at a content-addressed key, and readLatestTemplate follows the last push', async () => {
  const ids = { platform: 'acme', env: 'staging', app: 'web' };
  const a = '{"Resources":{"A":{}}}';
  const b = '{"Resources":{"B":{}}}';
  const first = await pushTemplate(aws, config, 'app', ids, a);
  expect(first.changed).toBe(true);
  expect(first.key).toMatch(/^templates\/app\/staging\/web\/[0-9a-f]{64}\.json$/);
  expect(first.url).toBe(`https://${bucket}.s3.eu-west-1.amazonaws.com/${first.key}`);
  expect(first.bytes).toBe(a.length);

  const calls = aws.calls();
  const again = await pushTemplate(aws, config, 'app', ids, a);
  expect(again).toEqual({ ...first, changed: false });
  // HeadObject + GetObject of the pointer; no PutObject.
  expect(aws.calls() - calls).toBe(2);

  await pushTemplate(aws, config, 'app', ids, b);
  expect((await readLatestTemplate(aws, config, 'app', ids))?.body).toBe(b);
  // Going back to old content: no new upload, but read shows what was pushed last.
  const back = await pushTemplate(aws, config, 'app', ids, a);
  expect(back.changed).toBe(true);
  const latest = await readLatestTemplate(aws, config, 'app', ids);
  expect(latest).toMatchObject({ key: first.key, sha256: first.sha256, body: a });

  const versions = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: bucket, Prefix: first.key }));
  expect(versions.Versions).toHaveLength(1);
  expect(await readLatestTemplate(aws, config, 'app', { platform: 'acme', env: 'production', app: 'web' })).toBeNull();
});

test('releases: append (numbered), read back the current one (extra fields kept), delete keeps the log', async () => {
  expect(await readRelease(aws, config, 'staging', 'web')).toEqual({ state: 'none' });
  const record = { app: 'web', env: 'staging', image: 'nginx:1.27', deployedAt: '2026-01-01T00:00:00.000Z', deployedBy: 'me@host pid 1', port: 20000, note: 'x' };
  const written = await writeRelease(aws, config, 'staging', 'web', record);
  expect(written).toEqual({ ...record, number: 1 });
  expect(await readRelease(aws, config, 'staging', 'web')).toEqual({ state: 'ok', record: { ...record, number: 1 } });
  await deleteRelease(aws, config, 'staging', 'web');
  expect(await readRelease(aws, config, 'staging', 'web')).toEqual({ state: 'none' });
  // numbers are never reused: the next record is 2
  expect((await writeRelease(aws, config, 'staging', 'web', record)).number).toBe(2);
});

test('releases: the single record of earlier versions is read, and becomes the first record of the log', async () => {
  const old = { app: 'web', env: 'production', image: 'nginx:1.25', deployedAt: '2025-01-01T00:00:00.000Z', deployedBy: 'me', number: 7 };
  await aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: bucket, Key: 'releases/production/web.json', Body: JSON.stringify(old) }));
  expect(await readRelease(aws, config, 'production', 'web')).toEqual({ state: 'ok', record: old });
  const next = await writeRelease(aws, config, 'production', 'web', { ...old, image: 'nginx:1.26', number: undefined });
  expect(next.number).toBe(8);
  const log = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: bucket, Prefix: 'releases/production/web/' }));
  expect((log.Contents ?? []).map((o) => o.Key).sort()).toEqual(['releases/production/web/000007.json', 'releases/production/web/000008.json', 'releases/production/web/current.json']);
  expect(await readRelease(aws, config, 'production', 'web')).toMatchObject({ state: 'ok', record: { number: 8, image: 'nginx:1.26' } });
});

test('a missing bucket is one line that says to bootstrap', async () => {
  const other = storeConfig('store-bucket-test-missing');
  await expect(readRelease(aws, other, 'staging', 'web')).rejects.toThrow(
    'read s3://store-bucket-test-missing/releases/staging/web/current.json: bucket store-bucket-test-missing does not exist; run "cyclops bootstrap" first',
  );
});

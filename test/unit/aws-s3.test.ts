/** src/aws/s3 behind the store: typed results for the conditions callers branch on, and the bucket's step events (S3 mocked). */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { isWriteConflict, WriteConflict } from '../../src/aws/s3';
import { isCyclopsError } from '../../src/errors';
import { EventLog } from '../../src/events';
import { ensureBucket } from '../../src/store';
import { getObject, putObject, where } from '../../src/store/s3';
import { storeConfig } from '../support/store-env';
import { fakeAwsOf } from './stacks-fakes';

const s3Mock = mockClient(sdk.s3.S3Client);
const config = storeConfig('unit-bucket', [20000, 20009]);
const aws = fakeAwsOf('s3');
const s3Error = (name: string, status: number) => new sdk.s3.S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

beforeEach(() => s3Mock.reset());

test('a lost conditional write leaves src/aws as a WriteConflict (exit 3) that keeps S3 error name', async () => {
  s3Mock.on(sdk.s3.PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
  const e = await putObject(where(aws, config), 'ports.json', '{}', { ifMatch: '"x"' }).catch((x) => x);
  expect(e).toBeInstanceOf(WriteConflict);
  expect(isCyclopsError(e) && e.exitCode).toBe(3);
  expect(e.name).toBe('PreconditionFailed');
  expect(isWriteConflict(e)).toBe(true);
});

test('an unconditional write that fails is one line, not a conflict', async () => {
  s3Mock.on(sdk.s3.PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
  const e = await putObject(where(aws, config), 'k', '{}').catch((x) => x);
  expect(isWriteConflict(e)).toBe(false);
  expect(e.message).toBe('write s3://unit-bucket/k: PreconditionFailed: PreconditionFailed');
});

test('a missing key is null; a missing bucket names the fix', async () => {
  s3Mock.on(sdk.s3.GetObjectCommand).rejectsOnce(s3Error('NoSuchKey', 404)).rejectsOnce(s3Error('NoSuchBucket', 404));
  expect(await getObject(where(aws, config), 'k')).toBeNull();
  await expect(getObject(where(aws, config), 'k')).rejects.toThrow('read s3://unit-bucket/k: bucket unit-bucket does not exist; run "cyclops bootstrap" first');
});

test('ensureBucket emits one step event per setting through an Events sink', async () => {
  s3Mock.on(sdk.s3.HeadBucketCommand).rejects(s3Error('NotFound', 404));
  s3Mock.on(sdk.s3.CreateBucketCommand).resolves({});
  const log = new EventLog();
  const r = await ensureBucket(aws, config, log);
  expect(r.created).toBe(true);
  expect(log.events).toEqual([
    { type: 'step', code: 'bootstrap.bucket.setting', data: {}, message: 'created bucket unit-bucket in eu-west-1' },
    ...['block public access', 'default encryption (SSE-S3)', 'versioning', 'TLS-only policy', 'tags'].map((w) => ({ type: 'step', code: 'bootstrap.bucket.setting', data: {}, message: `${w}: on` })),
  ]);
  expect(s3Mock.commandCalls(sdk.s3.PutBucketVersioningCommand)[0].args[0].input.VersioningConfiguration).toEqual({ Status: 'Enabled' });
});

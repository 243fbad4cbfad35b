/**
 * The CLI against moto: bootstrap, config push/read, ports, unlock. Bootstrap runs the built
 * binary (the bundled SDK chunk against a real endpoint); the rest runs in-process.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireLock, readLock } from '../../src/store';
import { cyclops as binary } from '../support/cli';
import { runCli as cyclops } from '../support/run-cli';
import { cliWorkspace, createPlainBucket, motoAws, storeConfig } from '../support/store-env';

const bucket = 'store-cli-test';
const ws = cliWorkspace(bucket, [22000, 22009]);

beforeAll(async () => {
  await createPlainBucket(await motoAws(), bucket);
});

test('bootstrap creates the bucket, then finds it; --json is one document', async () => {
  const boot = cliWorkspace('store-cli-bootstrap-test');
  const first = await binary(['bootstrap', '--json'], boot);
  expect(first.code).toBe(0);
  expect(first.json()).toMatchObject({ bucket: 'store-cli-bootstrap-test', region: 'eu-west-1', created: true });
  expect(first.stderr).toMatch(/versioning: on/);
  const second = await cyclops(['bootstrap'], boot);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/^s3:\/\/store-cli-bootstrap-test \(exists; block public access, default encryption \(SSE-S3\), versioning, TLS-only policy, tags\)/);
});

test('config push uploads once, prints the TemplateURL form, and config read shows it without writing', async () => {
  const push = await cyclops(['config', 'push', 'cluster', 'staging', '--json'], ws);
  expect(push.code).toBe(0);
  const doc = push.json();
  expect(doc).toMatchObject({ kind: 'cluster', changed: true });
  expect(doc.key).toMatch(/^templates\/cluster\/staging\/[0-9a-f]{64}\.json$/);
  expect(doc.url).toBe(`https://${bucket}.s3.eu-west-1.amazonaws.com/${doc.key}`);

  const again = await cyclops(['config', 'push', 'cluster', 'staging'], ws);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`${doc.url}  (unchanged, ${doc.bytes} bytes`);

  const all = await cyclops(['config', 'push', 'cluster', '--json'], ws);
  expect(all.json().pushed.map((p: { kind: string; key: string }) => p.key.split('/')[2])).toEqual(['staging', 'production']);

  const read = await cyclops(['config', 'read', 'cluster', 'staging'], ws);
  expect(read.code).toBe(0);
  expect(JSON.parse(read.stdout)).toHaveProperty('Resources');
  const readJson = await cyclops(['config', 'read', 'cluster', 'staging', '--json'], ws);
  expect(readJson.json()).toMatchObject({ key: doc.key, sha256: doc.sha256, bytes: doc.bytes });

  const platform = await cyclops(['config', 'push', 'platform', '--json'], ws);
  expect(platform.json()).toMatchObject({ kind: 'platform', key: expect.stringMatching(/^templates\/platform\//) });

  const missing = await cyclops(['config', 'read', 'app', 'ghost', 'staging'], ws);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('error: app ghost staging: nothing pushed yet; run "cyclops config push app ghost staging" first\n');
});

test('config push app renders with the allocated port, or says it uses the start of the range', async () => {
  const unallocated = await cyclops(['config', 'push', 'app', 'shop', 'staging', '--json'], ws);
  expect(unallocated.code).toBe(0);
  expect(unallocated.stderr).toContain('shop has no port in staging yet; rendering with 22000 (the start of the range) without allocating');
  expect((await cyclops(['ports', 'list', 'staging', '--json'], ws)).json().ports).toEqual([]);

  await cyclops(['ports', 'allocate', 'other', 'staging'], ws);
  await cyclops(['ports', 'allocate', 'shop', 'staging'], ws); // 22001
  const allocated = await cyclops(['config', 'push', 'app', 'shop', 'staging', '--json'], ws);
  expect(allocated.stderr).not.toContain('no port');
  const read = await cyclops(['config', 'read', 'app', 'shop', 'staging'], ws);
  expect(read.stdout).toContain('22001');
  expect(read.stdout).not.toContain('22000');

  const bad = await cyclops(['config', 'push', 'app', 'shop', 'staging', '--port', 'x'], ws);
  expect(bad.code).toBe(2);
  await cyclops(['ports', 'release', 'other', 'staging'], ws);
  await cyclops(['ports', 'release', 'shop', 'staging'], ws);
});

test('ports allocate, list, release; bad names are usage errors', async () => {
  const a = await cyclops(['ports', 'allocate', 'web', 'production', '--json'], ws);
  expect(a.json()).toEqual({ env: 'production', app: 'web', port: 22000, allocated: true, attempts: 1 });
  expect((await cyclops(['ports', 'allocate', 'web', 'production'], ws)).stdout).toBe('web in production: port 22000 (already had it)\n');
  const list = await cyclops(['ports', 'list'], ws);
  expect(list.stdout).toMatch(/^ENV\s+APP\s+PORT\nproduction\s+web\s+22000\n/);
  expect((await cyclops(['ports', 'release', 'web', 'production'], ws)).stdout).toBe('web in production: released port 22000\n');
  expect((await cyclops(['ports', 'release', 'web', 'production', '--json'], ws)).json()).toMatchObject({ port: null, released: false });

  const env = await cyclops(['ports', 'allocate', 'web', 'qa'], ws);
  expect(env.code).toBe(2);
  expect(env.stderr).toBe('error: environment "qa": not in config.json; use one of: staging, production, or add it under "environments"\n');
  expect((await cyclops(['ports', 'list', 'qa'], ws)).code).toBe(2);
  expect((await cyclops(['ports', 'allocate', '-x', 'staging'], ws)).code).toBe(2);
});

test('config push ports refuses a range that strands an app, and a corrupt ports.json fails with one line', async () => {
  const other = cliWorkspace('store-cli-ports-test', [23000, 23009]);
  await createPlainBucket(await motoAws(), 'store-cli-ports-test');
  expect((await cyclops(['config', 'push', 'ports', '--json'], other)).json()).toMatchObject({ created: true, range: [23000, 23009] });
  await cyclops(['ports', 'allocate', 'web', 'staging'], other);
  other.writeConfig([23001, 23009]);
  const narrowed = await cyclops(['config', 'push', 'ports'], other);
  expect(narrowed.code).toBe(2);
  expect(narrowed.stderr).toContain('leaves out allocated ports of web in staging (23000)');

  const aws = await motoAws();
  await aws.s3.send(new aws.sdk.s3.PutObjectCommand({ Bucket: 'store-cli-ports-test', Key: 'ports.json', Body: '{oops' }));
  const corrupt = await cyclops(['ports', 'allocate', 'api', 'staging'], other);
  expect(corrupt.code).toBe(1);
  expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);
  expect(corrupt.stderr).toMatch(/^error: s3:\/\/store-cli-ports-test\/ports.json: is not valid JSON/);
  expect((await cyclops(['config', 'read', 'ports'], other)).code).toBe(1);
});

test('unlock asks first (refuses without a terminal), removes with --yes, and says when there is no lock', async () => {
  const none = await cyclops(['unlock', 'web', 'staging', '--json'], ws);
  expect(none.json()).toEqual({ env: 'staging', app: 'web', locked: false, removed: false });

  await acquireLock(await motoAws(), storeConfig(bucket), 'staging', 'web', 'deploy', { holder: 'ci@runner pid 7' });
  const asked = await cyclops(['unlock', 'web', 'staging'], ws);
  expect(asked.code).toBe(2);
  expect(asked.stderr).toContain('held by ci@runner pid 7 (deploy)');
  expect(asked.stderr).toContain('error: unlock web staging: needs confirmation and there is no terminal to ask; pass --yes to confirm');
  expect(await readLock(await motoAws(), storeConfig(bucket), 'staging', 'web')).not.toBeNull();

  const yes = await cyclops(['unlock', 'web', 'staging', '--yes', '--json'], ws);
  expect(yes.code).toBe(0);
  expect(yes.json()).toMatchObject({ locked: true, removed: true, lock: { holder: 'ci@runner pid 7', operation: 'deploy' } });
  expect(await readLock(await motoAws(), storeConfig(bucket), 'staging', 'web')).toBeNull();
});

test('a config with a bad bucket name touches nothing (exit 2)', async () => {
  const bad = cliWorkspace('store-cli-test');
  writeFileSync(path.join(bad.cwd, 'config.json'), JSON.stringify({ platform: { name: 'acme', region: 'eu-west-1', bucket: 'Bad_Bucket' }, environments: {} }));
  const r = await cyclops(['bootstrap'], bad);
  expect(r.code).toBe(2);
});

/**
 * kill -9 of a real `cyclops deploy` (the built binary) at chosen points, then a rerun WITHOUT
 * `cyclops unlock`: it must converge. The killed holder's lease names this host and a pid that
 * is gone, so the rerun takes it over (with a warning); it must leave one stack that runs the
 * image, a release record that says so (a third deploy then takes the fast path) and no lock.
 *
 * The binary talks to moto through test/support/hold-proxy.mjs, which holds one chosen request
 * (or moto's answer to it) until the test has killed the client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Aws } from '../../src/aws/client';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';
import { lockKey } from '../../src/naming';
import { readRelease } from '../../src/store';
import { freePort } from '../support/global-setup';
import { cyclops, startCyclops } from '../support/cli';
import { motoAws, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';

const PLATFORM = 'crash';
const BUCKET = 'crash-test-config';
const APPS = ['a-create', 'b-execute', 'c-rollout', 'd-record', 'e-lapsed', 'f-live'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-crash-'));
let aws: Aws;
let config: Config;
let proxy: ChildProcess;
let control: string;

const env = (): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: control,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: TEST_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
});
const run = (args: string[]) => cyclops(args, { cwd: dir, env: env() });
const post = (p: string) => fetch(`${control}${p}`, { method: 'POST' }).then((r) => r.json() as Promise<unknown>);

async function waitUntil(what: string, ok: () => Promise<boolean>, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Start a deploy, let it run until the hold catches `match`, then SIGKILL it there. */
async function killAt(args: string[], match: string, mode: 'request' | 'response'): Promise<string> {
  await post(`/__hold?match=${encodeURIComponent(match)}&mode=${mode}`);
  const p = startCyclops(args, { cwd: dir, env: env() });
  await waitUntil(`${match} to be held (stderr so far: ${p.stderr()})`, async () => ((await fetch(`${control}/__held`).then((r) => r.json())) as { held: boolean }).held || p.child.exitCode !== null);
  expect(p.child.exitCode).toBeNull(); // still running, stuck at the held call
  p.child.kill('SIGKILL');
  const r = await p.done;
  expect(r.code).toBe(128); // killed by a signal
  await post('/__reset'); // the held request of a killed client never reaches moto
  return p.stderr();
}

async function stacksNamed(name: string): Promise<{ id: string; image?: string; updated?: string }[]> {
  const r = await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({}));
  return (r.Stacks ?? [])
    .filter((s) => s.StackName === name && s.StackStatus !== 'DELETE_COMPLETE')
    .map((s) => ({ id: s.StackId!, image: s.Parameters?.find((p) => p.ParameterKey === 'Image')?.ParameterValue, updated: (s.LastUpdatedTime ?? s.CreationTime)?.toISOString() }));
}

const lockExists = (app: string) =>
  aws.s3.send(new aws.sdk.s3.HeadObjectCommand({ Bucket: BUCKET, Key: lockKey('staging', app) })).then(() => true, () => false);

/** The rerun converged: one stack running the image, a record that says so, no lock, a fast third run. */
async function expectConverged(app: string, image: string, number: number): Promise<void> {
  const stacks = await stacksNamed(`${PLATFORM}-staging-${app}`);
  expect(stacks).toHaveLength(1);
  expect(stacks[0].image).toBe(image);
  const release = await readRelease(aws, config, 'staging', app);
  expect(release.state).toBe('ok');
  if (release.state !== 'ok') return;
  expect(release.record).toMatchObject({ app, env: 'staging', image, number, stack: `${PLATFORM}-staging-${app}` });
  expect(await lockExists(app)).toBe(false);
  const again = await run(['deploy', image, app, 'staging', '--json']);
  expect(again.code).toBe(0);
  expect(again.json()).toMatchObject({ skipped: true, changed: false, release: { number } });
}

const TOOK_OVER_DEAD = /took over the lock of .* pid \d+, whose process is no longer running on this host/;

beforeAll(async () => {
  aws = await motoAws();
  const port = await freePort();
  proxy = spawn(process.execPath, [path.join(__dirname, '../support/hold-proxy.mjs'), process.env.MOTO_ENDPOINT!, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => proxy.stdout!.once('data', resolve));
  control = `http://127.0.0.1:${port}`;
  const hostedZoneId = await createZone(aws, 'staging.crash.dev');
  const raw = {
    platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
    ports: { range: [24000, 24099] },
    environments: { staging: { dns: { domain: 'staging.crash.dev', hostedZoneId }, database: { type: 'none' } } },
    // one task each: moto reports a completed rollout for services of at most one task
    apps: Object.fromEntries(APPS.map((a) => [a, { processes: { web: { port: 8080, count: 1 } }, database: false }])),
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  config = parseConfig(raw, 'config.json');
  for (const args of [['bootstrap'], ['env', 'create', 'staging']]) {
    const r = await run(args);
    if (r.code !== 0) throw new Error(`setup: cyclops ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
}, 180000);

afterAll(() => {
  proxy?.kill();
  for (const c of [aws.s3, aws.cfn]) c.destroy();
});

describe('kill -9 of a deploy, then a rerun without unlock converges', () => {
  test('killed after CreateStack reached CloudFormation (its answer never came back)', async () => {
    await killAt(['deploy', 'nginx:1.27', 'a-create', 'staging'], '^CreateStack$', 'response');
    expect(await stacksNamed(`${PLATFORM}-staging-a-create`)).toHaveLength(1); // the create did happen
    expect(await lockExists('a-create')).toBe(true); // and the dead holder's lock is still there
    const r = await run(['deploy', 'nginx:1.27', 'a-create', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(TOOK_OVER_DEAD);
    expect(r.stderr).toMatch(/recording release: .* runs nginx:1\.27 but the release record did not say so/);
    await expectConverged('a-create', 'nginx:1.27', 1);
  });

  test('killed after ExecuteChangeSet of an update (the stack moved to the new image, the record did not)', async () => {
    expect((await run(['deploy', 'nginx:1.27', 'b-execute', 'staging'])).code).toBe(0);
    await killAt(['deploy', 'nginx:1.28', 'b-execute', 'staging'], '^ExecuteChangeSet$', 'response');
    expect((await stacksNamed(`${PLATFORM}-staging-b-execute`))[0].image).toBe('nginx:1.28');
    const r = await run(['deploy', 'nginx:1.28', 'b-execute', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(TOOK_OVER_DEAD);
    await expectConverged('b-execute', 'nginx:1.28', 2);
  });

  test('killed during the rollout wait (DescribeServices held)', async () => {
    await killAt(['deploy', 'nginx:1.27', 'c-rollout', 'staging'], 'DescribeServices$', 'request');
    const r = await run(['deploy', 'nginx:1.27', 'c-rollout', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(TOOK_OVER_DEAD);
    await expectConverged('c-rollout', 'nginx:1.27', 1);
  });

  test('killed just before the release write (the PUT never reached S3)', async () => {
    await killAt(['deploy', 'nginx:1.27', 'd-record', 'staging'], `^PUT /${BUCKET}/releases/staging/d-record`, 'request');
    expect((await readRelease(aws, config, 'staging', 'd-record')).state).toBe('none');
    const r = await run(['deploy', 'nginx:1.27', 'd-record', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(TOOK_OVER_DEAD);
    await expectConverged('d-record', 'nginx:1.27', 1);
  });
});

describe('a lease held on another host', () => {
  const putLock = (app: string, expires: Date) =>
    aws.s3.send(
      new aws.sdk.s3.PutObjectCommand({
        Bucket: BUCKET,
        Key: lockKey('staging', app),
        ContentType: 'application/json',
        Body: JSON.stringify({
          version: 1,
          holder: 'ci@build-agent-7 pid 4242',
          operation: 'deploy nginx:1.26',
          since: new Date(Date.now() - 600_000).toISOString(),
          expires: expires.toISOString(),
          host: 'build-agent-7',
          pid: 4242,
        }),
      }),
    );

  test('a lapsed lease (expires in the past) is taken over and the deploy proceeds', async () => {
    await putLock('e-lapsed', new Date(Date.now() - 1000));
    const r = await run(['deploy', 'nginx:1.27', 'e-lapsed', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/took over the lock of ci@build-agent-7 pid 4242, whose lease had lapsed/);
    await expectConverged('e-lapsed', 'nginx:1.27', 1);
  });

  test('a live lease on another host is respected: exit 3, nothing deployed', async () => {
    await putLock('f-live', new Date(Date.now() + 120_000));
    const r = await run(['deploy', 'nginx:1.27', 'f-live', 'staging']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ci@build-agent-7 pid 4242/);
    expect(await stacksNamed(`${PLATFORM}-staging-f-live`)).toHaveLength(0);
  });
});

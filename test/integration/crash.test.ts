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
import { appSecretName, lockKey, settingsKey } from '../../src/naming';
import { readRelease } from '../../src/store';
import { freePort } from '../support/global-setup';
import { cyclops, startCyclops } from '../support/cli';
import { motoAws, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';
import { allStacks } from '../support/aws-reads';

const PLATFORM = 'crash';
const BUCKET = 'crash-test-config';
const APPS = ['a-create', 'b-execute', 'c-rollout', 'd-record', 'e-lapsed', 'f-live', 'g-vars-put', 'h-vars-exec', 'i-vars-term', 'j-secret-put', 'k-unset-exec', 'l-locked', 'm-unset-int', 'n-secret-term', 'o-sunset-int'];
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
const run = (args: string[], input?: string) => cyclops(args, { cwd: dir, env: env(), input });
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
async function killAt(args: string[], match: string, mode: 'request' | 'response', input?: string): Promise<string> {
  await post(`/__hold?match=${encodeURIComponent(match)}&mode=${mode}`);
  const p = startCyclops(args, { cwd: dir, env: env(), input });
  await waitUntil(`${match} to be held (stderr so far: ${p.stderr()})`, async () => ((await fetch(`${control}/__held`).then((r) => r.json())) as { held: boolean }).held || p.child.exitCode !== null);
  expect(p.child.exitCode).toBeNull(); // still running, stuck at the held call
  p.child.kill('SIGKILL');
  const r = await p.done;
  expect(r.code).toBe(128); // killed by a signal
  await post('/__reset'); // the held request of a killed client never reaches moto
  return p.stderr();
}

async function stacksNamed(name: string): Promise<{ id: string; image?: string; updated?: string }[]> {
  return (await allStacks(aws))
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
  for (const c of [aws.s3, aws.cfn, aws.secrets]) c.destroy();
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

// ---- settings changes: the lock before the first write, pending until the release records them

/** The variable (or secret reference) is in the template the stack runs. */
async function stackTemplate(app: string): Promise<string> {
  const r = await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-staging-${app}` }));
  return r.TemplateBody ?? '';
}

const releases = async (app: string) => {
  const r = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: `releases/staging/${app}/` }));
  const records = await Promise.all(
    (r.Contents ?? []).filter((o) => /\/\d+\.json$/.test(o.Key!)).map(async (o) => {
      const g = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
      return JSON.parse(await g.Body!.transformToString()) as { number: number; kind?: string; outcome?: string; settingsRevision?: number };
    }),
  );
  return records.sort((a, b) => a.number - b.number);
};

const settingsObject = (app: string) =>
  aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: settingsKey('staging', app) })).then(
    async (g) => JSON.parse(await g.Body!.transformToString()) as { revision: number; vars: Record<string, string>; secrets: Record<string, { arn: string }> },
    () => null,
  );

/** After the rerun: the stack runs it, exactly one succeeded release of `kind` records the stored revision, no lock, and a third run is a no-op. */
async function expectSettingsConverged(app: string, kind: 'vars' | 'secrets', inTemplate: RegExp, notInTemplate?: RegExp): Promise<void> {
  const body = await stackTemplate(app);
  expect(body).toMatch(inTemplate);
  if (notInTemplate) expect(body).not.toMatch(notInTemplate);
  const log = await releases(app);
  const ok = log.filter((r) => r.kind === kind && (r.outcome ?? 'succeeded') === 'succeeded');
  expect(ok).toHaveLength(1);
  const current = await readRelease(aws, config, 'staging', app);
  expect(current.state === 'ok' && current.record.number).toBe(ok[0].number);
  expect(ok[0].settingsRevision).toBe((await settingsObject(app))!.revision);
  expect(await lockExists(app)).toBe(false);
}

describe('kill -9, Ctrl-C, SIGTERM and a held lock during vars and secrets changes: the natural rerun converges', () => {
  beforeAll(async () => {
    for (const app of ['g-vars-put', 'h-vars-exec', 'i-vars-term', 'j-secret-put', 'k-unset-exec', 'l-locked', 'm-unset-int', 'n-secret-term', 'o-sunset-int']) {
      const r = await run(['deploy', 'nginx:1.27', app, 'staging']);
      if (r.code !== 0) throw new Error(`setup: deploy ${app} exited ${r.code}: ${r.stderr}`);
    }
  }, 180000);

  test('vars set killed right after the settings were stored: the rerun applies them (never "nothing to do")', async () => {
    await killAt(['vars', 'set', 'g-vars-put', 'staging', 'FEATURE_X=on'], `^PUT /${BUCKET}/vars/staging/g-vars-put`, 'response');
    expect((await settingsObject('g-vars-put'))!.vars).toEqual({ FEATURE_X: 'on' }); // stored
    expect(await stackTemplate('g-vars-put')).not.toMatch(/FEATURE_X/); // not applied
    const list = await run(['vars', 'list', 'g-vars-put', 'staging', '--json']);
    expect(list.json()).toMatchObject({ pending: { FEATURE_X: 'on' } });
    const r = await run(['vars', 'set', 'g-vars-put', 'staging', 'FEATURE_X=on', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(TOOK_OVER_DEAD);
    expect(r.stderr).not.toMatch(/nothing to do/);
    expect(r.json()).toMatchObject({ changed: true, deployed: true, pending: false });
    await expectSettingsConverged('g-vars-put', 'vars', /"Name":\s*"FEATURE_X",\s*"Value":\s*"on"/);
    const again = await run(['vars', 'set', 'g-vars-put', 'staging', 'FEATURE_X=on', '--json']);
    expect(again.json()).toMatchObject({ changed: false, deployed: false, pending: false });
    expect(again.stderr).toMatch(/nothing to do/);
  });

  test('vars unset killed after ExecuteChangeSet (the stack moved, no record): the rerun records exactly one vars release', async () => {
    expect((await run(['vars', 'set', 'h-vars-exec', 'staging', 'OLD=1', 'KEEP=2'])).code).toBe(0);
    await killAt(['vars', 'unset', 'h-vars-exec', 'staging', 'OLD'], '^ExecuteChangeSet$', 'response');
    expect(await stackTemplate('h-vars-exec')).not.toMatch(/"OLD"/); // the stack runs without it
    const r = await run(['vars', 'unset', 'h-vars-exec', 'staging', 'OLD']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/nothing to do/);
    const log = await releases('h-vars-exec');
    expect(log.filter((x) => x.kind === 'vars').length).toBe(2); // the set, and one for the unset
    expect(log[log.length - 1]).toMatchObject({ kind: 'vars' });
    expect(await lockExists('h-vars-exec')).toBe(false);
    const body = await stackTemplate('h-vars-exec');
    expect(body).toMatch(/"KEEP"/);
    expect(body).not.toMatch(/"OLD"/);
    const current = await readRelease(aws, config, 'staging', 'h-vars-exec');
    expect(current.state === 'ok' && current.record.settingsRevision).toBe((await settingsObject('h-vars-exec'))!.revision);
  });

  test('vars set stopped by SIGTERM after CreateChangeSet: exit 143, says stored but not applied (not "nothing was changed"); the rerun applies it', async () => {
    await post(`/__hold?match=${encodeURIComponent('^CreateChangeSet$')}&mode=response`);
    const p = startCyclops(['vars', 'set', 'i-vars-term', 'staging', 'MODE=fast'], { cwd: dir, env: env() });
    await waitUntil('CreateChangeSet to be held', async () => ((await fetch(`${control}/__held`).then((x) => x.json())) as { held: boolean }).held || p.child.exitCode !== null);
    p.child.kill('SIGTERM');
    await post('/__release');
    const r = await p.done;
    expect(r.code).toBe(143);
    const last = r.stderr.trim().split('\n').pop()!;
    expect(last).toMatch(/the variables of i-vars-term in staging are stored but not applied: run the same command again to apply them$/);
    expect(last).not.toMatch(/nothing (more )?was changed/);
    expect(await lockExists('i-vars-term')).toBe(false); // SIGTERM let go of the lock
    expect(await stackTemplate('i-vars-term')).not.toMatch(/MODE/);
    const status = await run(['status', 'i-vars-term', 'staging', '--json']);
    expect(status.json()).toMatchObject({ pendingSettings: { names: ['MODE'] } });
    const again = await run(['vars', 'set', 'i-vars-term', 'staging', 'MODE=fast']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/nothing to do/);
    await expectSettingsConverged('i-vars-term', 'vars', /"Name":\s*"MODE",\s*"Value":\s*"fast"/);
  });

  test('secrets set killed right after Secrets Manager stored the value: the rerun applies it with one secrets release', async () => {
    await killAt(['secrets', 'set', 'j-secret-put', 'staging', 'API_TOKEN'], 'secretsmanager\\.(CreateSecret|PutSecretValue)$', 'response', 'value-one-1');
    expect((await settingsObject('j-secret-put'))?.secrets ?? {}).toEqual({}); // the reference was never stored
    const r = await run(['secrets', 'set', 'j-secret-put', 'staging', 'API_TOKEN'], 'value-one-1');
    expect(r.code).toBe(0);
    await expectSettingsConverged('j-secret-put', 'secrets', /"Name":\s*"API_TOKEN",\s*"ValueFrom"/);
  });

  test('secrets unset killed after ExecuteChangeSet: the rerun records it and deletes the secret', async () => {
    expect((await run(['secrets', 'set', 'k-unset-exec', 'staging', 'OLD_TOKEN'], 'value-two-2')).code).toBe(0);
    await killAt(['secrets', 'unset', 'k-unset-exec', 'staging', 'OLD_TOKEN'], '^ExecuteChangeSet$', 'response');
    const r = await run(['secrets', 'unset', 'k-unset-exec', 'staging', 'OLD_TOKEN', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ action: 'removed', deployed: true, pending: false });
    const log = await releases('k-unset-exec');
    expect(log.filter((x) => x.kind === 'secrets' && (x.outcome ?? 'succeeded') === 'succeeded')).toHaveLength(2); // set, unset
    expect(await stackTemplate('k-unset-exec')).not.toMatch(/OLD_TOKEN/);
    expect(await deletionScheduled(appSecretName(PLATFORM, 'staging', 'k-unset-exec', 'OLD_TOKEN'))).toBe(true);
  });

  test('the loser of the lock (held live on another host) stores nothing: vars set/unset and secrets set/unset exit 3', async () => {
    expect((await run(['vars', 'set', 'l-locked', 'staging', 'KEEP=1'])).code).toBe(0);
    expect((await run(['secrets', 'set', 'l-locked', 'staging', 'KEPT_TOKEN'], 'value-kept-6')).code).toBe(0);
    const before = await settingsObject('l-locked');
    await aws.s3.send(
      new aws.sdk.s3.PutObjectCommand({
        Bucket: BUCKET,
        Key: lockKey('staging', 'l-locked'),
        ContentType: 'application/json',
        Body: JSON.stringify({ version: 1, holder: 'ci@agent-9 pid 77', operation: 'deploy nginx:1.26', since: new Date().toISOString(), expires: new Date(Date.now() + 120_000).toISOString(), host: 'agent-9', pid: 77 }),
      }),
    );
    const v = await run(['vars', 'set', 'l-locked', 'staging', 'X=1']);
    expect(v.code).toBe(3);
    const s = await run(['secrets', 'set', 'l-locked', 'staging', 'LOCKED_TOKEN'], 'value-three-3');
    expect(s.code).toBe(3);
    expect(await settingsObject('l-locked')).toEqual(before);
    const none = await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: appSecretName(PLATFORM, 'staging', 'l-locked', 'LOCKED_TOKEN') })).then(() => false, () => true);
    expect(none).toBe(true);
    // the unsets lose the same way and write nothing either
    expect((await run(['vars', 'unset', 'l-locked', 'staging', 'KEEP'])).code).toBe(3);
    expect((await run(['secrets', 'unset', 'l-locked', 'staging', 'KEPT_TOKEN'])).code).toBe(3);
    expect(await settingsObject('l-locked')).toEqual(before);
    expect(await deletionScheduled(appSecretName(PLATFORM, 'staging', 'l-locked', 'KEPT_TOKEN'))).toBe(false);
  });

  test('vars unset stopped by Ctrl-C (SIGINT) after CreateChangeSet: exit 130, stored but not applied, no lock; the rerun applies it', async () => {
    expect((await run(['vars', 'set', 'm-unset-int', 'staging', 'GONE=1', 'STAY=2'])).code).toBe(0);
    const r = await signalAt(['vars', 'unset', 'm-unset-int', 'staging', 'GONE'], '^CreateChangeSet$', 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.last).toMatch(/the variables of m-unset-int in staging are stored but not applied: run the same command again to apply them$/);
    expect(await lockExists('m-unset-int')).toBe(false);
    expect(await stackTemplate('m-unset-int')).toMatch(/"GONE"/); // still running
    const list = await run(['vars', 'list', 'm-unset-int', 'staging', '--json']);
    expect(list.json()).toMatchObject({ pendingUnset: ['GONE'] });
    const again = await run(['vars', 'unset', 'm-unset-int', 'staging', 'GONE']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/nothing to do/);
    const body = await stackTemplate('m-unset-int');
    expect(body).not.toMatch(/"GONE"/);
    expect(body).toMatch(/"STAY"/);
    const log = await releases('m-unset-int');
    expect(log.filter((x) => x.kind === 'vars' && (x.outcome ?? 'succeeded') === 'succeeded')).toHaveLength(2); // the set, and one for the unset
    expect(await lockExists('m-unset-int')).toBe(false);
  });

  test('secrets set stopped by SIGTERM after CreateChangeSet: exit 143, no lock; the rerun applies it with exactly one secrets release', async () => {
    const r = await signalAt(['secrets', 'set', 'n-secret-term', 'staging', 'TERM_TOKEN'], '^CreateChangeSet$', 'SIGTERM', 'value-four-4');
    expect(r.code).toBe(143);
    expect(r.last).toMatch(/stored but not applied: run the same command again to apply them$/);
    expect(r.last).not.toMatch(/nothing (more )?was changed/);
    expect(await lockExists('n-secret-term')).toBe(false);
    expect(await stackTemplate('n-secret-term')).not.toMatch(/TERM_TOKEN/);
    const status = await run(['status', 'n-secret-term', 'staging', '--json']);
    expect(status.json()).toMatchObject({ pendingSettings: { names: ['TERM_TOKEN'] } });
    const again = await run(['secrets', 'set', 'n-secret-term', 'staging', 'TERM_TOKEN'], 'value-four-4');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/nothing to do/);
    await expectSettingsConverged('n-secret-term', 'secrets', /"Name":\s*"TERM_TOKEN",\s*"ValueFrom"/);
  });

  test('secrets unset stopped by Ctrl-C (SIGINT) after CreateChangeSet: exit 130, the secret kept while tasks use it; the rerun applies it and schedules the deletion', async () => {
    expect((await run(['secrets', 'set', 'o-sunset-int', 'staging', 'INT_TOKEN'], 'value-five-5')).code).toBe(0);
    const r = await signalAt(['secrets', 'unset', 'o-sunset-int', 'staging', 'INT_TOKEN'], '^CreateChangeSet$', 'SIGINT');
    expect(r.code).toBe(130);
    expect(await lockExists('o-sunset-int')).toBe(false);
    const id = appSecretName(PLATFORM, 'staging', 'o-sunset-int', 'INT_TOKEN');
    expect(await deletionScheduled(id)).toBe(false); // tasks still reference it
    const again = await run(['secrets', 'unset', 'o-sunset-int', 'staging', 'INT_TOKEN', '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ action: 'removed', deployed: true, pending: false });
    expect(await stackTemplate('o-sunset-int')).not.toMatch(/INT_TOKEN/);
    const log = await releases('o-sunset-int');
    expect(log.filter((x) => x.kind === 'secrets' && (x.outcome ?? 'succeeded') === 'succeeded')).toHaveLength(2); // set, unset
    expect(await deletionScheduled(id)).toBe(true);
    expect(await lockExists('o-sunset-int')).toBe(false);
  });
});

/** Start a command, hold `match`'s answer, send `sig` while it waits there, then let the answer through. */
async function signalAt(args: string[], match: string, sig: 'SIGINT' | 'SIGTERM', input?: string): Promise<{ code: number | null; last: string }> {
  await post(`/__hold?match=${encodeURIComponent(match)}&mode=response`);
  const p = startCyclops(args, { cwd: dir, env: env(), input });
  await waitUntil(`${match} to be held (stderr so far: ${p.stderr()})`, async () => ((await fetch(`${control}/__held`).then((x) => x.json())) as { held: boolean }).held || p.child.exitCode !== null);
  expect(p.child.exitCode).toBeNull();
  p.child.kill(sig);
  await post('/__release');
  const r = await p.done;
  return { code: r.code, last: r.stderr.trim().split('\n').pop()! };
}

/** The secret exists and Secrets Manager has it scheduled for deletion (DeletedDate set). */
const deletionScheduled = (id: string) =>
  aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: id })).then(
    (d) => d.DeletedDate !== undefined,
    () => false,
  );

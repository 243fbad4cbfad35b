/**
 * The release log end to end against moto, through the CLI (in-process): deploy v1, v2;
 * rollback; releases; scale; deploy v3 keeps the count; vars set/unset; secrets set; and a
 * search of every S3 object version, template and stack output (and every line the CLI
 * printed) for the secret's value. This file starts its own moto with
 * MOTO_ECS_SERVICE_RUNNING=3, so services of up to three tasks report a completed rollout.
 *
 * Where moto falls short (DESIGN.md): moto compares a new change set with the parameters the
 * stack was *created* with (ExecuteChangeSet does not update them), so going back to exactly
 * the creating deploy's parameters looks like "no changes" there. The stack is therefore
 * created by a deploy of v0 first, and v1, v2 and the rollback are releases 2-4. An update of a task definition keeps the service on the
 * old revision and loses its containers, so images, variables and secret references are
 * checked on the stack (DescribeStacks parameters, GetTemplate), not on running tasks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';
import { readRelease, readSettings, updateSettings, writeRelease, listReleases } from '../../src/store';
import { startMoto } from '../support/global-setup';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';
import { everyObjectVersion } from '../support/bucket-versions';

const PLATFORM = 'rel';
const BUCKET = 'rel-releases-config';
const STACK = `${PLATFORM}-staging-shop`;
const SECRET_VALUE = 'sk_live_' + Math.random().toString(36).slice(2) + 'Zq9';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-releases-'));
const printed: string[] = [];
let moto: Awaited<ReturnType<typeof startMoto>>;
let aws: Aws;
let config: Config;

const env = () => ({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
async function run(args: string[], input?: string): Promise<CliResult> {
  const r = await runCli(args, { cwd: dir, env: env(), input });
  printed.push(r.stdout, r.stderr);
  return r;
}
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });

const stack = async () => (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: STACK }))).Stacks![0];
const param = async (key: string) => (await stack()).Parameters!.find((p) => p.ParameterKey === key)?.ParameterValue;
const template = async () => (await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: STACK }))).TemplateBody!;
async function desiredCount(process: string): Promise<number> {
  const out = await aws.ecs.send(new aws.sdk.ecs.DescribeServicesCommand({ cluster: `${PLATFORM}-staging`, services: [`shop-${process}`] }));
  return out.services![0].desiredCount!;
}

beforeAll(async () => {
  moto = await startMoto(3, false);
  setTestCredentials();
  aws = await connect({ region: TEST_REGION, endpoint: moto.endpoint, maxAttempts: 2 });
  const hostedZoneId = await createZone(aws, 'staging.rel.dev');
  const raw = {
    platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
    ports: { range: [22000, 22999] },
    environments: { staging: { dns: { domain: 'staging.rel.dev', hostedZoneId }, database: { type: 'none' } } },
    apps: { shop: { processes: { web: { port: 3000, count: 1 }, worker: { command: ['bin/worker'], count: 1 } }, env: { RAILS_ENV: 'production' }, database: false } },
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw));
  config = parseConfig(raw, 'config.json');
}, 60_000);

afterAll(async () => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.secrets, aws.route53]) c.destroy();
  await moto.stop();
});

describe('releases, rollback, scale, vars and secrets, end to end', () => {
  test('1. bootstrap, env create, deploy v0 (creates the stack), v1 and v2', async () => {
    ok(await run(['bootstrap']));
    ok(await run(['env', 'create', 'staging']));
    ok(await run(['deploy', 'registry.example.com/shop:0', 'shop', 'staging']));
    const v1 = await run(['deploy', 'registry.example.com/shop:1', 'shop', 'staging', '--json']);
    ok(v1);
    expect(v1.json().release).toMatchObject({ number: 2, kind: 'deploy', outcome: 'succeeded', image: 'registry.example.com/shop:1' });
    const v2 = await run(['deploy', 'registry.example.com/shop:2', 'shop', 'staging', '--json']);
    ok(v2);
    expect(v2.json().release).toMatchObject({ number: 3 });
    expect(await param('Image')).toBe('registry.example.com/shop:2');
    // the log: one object per record, and the pointer
    const listed = await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'releases/staging/shop/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([1, 2, 3].map((n) => `releases/staging/shop/00000${n}.json`).concat('releases/staging/shop/current.json'));
  });

  test('2. rollback: the stack runs v1 again, from release 1\'s stored template; migrations are not rolled back', async () => {
    const dry = await run(['rollback', 'shop', 'staging', '--dry-run', '--json']);
    ok(dry);
    expect(dry.json()).toMatchObject({ dryRun: true, from: 3, to: 2 });
    expect(await param('Image')).toBe('registry.example.com/shop:2');
    const r = await run(['rollback', 'shop', 'staging', '--json']);
    ok(r);
    expect(r.json()).toMatchObject({ from: 3, to: 2, image: 'registry.example.com/shop:1', release: { number: 4, kind: 'rollback', target: 2 } });
    expect(r.json().note).toMatch(/database migrations are not rolled back/);
    expect(r.stderr).toMatch(/database migrations are not rolled back/);
    expect(await param('Image')).toBe('registry.example.com/shop:1');
    const noop = await run(['rollback', 'shop', 'staging', '--to', '4', '--json']);
    ok(noop);
    expect(noop.json().changed).toBe(false);
    const missing = await run(['rollback', 'shop', 'staging', '--to', '9']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no release 9/);
  });

  test('3. releases: v1, v2 and the rollback, newest first, the current one marked', async () => {
    const r = await run(['releases', 'shop', 'staging', '--limit', '3', '--json']);
    ok(r);
    expect(r.json().total).toBe(4);
    expect(r.json().releases.map((x: Record<string, unknown>) => [x.number, x.kind, x.outcome, x.image, x.current])).toEqual([
      [4, 'rollback', 'succeeded', 'registry.example.com/shop:1', true],
      [3, 'deploy', 'succeeded', 'registry.example.com/shop:2', false],
      [2, 'deploy', 'succeeded', 'registry.example.com/shop:1', false],
    ]);
    expect(r.json().releases.map((x: Record<string, unknown>) => x.description)).toEqual(['Rollback to 2', 'Deploy shop:2', 'Deploy shop:1']);
    for (const x of r.json().releases) expect(typeof x.durationSeconds).toBe('number');
    const human = await run(['releases', 'shop', 'staging', '--limit', '2']);
    ok(human);
    expect(human.stdout).toMatch(/^\*\s+4\s+.*rollback\s+Rollback to 2/m);
    // The header, two releases, and where the next page starts.
    expect(human.stdout.trim().split('\n')).toHaveLength(4);
    expect(human.stdout.trim().split('\n')[3]).toBe('older releases: cyclops releases shop staging --before 3');
  });

  test('4. scale web=3: the ECS service wants 3 tasks; deploy v3 keeps them and says so', async () => {
    const r = await run(['scale', 'shop', 'staging', 'web=3', '--json']);
    ok(r);
    expect(r.json()).toMatchObject({ counts: { web: 3, worker: 1 }, release: { number: 5, kind: 'scale' } });
    expect(await desiredCount('web')).toBe(3);
    const v3 = await run(['deploy', 'registry.example.com/shop:3', 'shop', 'staging', '--json']);
    ok(v3);
    expect(v3.stderr).toMatch(/task counts differ from config: web 3 \(config 1\)/);
    expect(await param('WebCount')).toBe('3');
    expect(await desiredCount('web')).toBe(3);
    for (const bad of [['web=101'], ['db=1'], ['web=x']]) expect((await run(['scale', 'shop', 'staging', ...bad])).code).toBe(2);
    expect((await run(['deploy', 'nginx:1', 'shop', 'staging', '--count', 'worker=200'])).code).toBe(2);
  });

  test('5. vars set FOO=bar: the stack template has FOO; a stored-only change is never skipped by the next deploy', async () => {
    const bad = await run(['vars', 'set', 'shop', 'staging', 'API_TOKEN=x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/looks like a secret; store it with "cyclops secrets set shop staging API_TOKEN"/);
    const r = await run(['vars', 'set', 'shop', 'staging', 'FOO=bar', '--json']);
    ok(r);
    expect(r.json()).toMatchObject({ changed: true, deployed: true, deploy: { release: { kind: 'vars', image: 'registry.example.com/shop:3' } } });
    expect(JSON.parse(await template()).Resources.WebTaskDefinition.Properties.ContainerDefinitions[0].Environment).toContainEqual({ Name: 'FOO', Value: 'bar' });
    // stored only: never skipped by the next deploy
    ok(await run(['vars', 'set', 'shop', 'staging', 'BAZ=1', '--no-deploy']));
    const next = await run(['deploy', 'registry.example.com/shop:3', 'shop', 'staging', '--json']);
    ok(next);
    expect(next.json().skipped).toBe(false);
    expect(await template()).toContain('"BAZ"');
    const list = await run(['vars', 'list', 'shop', 'staging', '--json']);
    expect(list.json().effective).toEqual({ RAILS_ENV: 'production', FOO: 'bar', BAZ: '1' });
  });

  test('6. secrets set: the value is in Secrets Manager, the template references its ARN', async () => {
    const r = await run(['--verbose', 'secrets', 'set', 'shop', 'staging', 'STRIPE_KEY', '--json'], SECRET_VALUE + '\n');
    ok(r);
    const doc = r.json();
    expect(doc).toMatchObject({ name: 'STRIPE_KEY', action: 'created', deployed: true, deploy: { release: { kind: 'secrets' } } });
    const sm = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: 'cyclops/rel/staging/shop/STRIPE_KEY' }));
    expect(sm.SecretString).toBe(SECRET_VALUE);
    const tags = await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: sm.ARN }));
    expect(tags.Tags).toContainEqual({ Key: 'cyclops:app', Value: 'shop' });
    const t = JSON.parse(await template());
    for (const td of ['WebTaskDefinition', 'WorkerTaskDefinition']) {
      expect(t.Resources[td].Properties.ContainerDefinitions[0].Secrets).toContainEqual({ Name: 'STRIPE_KEY', ValueFrom: sm.ARN });
    }
    expect(JSON.stringify(t.Resources.ExecutionRole)).toContain(sm.ARN);
    // a new value: a new version and a new deployment
    const again = await run(['secrets', 'set', 'shop', 'staging', 'STRIPE_KEY', '--json'], SECRET_VALUE + 'v2');
    ok(again);
    expect(again.json()).toMatchObject({ action: 'updated', deploy: { release: { kind: 'secrets' } } });
    const list = await run(['secrets', 'list', 'shop', 'staging', '--json']);
    expect(list.json().secrets).toEqual([expect.objectContaining({ name: 'STRIPE_KEY', arn: sm.ARN, source: 'cyclops secrets' })]);
    const tty = await run(['secrets', 'set', 'shop', 'staging', 'BAD-NAME'], 'x');
    expect(tty.code).toBe(2);
  });

  test('7. the secret value is in no S3 object version, template, stack output or CLI output', async () => {
    const bodies = await everyObjectVersion(aws, BUCKET);
    expect(bodies.length).toBeGreaterThan(15);
    const s = await stack();
    const everything = [...bodies, await template(), JSON.stringify(s.Outputs), JSON.stringify(s.Parameters), ...printed].join('\n');
    expect(everything).toContain('STRIPE_KEY');
    expect(everything.includes(SECRET_VALUE)).toBe(false);
  });

  test('8. vars unset: FOO leaves the template', async () => {
    const r = await run(['vars', 'unset', 'shop', 'staging', 'FOO', '--json']);
    ok(r);
    expect(r.json()).toMatchObject({ changed: true, vars: { BAZ: '1' } });
    expect(await template()).not.toContain('"FOO"');
  });

  test('9. restart: a new deployment, no new release', async () => {
    const before = (await run(['releases', 'shop', 'staging', '--json'])).json().total;
    const r = await run(['restart', 'shop', 'staging', '--process', 'worker', '--json']);
    ok(r);
    expect(r.json().restarted).toEqual(['shop-worker']);
    expect((await run(['releases', 'shop', 'staging', '--json'])).json().total).toBe(before);
  });

  test('10. concurrency: two settings changes at once both persist; two records at once get distinct numbers', async () => {
    await Promise.all([
      updateSettings(aws, config, 'staging', 'shop', (s) => ({ ...s, vars: { ...s.vars, ONE: '1' } })),
      updateSettings(aws, config, 'staging', 'shop', (s) => ({ ...s, vars: { ...s.vars, TWO: '2' } })),
    ]);
    expect((await readSettings(aws, config, 'staging', 'shop')).vars).toMatchObject({ ONE: '1', TWO: '2', BAZ: '1' });
    const draft = { app: 'shop', env: 'staging', image: 'x:1', deployedAt: new Date().toISOString(), deployedBy: 'test', kind: 'deploy' as const, outcome: 'failed' as const, reason: 'test' };
    const [a, b] = await Promise.all([writeRelease(aws, config, 'staging', 'shop', draft), writeRelease(aws, config, 'staging', 'shop', draft)]);
    expect(a.number).not.toBe(b.number);
    const list = await listReleases(aws, config, 'staging', 'shop');
    const nums = list.records.map((r) => r.number);
    expect(new Set(nums).size).toBe(nums.length);
    expect(nums.slice(0, 2).sort()).toEqual([a.number, b.number].sort());
  });

  test('11. day-2 reads cost the same at any log size: releases pages by number, rollback reads two records', async () => {
    const current = (await run(['releases', 'shop', 'staging', '--limit', '1', '--json'])).json();
    // Grow the log past a page with copies of the current release (the project's own writer).
    const state = await readRelease(aws, config, 'staging', 'shop');
    if (state.state !== 'ok') throw new Error('no current release');
    const cur = state.record;
    for (let i = 0; i < 25; i++) await writeRelease(aws, config, 'staging', 'shop', { ...cur, number: undefined });
    const latest = current.total + 25;
    const s3Calls = (r: CliResult) => [...r.stderr.matchAll(/^aws (S3\.\S+) /gm)].map((m) => m[1]);

    const page = await run(['--verbose', 'releases', 'shop', 'staging', '--json']);
    ok({ ...page, stderr: '' } as CliResult);
    expect(page.json().releases.map((x: { number: number }) => x.number)).toEqual(Array.from({ length: 20 }, (_, i) => latest - i));
    expect(page.json()).toMatchObject({ total: latest, current: latest, next: latest - 19 });
    expect(s3Calls(page)).toEqual(['S3.GetObject', ...Array(20).fill('S3.GetObject')]);

    const five = await run(['--verbose', 'releases', 'shop', 'staging', '--limit', '5', '--before', String(latest - 19), '--json']);
    expect(five.json().releases.map((x: { number: number }) => x.number)).toEqual([latest - 20, latest - 21, latest - 22, latest - 23, latest - 24]);
    expect(s3Calls(five)).toHaveLength(6);

    const all = await run(['--verbose', 'releases', 'shop', 'staging', '--all', '--json']);
    expect(all.json().releases).toHaveLength(latest);
    expect(all.json().next).toBeNull();
    expect(s3Calls(all)).not.toContain('S3.ListObjectsV2');

    const human = await run(['releases', 'shop', 'staging', '--limit', '2']);
    expect(human.stdout).toContain(`older releases: cyclops releases shop staging --before ${latest - 1}`);

    const dry = await run(['--verbose', 'rollback', 'shop', 'staging', '--dry-run', '--json']);
    expect(dry.json()).toMatchObject({ from: latest, to: latest - 1, dryRun: true });
    expect(s3Calls(dry).length).toBeLessThanOrEqual(4);
    const to = await run(['--verbose', 'rollback', 'shop', 'staging', '--dry-run', '--to', '2', '--json']);
    expect(to.json()).toMatchObject({ from: latest, to: 2 });
    expect(s3Calls(to).length).toBeLessThanOrEqual(4);
  });
});

/**
 * `cyclops promote` end to end against moto, through the CLI (in-process). An image is pushed
 * to the platform's ECR repository and deployed to staging by tag (the deploy resolves the tag
 * to its digest); production has its own vars. promote then deploys the digest of staging's
 * current release to production: checked on the production stack (its Image parameter), on
 * the release records in the bucket, and on the settings each stack was rendered with. A later
 * tag move in ECR must not change what is promoted (no tag lookups). A staging release that
 * failed is refused with exit 2 and nothing written (the production log and stack unchanged).
 *
 * moto compares a change set with the stack's creation parameters, so production is first
 * created by a deploy of its own image; the promote is then a real update.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';
import { readRelease, writeRelease, listReleases } from '../../src/store';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { pushImage } from '../support/images';
import { writeTwoEnvConfig } from '../support/moto-app';

const PLATFORM = 'promo';
const BUCKET = 'promo-e2e-config';
const ACCOUNT = '123456789012';
const REPO = `${ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/${PLATFORM}/shop`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cyclops-promote-'));
let aws: Aws;
let config: Config;

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true' });
const run = (args: string[], input?: string): Promise<CliResult> => runCli(args, { cwd: dir, env: env(), input });
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });

const stackOf = async (e: string) => (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: `${PLATFORM}-${e}-shop` }))).Stacks![0];
const param = async (e: string, key: string) => (await stackOf(e)).Parameters!.find((p) => p.ParameterKey === key)?.ParameterValue;
const template = async (e: string) => (await aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: `${PLATFORM}-${e}-shop` }))).TemplateBody!;
const keys = async (prefix: string) => ((await aws.s3.send(new aws.sdk.s3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

const push = (tag: string, layer: string) => pushImage(aws, `${PLATFORM}/shop`, tag, layer);

beforeAll(async () => {
  setTestCredentials();
  aws = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
  const raw = await writeTwoEnvConfig(aws, dir, { platform: PLATFORM, bucket: BUCKET, domain: 'promo.dev', range: [23000, 23999], shop: { env: { RAILS_ENV: 'production' } } });
  config = parseConfig(raw, 'config.json');
}, 60_000);

afterAll(() => {
  for (const c of [aws.s3, aws.cfn, aws.ecs, aws.ecr, aws.route53]) c.destroy();
});

describe('promote, end to end', () => {
  let digest: string;

  test('1. bootstrap, two environments; staging runs 1.0 (by ECR tag, pinned to its digest), production runs 0.9 with its own vars', async () => {
    ok(await run(['bootstrap']));
    ok(await run(['env', 'create', 'staging']));
    ok(await run(['env', 'create', 'production']));
    await push('0.9', 'layer-0.9');
    digest = await push('1.0', 'layer-1.0');
    ok(await run(['deploy', `${REPO}:0.9`, 'shop', 'production']));
    ok(await run(['vars', 'set', 'shop', 'production', 'MODE=live', '--no-deploy']));
    ok(await run(['vars', 'set', 'shop', 'staging', 'MODE=test', '--no-deploy']));
    const s = await run(['deploy', `${REPO}:1.0`, 'shop', 'staging', '--json']);
    ok(s);
    expect(s.json().release).toMatchObject({ number: 1, imageDigest: digest, outcome: 'succeeded' });
    expect(await param('staging', 'Image')).toBe(`${REPO}@${digest}`);
  });

  test('2. the tag moves in ECR after staging tested 1.0: promote still carries the tested digest, never the tag', async () => {
    const moved = await push('1.0', 'layer-1.0-rebuilt');
    expect(moved).not.toBe(digest);
    const r = await run(['promote', 'shop', 'staging', 'production', '--json']);
    ok(r);
    const out = r.json();
    expect(out.promotedFrom).toEqual({ env: 'staging', release: 1, image: `${REPO}@${digest}` });
    expect(out.imageDigest).toBe(digest);
    // AWS side: the production stack runs staging's digest
    expect(await param('production', 'Image')).toBe(`${REPO}@${digest}`);
    // the record in the bucket says where it came from
    const prod = await readRelease(aws, config, 'production', 'shop');
    expect(prod.state).toBe('ok');
    if (prod.state !== 'ok') return;
    expect(prod.record).toMatchObject({ number: 2, kind: 'deploy', outcome: 'succeeded', imageDigest: digest, promotedFrom: { env: 'staging', release: 1 } });
    // the image only: production keeps its own vars, staging's never travel
    expect(prod.record.settings?.vars).toEqual({ MODE: 'live' });
    const body = await template('production');
    expect(body).toContain('live');
    expect(body).not.toContain('"test"');
    // the release tag the lifecycle policy keeps went onto the promoted digest
    const tagged = await aws.ecr.send(new aws.sdk.ecr.DescribeImagesCommand({ repositoryName: `${PLATFORM}/shop`, imageIds: [{ imageTag: 'cyclops-production-2' }] }));
    expect(tagged.imageDetails![0].imageDigest).toBe(digest);
    // releases shows it
    const list = await run(['releases', 'shop', 'production']);
    ok(list);
    expect(list.stdout).toContain('Promote from staging 1 (shop');
  });

  test('3. a second promote of the same release deploys the same digest again', async () => {
    // On AWS the deploy's fast path makes this "no changes" (the stack's parameters match); moto
    // keeps a stack's creation parameters after a change set (see the file comment), so here it is
    // a second, identical release: what matters is that it carries the same digest and source.
    const r = await run(['promote', 'shop', 'staging', 'production', '--json']);
    ok(r);
    expect(r.json().release).toMatchObject({ number: 3, imageDigest: digest, promotedFrom: { env: 'staging', release: 1 } });
    expect(await param('production', 'Image')).toBe(`${REPO}@${digest}`);
  });

  test('4. staging\'s newest release failed: refused with exit 2, nothing written to production', async () => {
    const before = await keys('releases/production/shop/');
    const stackBefore = await stackOf('production');
    const locks = await keys('locks/');
    await writeRelease(aws, config, 'staging', 'shop', {
      app: 'shop', env: 'staging', image: `${REPO}:1.0`, imageDigest: 'sha256:' + 'a'.repeat(64), deployedAt: new Date().toISOString(), deployedBy: 'ci@runner',
      kind: 'deploy', outcome: 'rolled-back', reason: 'the deployment circuit breaker rolled it back',
    });
    const r = await run(['promote', 'shop', 'staging', 'production']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/release 2 of shop in staging did not succeed \(rolled-back: the deployment circuit breaker rolled it back\); nothing was promoted/);
    expect(await keys('releases/production/shop/')).toEqual(before);
    expect(await keys('locks/')).toEqual(locks);
    const stackAfter = await stackOf('production');
    expect(stackAfter.LastUpdatedTime).toEqual(stackBefore.LastUpdatedTime);
    expect(await param('production', 'Image')).toBe(`${REPO}@${digest}`);
  });

  test('5. --release N promotes a named succeeded release; a failed or missing one is exit 2', async () => {
    const bad = await run(['promote', 'shop', 'staging', 'production', '--release', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did not succeed/);
    const none = await run(['promote', 'shop', 'staging', 'production', '--release', '9']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no release 9 in staging/);
    const dry = await run(['promote', 'shop', 'staging', 'production', '--release', '1', '--dry-run', '--json']);
    ok(dry);
    expect(dry.json().promotedFrom).toMatchObject({ release: 1 });
    const page = await listReleases(aws, config, 'production', 'shop', {});
    expect(page.total).toBe(3); // the dry run wrote no release
  });

  test('6. bad input: unknown environment, the same environment twice, a tag-only release', async () => {
    const unknown = await run(['promote', 'shop', 'staging', 'prod']);
    expect(unknown.code).toBe(2);
    const same = await run(['promote', 'shop', 'staging', 'staging']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/same environment/);
    await writeRelease(aws, config, 'staging', 'shop', {
      app: 'shop', env: 'staging', image: 'registry.example.com/shop:2.0', deployedAt: new Date().toISOString(), deployedBy: 'ci@runner', kind: 'deploy', outcome: 'succeeded',
    });
    const tagOnly = await run(['promote', 'shop', 'staging', 'production']);
    expect(tagOnly.code).toBe(2);
    expect(tagOnly.stderr).toMatch(/by tag, with no digest recorded/);
  });
});

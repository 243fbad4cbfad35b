/**
 * `cyclops deploy --build DIR APP ENV` end to end with a real builder: buildah (daemonless,
 * vfs storage in a private directory, chroot isolation) builds a two-line Dockerfile (FROM
 * scratch + COPY: no base image to pull), pushes it to a local registry (docker-registry on
 * 127.0.0.1), and the pushed digest is deployed to moto.
 *
 * moto's ECR has the API (DescribeRepositories, DescribeImages, GetAuthorizationToken) but no
 * registry to push to, so config `aws.registry` (tests only) sends the push to the local
 * registry under the ECR repository's name; what deploys is still the ECR repository URI with
 * the pushed digest, as in production. The checks are on both sides: the registry serves the
 * manifest under the tag with that digest and the platform the app runs on (amd64 for one app,
 * arm64 for the other), the stack's Image parameter is that digest, and the release record in
 * the bucket says how it was built.
 *
 * Skipped, with the reason printed, where buildah or docker-registry is missing or buildah
 * cannot build here (.ci/run installs both on Debian).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Aws } from '../../src/aws/client';
import { releaseRecordKey } from '../../src/naming';
import { freePort } from '../support/global-setup';
import { runCli } from '../support/run-cli';
import type { CliResult } from '../support/cli';
import { setTestCredentials, TEST_REGION } from '../support/store-env';
import { createZone } from '../support/zones';

const PLATFORM = 'bld';
const BUCKET = 'bld-e2e-config';
const ACCOUNT = '123456789012';
const ECR = `${ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclops-build-e2e-'));
const storageConf = path.join(tmp, 'storage.conf');
writeFileSync(storageConf, `[storage]\ndriver = "vfs"\ngraphroot = "${tmp}/storage"\nrunroot = "${tmp}/run"\n`);
const BUILDAH_ENV = { CONTAINERS_STORAGE_CONF: storageConf, BUILDAH_ISOLATION: 'chroot' };

/** Why this machine cannot run the test, or null. */
function cannotBuild(): string | null {
  for (const tool of ['buildah', 'docker-registry', 'git']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not on PATH (apt-get install buildah docker-registry)`;
  }
  const probe = path.join(tmp, 'probe');
  mkdirSync(probe);
  writeFileSync(path.join(probe, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /x\n');
  const r = spawnSync('buildah', ['build', '--platform', 'linux/amd64', '--tag', 'localhost/probe:1', probe], { env: { ...process.env, ...BUILDAH_ENV }, encoding: 'utf8' });
  return r.status === 0 ? null : `buildah cannot build here (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
}
const skip = cannotBuild();
if (skip) console.warn(`build-e2e skipped: ${skip}`);

let aws: Aws;
let registry: ChildProcess | undefined;
let registryUrl = '';
const app = path.join(tmp, 'example-app');

const env = () => ({ AWS_ENDPOINT_URL: process.env.MOTO_ENDPOINT!, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: TEST_REGION, AWS_EC2_METADATA_DISABLED: 'true', ...BUILDAH_ENV });
const run = (args: string[]): Promise<CliResult> => runCli(args, { cwd: tmp, env: env() });
const ok = (r: CliResult) => expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
const param = async (name: string, key: string) =>
  (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name }))).Stacks![0].Parameters!.find((p) => p.ParameterKey === key)?.ParameterValue;
const git = (...a: string[]) => spawnSync('git', a, { cwd: app, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).stdout.trim();

/** The registry's manifest for repository:tag: its digest (Docker-Content-Digest) and the image config's architecture. */
async function served(repository: string, tag: string): Promise<{ digest: string | null; architecture: string }> {
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const m = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, { headers: { Accept: accept } });
  expect(m.status).toBe(200);
  const manifest = (await m.json()) as { config: { digest: string } };
  const config = (await (await fetch(`${registryUrl}/v2/${repository}/blobs/${manifest.config.digest}`)).json()) as { architecture: string };
  return { digest: m.headers.get('docker-content-digest'), architecture: config.architecture };
}

(skip ? describe.skip : describe)('deploy --build with buildah and a local registry, deployed to moto', () => {
  beforeAll(async () => {
    setTestCredentials();
    aws = await connect({ region: TEST_REGION, endpoint: process.env.MOTO_ENDPOINT, maxAttempts: 2 });
    const port = await freePort();
    const conf = path.join(tmp, 'registry.yml');
    writeFileSync(conf, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${tmp}/registry\nhttp:\n  addr: 127.0.0.1:${port}\n`);
    registry = spawn('docker-registry', ['serve', conf], { stdio: 'ignore' });
    registryUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${registryUrl}/v2/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const zone = await createZone(aws, 'staging.bld.dev');
    const raw = {
      platform: { name: PLATFORM, region: TEST_REGION, bucket: BUCKET },
      aws: { registry: registryUrl },
      ports: { range: [24000, 24999] },
      environments: { staging: { dns: { domain: 'staging.bld.dev', hostedZoneId: zone }, database: { type: 'none' } } },
      apps: {
        web: { processes: { web: { port: 3000, count: 1 } }, database: false },
        api: { arch: 'arm64', processes: { web: { port: 3000, count: 1 } }, database: false },
      },
    };
    writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(raw));
    mkdirSync(app);
    writeFileSync(path.join(app, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(path.join(app, 'hello.txt'), 'hello from cyclops\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    ok(await run(['bootstrap']));
    ok(await run(['env', 'create', 'staging']));
  }, 120_000);

  afterAll(() => {
    registry?.kill();
    for (const c of [aws.s3, aws.cfn, aws.ecr, aws.route53]) c.destroy();
  });

  test('a Dockerfile is built for linux/amd64, pushed, and its digest deployed and recorded in one command', async () => {
    const commit = git('rev-parse', '--short', 'HEAD');
    const r = await run(['deploy', '--build', app, 'web', 'staging', '--json', '--progress', 'json']);
    ok(r);
    const out = r.json();
    const pushed = await served(`${PLATFORM}/web`, commit);
    expect(pushed.architecture).toBe('amd64');
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(out).toMatchObject({ imageDigest: pushed.digest, build: { builder: 'buildah', image: `${ECR}/${PLATFORM}/web:${commit}`, source: { commit, dirty: false, tag: commit } } });
    // the stack runs the ECR repository at the pushed digest
    expect(await param(`${PLATFORM}-staging-web`, 'Image')).toBe(`${ECR}/${PLATFORM}/web@${pushed.digest}`);
    // the release record in the bucket says how it was built
    const stored = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: BUCKET, Key: releaseRecordKey('staging', 'web', out.release.number) }));
    const record = JSON.parse(await stored.Body!.transformToString());
    expect(record).toMatchObject({ imageDigest: pushed.digest, imageTag: commit, build: { builder: 'buildah', tag: commit, commit, dirty: false, reused: false } });
    // the build log streamed as events; the ECR password never appears
    const events = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { code: string; data: Record<string, unknown> });
    expect(events.filter((e) => e.code === 'build.log').length).toBeGreaterThan(2);
    expect(events.filter((e) => e.code === 'build.step').map((e) => e.data.step)).toEqual(['login', 'build', 'push']);
    expect(r.stderr + r.stdout).not.toContain(`${ACCOUNT}-auth-token`);
  }, 120_000);

  test('an arm64 app gets a linux/arm64 build; an uncommitted change gets a -dirty-<hash> tag', async () => {
    writeFileSync(path.join(app, 'hello.txt'), 'changed, not committed\n');
    const r = await run(['deploy', '--build', app, 'api', 'staging', '--json']);
    ok(r);
    const tag: string = r.json().build.source.tag;
    expect(tag).toMatch(new RegExp(`^${git('rev-parse', '--short', 'HEAD')}-dirty-[0-9a-f]{12}$`));
    const pushed = await served(`${PLATFORM}/api`, tag);
    expect(pushed.architecture).toBe('arm64');
    expect(await param(`${PLATFORM}-staging-api`, 'Image')).toBe(`${ECR}/${PLATFORM}/api@${pushed.digest}`);
  }, 120_000);
});

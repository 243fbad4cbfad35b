/**
 * arch: the manifest check deploy makes before anything is written (src/aws/ecr.ts against
 * aws-sdk-client-mock; deploy over the in-memory fakes), the EC2 family rule, and the release
 * phase's task definition.
 */
import { mockClient } from 'aws-sdk-client-mock';
import type { Aws } from '../../src/aws/client';
import { ecrImage, imageArchitectures, type EcrImage } from '../../src/aws/ecr';
import * as sdk from '../../src/aws/sdk';
import { parseConfig } from '../../src/config/load';
import { appConfig, imageArchitectures as appArchitectures } from '../../src/config/model';
import { instanceArch } from '../../src/config/instances';
import type { ImagesApi } from '../../src/ops/context';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { releaseTaskDefinition } from '../../src/ops/release-phase/task-definition';
import { renderApp, templateBody } from '../../src/plan';
import { CyclopsError } from '../../src/errors';
import { failure, fakeImages, fakeOps, testConfig } from './fakes/ops';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web';
const D1 = `sha256:${'1'.repeat(64)}`;
const CONFIG_DIGEST = `sha256:${'c'.repeat(64)}`;
const ecrMock = mockClient(sdk.ecr.ECRClient);
const aws = { sdk, region: 'eu-west-1', ecr: new sdk.ecr.ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), calls: () => 0 } as unknown as Aws;
const web: EcrImage = { registryId: '123456789012', region: 'eu-west-1', repositoryName: 'acme/web' };

beforeEach(() => ecrMock.reset());
afterEach(() => jest.restoreAllMocks());

describe('src/aws/ecr.ts imageArchitectures', () => {
  test('a manifest list gives its Linux platforms in cyclops names, attestations left out', async () => {
    const index = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: 'sha256:a', platform: { os: 'linux', architecture: 'amd64' } },
        { digest: 'sha256:b', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { digest: 'sha256:c', platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    ecrMock.on(sdk.ecr.BatchGetImageCommand).resolves({ images: [{ imageManifest: JSON.stringify(index) }] });
    expect(await imageArchitectures(aws, web, D1)).toEqual(['arm64', 'x86_64']);
    const input = ecrMock.commandCalls(sdk.ecr.BatchGetImageCommand)[0].args[0].input;
    expect(input.acceptedMediaTypes).toEqual(expect.arrayContaining(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']));
  });

  test('a single-platform image: its config blob names the architecture', async () => {
    ecrMock.on(sdk.ecr.BatchGetImageCommand).resolves({ images: [{ imageManifest: JSON.stringify({ schemaVersion: 2, config: { digest: CONFIG_DIGEST } }) }] });
    ecrMock.on(sdk.ecr.GetDownloadUrlForLayerCommand).resolves({ downloadUrl: 'https://blob.example/config', layerDigest: CONFIG_DIGEST });
    const fetched: string[] = [];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
      fetched.push(String(url));
      return new Response(JSON.stringify({ architecture: 'arm64', os: 'linux' }), { status: 200 });
    });
    expect(await imageArchitectures(aws, web, D1)).toEqual(['arm64']);
    expect(ecrMock.commandCalls(sdk.ecr.GetDownloadUrlForLayerCommand)[0].args[0].input).toEqual({ registryId: '123456789012', repositoryName: 'acme/web', layerDigest: CONFIG_DIGEST });
    expect(fetched).toEqual(['https://blob.example/config']);
  });
});

const armConfig = () =>
  testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 }, worker: { command: ['worker'], arch: 'x86_64' } }, database: false } } });

function withImages(f: ReturnType<typeof fakeOps>, archs: string[] | Error): void {
  const images: ImagesApi = fakeImages({
    ecr: ecrImage,
    digest: async () => D1,
    tag: async () => 'tagged',
    architectures: async () => {
      f.calls.push('images.architectures');
      if (archs instanceof Error) throw archs;
      return archs;
    },
  });
  f.ops.images = images;
}
const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: ReturnType<typeof fakeOps>, image: string) => deploy(f.ops, { target, image, ref: parseImage(image) });
const WRITES = /acquireLock|allocatePort|pushTemplate|apply|writeRelease/;

describe('deploy checks the image against the architectures the app runs on', () => {
  test('the image must have every architecture its processes use', () => {
    expect(appArchitectures(appConfig(armConfig(), 'web', 'staging'))).toEqual(['arm64', 'x86_64']);
    expect(appArchitectures(appConfig(testConfig(), 'web', 'staging'))).toEqual(['x86_64']);
  });

  test('an image without a variant for an architecture is exit 2 naming both, before anything is written', async () => {
    const f = fakeOps(armConfig());
    withImages(f, ['x86_64']);
    const e = await failure(run(f, `${REPO}:1.0`));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/acme\/web:1\.0: has no arm64 variant \(it is built for x86_64\), but the app runs on arm64; build and push it for linux\/arm64/);
    expect(f.calls.filter((c) => WRITES.test(c))).toEqual([]);
  });

  test('an image with both variants deploys, with ARM64 and X86_64 task definitions', async () => {
    const f = fakeOps(armConfig());
    withImages(f, ['arm64', 'x86_64']);
    await run(f, `${REPO}:1.0`);
    expect(f.calls).toContain('images.architectures');
    const body = JSON.parse(f.applied.at(-1)!.templateBody!) as any;
    expect(body.Resources.WebTaskDefinition.Properties.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(body.Resources.WorkerTaskDefinition.Properties.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
  });

  test('an image outside ECR deploys with a warning that the check was skipped', async () => {
    const f = fakeOps(armConfig());
    withImages(f, ['x86_64']);
    await run(f, 'ghcr.io/acme/web:1.0');
    expect(f.calls).not.toContain('images.architectures');
    expect(f.events.of('warning').map((w) => w.message)).toContain('image ghcr.io/acme/web:1.0: it is not in ECR, so cyclops did not check that it has a variant for arm64 and x86_64');
  });

  test('a manifest that cannot be read is a warning, not a refusal', async () => {
    const f = fakeOps(armConfig());
    withImages(f, new Error('AccessDeniedException: not allowed'));
    await run(f, `${REPO}:1.0`);
    expect(f.events.of('warning').some((w) => /its manifest could not be read \(AccessDeniedException/.test(w.message))).toBe(true);
  });

  test('without arch in config, a mismatch is still refused and a skipped check says so only in debug', async () => {
    const f = fakeOps();
    withImages(f, ['arm64']);
    const e = await failure(run(f, `${REPO}:1.0`));
    expect(e.message).toMatch(/has no x86_64 variant \(it is built for arm64\)/);
    const g = fakeOps();
    withImages(g, ['arm64']);
    await run(g, 'nginx:1.27');
    expect(g.events.of('warning')).toEqual([]);
    expect(g.events.of('debug').some((d) => /nginx:1\.27: it is not in ECR/.test(d.message))).toBe(true);
  });
});

describe('arch in config', () => {
  const problems = (raw: Record<string, any>): string[] => {
    try {
      parseConfig(raw, 'config.json');
    } catch (e) {
      const err = e as CyclopsError;
      return err.details?.length ? (err.details as string[]) : [err.message];
    }
    return [];
  };
  const ec2 = (instanceType: string, app: Record<string, unknown>) => ({
    platform: { name: 'acme', region: 'eu-west-1' },
    environments: {
      production: { capacity: { type: 'ec2', instanceType, min: 1, max: 2 }, dns: { domain: 'acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } },
      staging: { capacity: { type: 'fargate', spot: true }, dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z2' }, database: { type: 'none' } },
    },
    apps: { web: { database: false, ...app } },
  });

  test('instance families: Graviton ones are arm64, the rest x86_64', () => {
    expect(['t4g.small', 'm7g.xlarge', 'c7gn.large', 'r8g.large', 'm6gd.large', 'a1.large', 'is4gen.large'].map(instanceArch)).toEqual(Array(7).fill('arm64'));
    expect(['t3.small', 'm5.large', 'g4dn.xlarge', 'c6i.large', 'm7i-flex.large'].map(instanceArch)).toEqual(Array(5).fill('x86_64'));
  });

  test('EC2 capacity runs its family\'s architecture: a mismatch is an error at the key that fixes it', () => {
    expect(problems(ec2('m7g.large', {}))).toEqual([
      'config.json: apps.web.processes.web.arch: is x86_64 (the default), but environment production runs m7g.large instances, which are arm64; set "arch": "arm64" for web in apps.web.environments.production (with an image built for arm64), or use an x86_64 capacity.instanceType',
    ]);
    expect(problems(ec2('t3.medium', { arch: 'arm64' }))[0]).toMatch(/^config\.json: apps\.web\.processes\.web\.arch: is arm64, but environment production runs t3\.medium instances, which are x86_64/);
    // per environment: arm64 on the Graviton EC2 capacity, x86_64 on Fargate Spot elsewhere
    expect(problems(ec2('m7g.large', { environments: { production: { arch: 'arm64' } } }))).toEqual([]);
    // Fargate Spot runs ARM64 (platform 1.4.0+): no rule against it
    expect(problems(ec2('t3.medium', { environments: { staging: { arch: 'arm64' } } }))).toEqual([]);
  });

  test('an unknown architecture is a schema error that names the two', () => {
    expect(problems(ec2('t3.medium', { arch: 'aarch64' }))[0]).toMatch(/apps\.web\.arch: must be "x86_64" \(the default\) or "arm64"/);
  });

  test('no arch anywhere: no RuntimePlatform, byte for byte as before', () => {
    const config = testConfig();
    expect(templateBody(renderApp(config, 'staging', 'web', { port: 20000 }))).not.toContain('RuntimePlatform');
  });

  test('the release phase task definition runs on the release process\'s architecture', () => {
    const config = testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 }, release: { command: ['migrate'] } }, database: false } } });
    const a = appConfig(config, 'web', 'staging');
    expect(a.release).toMatchObject({ arch: 'arm64' });
    const body = templateBody(renderApp(config, 'staging', 'web', { port: 20000 }));
    const td = releaseTaskDefinition(body, {
      target,
      image: 'img',
      release: a.release!,
      outputs: { privateSubnets: 'subnet-1,subnet-2', serviceSecurityGroup: 'sg-1' } as any,
      region: 'eu-west-1',
      executionRoleArn: 'arn:aws:iam::123456789012:role/x',
      accountId: '123456789012',
      partition: 'aws',
      logGroup: '/cyclops/acme/staging/web',
      fargate: true,
    });
    expect(td.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
  });
});

/**
 * Images by digest: src/aws/ecr.ts against aws-sdk-client-mock (DescribeImages, BatchGetImage,
 * PutImage), and deploy over in-memory fakes with an images API that records its calls.
 */
import { mockClient } from 'aws-sdk-client-mock';
import type { Aws } from '../../src/aws/client';
import { ecrImage, imageDigest, tagImage, type EcrImage } from '../../src/aws/ecr';
import * as sdk from '../../src/aws/sdk';
import type { ImagesApi } from '../../src/ops/context';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { failure, fakeImages, fakeOps, type Fake } from './fakes/ops';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ecrMock = mockClient(sdk.ecr.ECRClient);
const aws = { sdk, region: 'eu-west-1', ecr: new sdk.ecr.ECRClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), calls: () => 0 } as unknown as Aws;
const web: EcrImage = { registryId: '123456789012', region: 'eu-west-1', repositoryName: 'acme/web' };
const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });

beforeEach(() => ecrMock.reset());

describe('src/aws/ecr.ts', () => {
  test('ECR registries are recognised; other registries are not', () => {
    expect(ecrImage(REPO)).toEqual(web);
    expect(ecrImage('nginx')).toBeNull();
    expect(ecrImage('ghcr.io/acme/web')).toBeNull();
    expect(ecrImage('public.ecr.aws/nginx/nginx')).toBeNull();
  });

  test('a tag resolves to its digest with one DescribeImages; a missing tag or repository is null', async () => {
    ecrMock.on(sdk.ecr.DescribeImagesCommand).resolvesOnce({ imageDetails: [{ imageDigest: D1, imageTags: ['1.0'] }] });
    expect(await imageDigest(aws, web, '1.0')).toBe(D1);
    expect(ecrMock.commandCalls(sdk.ecr.DescribeImagesCommand)[0].args[0].input).toEqual({ registryId: '123456789012', repositoryName: 'acme/web', imageIds: [{ imageTag: '1.0' }] });
    ecrMock.on(sdk.ecr.DescribeImagesCommand).rejectsOnce(awsError('ImageNotFoundException')).rejectsOnce(awsError('RepositoryNotFoundException'));
    expect(await imageDigest(aws, web, 'nope')).toBeNull();
    expect(await imageDigest(aws, web, 'nope')).toBeNull();
  });

  test('tagging puts the image\'s own manifest under the new tag', async () => {
    ecrMock.on(sdk.ecr.BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: D1, imageTag: '1.0' }, imageManifest: '{"m":1}', imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
    ecrMock.on(sdk.ecr.PutImageCommand).resolves({});
    expect(await tagImage(aws, web, D1, 'cyclops-staging-3')).toBe('tagged');
    expect(ecrMock.commandCalls(sdk.ecr.PutImageCommand)[0].args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'acme/web',
      imageManifest: '{"m":1}',
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageTag: 'cyclops-staging-3',
      imageDigest: D1,
    });
  });

  test('a tag that is already on the image is fine; an expired image is an error that names it', async () => {
    ecrMock.on(sdk.ecr.BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: D1 }, imageManifest: '{}' }] });
    ecrMock.on(sdk.ecr.PutImageCommand).rejects(awsError('ImageAlreadyExistsException'));
    expect(await tagImage(aws, web, D1, 'cyclops-staging-3')).toBe('already');
    ecrMock.on(sdk.ecr.BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });
    await expect(tagImage(aws, web, D1, 'cyclops-staging-3')).rejects.toThrow(/acme\/web@sha256:1+: not found, so it cannot be tagged cyclops-staging-3/);
  });
});

/** An images API over a map of tag → digest, recording its calls into the fake's call list. */
function withImages(f: Fake, tags: Record<string, string>, failTag = false): { tagged: string[] } {
  const tagged: string[] = [];
  const images: ImagesApi = fakeImages({
    ecr: ecrImage,
    digest: async (_i, tag) => {
      f.calls.push('images.digest');
      return tags[tag] ?? null;
    },
    tag: async (_i, digest, tag) => {
      f.calls.push('images.tag');
      if (failTag) throw new Error('AccessDenied');
      tagged.push(`${digest} ${tag}`);
      return 'tagged';
    },
    architectures: async () => ['x86_64'],
  });
  f.ops.images = images;
  return { tagged };
}

const target = { platform: 'acme', env: 'staging', app: 'web' };
const run = (f: Fake, image: string) => deploy(f.ops, { target, image, ref: parseImage(image) });
const stackImage = (f: Fake) => f.stacks.get('acme-staging-web')!.parameters.Image;

describe('deploy by digest', () => {
  test('an ECR tag is deployed as repository@digest, recorded with tag and digest, and the digest gets the release tag after the record', async () => {
    const f = fakeOps();
    const { tagged } = withImages(f, { '1.0': D1 });
    const r = await run(f, `${REPO}:1.0`);
    expect(stackImage(f)).toBe(`${REPO}@${D1}`);
    expect(r).toMatchObject({ image: `${REPO}:1.0`, imageDigest: D1, release: { number: 1, image: `${REPO}:1.0`, imageTag: '1.0', imageDigest: D1 } });
    expect(tagged).toEqual([`${D1} cyclops-staging-1`]);
    expect(f.calls.indexOf('images.tag')).toBeGreaterThan(f.calls.indexOf('store.writeRelease'));
    expect(f.calls.filter((c) => c === 'images.digest')).toHaveLength(1);
  });

  test('a tag missing from ECR is exit 2 before anything is written', async () => {
    const f = fakeOps();
    withImages(f, {});
    const e = await failure(run(f, `${REPO}:9.9`));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/image .*acme\/web:9\.9: tag "9\.9" is not in ECR repository acme\/web \(account 123456789012, eu-west-1\); push it first/);
    expect(f.calls.filter((c) => /acquireLock|allocatePort|pushTemplate|apply|writeRelease/.test(c))).toEqual([]);
  });

  test('an unchanged ECR tag takes the fast path; a moved tag deploys the new digest', async () => {
    const f = fakeOps();
    const tags = { '1.0': D1 };
    withImages(f, tags);
    await run(f, `${REPO}:1.0`);
    f.calls.length = 0;
    const same = await run(f, `${REPO}:1.0`);
    expect(same).toMatchObject({ skipped: true, release: { number: 1 } });
    // the lookup is the one call the fast path adds for an ECR tag
    expect(f.calls).toEqual(['store.readRelease', 'stacks.describe', 'images.digest', 'store.acquireLock', 'store.readRelease', 'stacks.describe', 'services.waitForRollout', 'store.releaseLock']);
    tags['1.0'] = D2; // someone pushed 1.0 again
    const moved = await run(f, `${REPO}:1.0`);
    expect(moved).toMatchObject({ skipped: false, changed: true, release: { number: 2, imageDigest: D2 } });
    expect(stackImage(f)).toBe(`${REPO}@${D2}`);
  });

  test('a digest reference and a non-ECR image need no lookup: the fast path stays at its calls', async () => {
    const f = fakeOps();
    const { tagged } = withImages(f, {});
    await run(f, `${REPO}@${D1}`);
    expect(stackImage(f)).toBe(`${REPO}@${D1}`);
    expect(tagged).toEqual([`${D1} cyclops-staging-1`]); // a given ECR digest is kept too
    f.calls.length = 0;
    await run(f, `${REPO}@${D1}`);
    expect(f.calls).toEqual(['store.readRelease', 'stacks.describe', 'store.acquireLock', 'store.readRelease', 'stacks.describe', 'services.waitForRollout', 'store.releaseLock']);
    const g = fakeOps();
    withImages(g, {});
    const r = await run(g, 'nginx:1.27');
    expect(r.imageDigest).toBeNull();
    expect(g.calls.filter((c) => c.startsWith('images.'))).toEqual([]);
    expect(g.stacks.get('acme-staging-web')!.parameters.Image).toBe('nginx:1.27');
  });

  test('a failed release tag only warns: the deploy has succeeded', async () => {
    const f = fakeOps();
    withImages(f, { '1.0': D1 }, true);
    const r = await run(f, `${REPO}:1.0`);
    expect(r.release!.number).toBe(1);
    expect(f.events.of('warning').map((w) => w.message).join('\n')).toMatch(/could not tag acme\/web@sha256:1+ as cyclops-staging-1 \(AccessDenied\); the lifecycle policy may expire it/);
  });

  test('an ECR registry in another region is deployed as given, with a warning', async () => {
    const f = fakeOps();
    withImages(f, { '1.0': D1 });
    await run(f, '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/web:1.0');
    expect(stackImage(f)).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/web:1.0');
    expect(f.events.of('warning').map((w) => w.message).join('\n')).toMatch(/its ECR registry is in us-east-1, not eu-west-1; deployed as given by tag/);
  });
});

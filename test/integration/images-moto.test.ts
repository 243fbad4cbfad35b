/**
 * `cyclops images APP [ENV]` and the repository URIs of `bootstrap` and `env show`, against
 * moto through the CLI (in-process). Images are pushed to the platform's ECR repository with
 * PutImage (moto's ECR has the API, not a registry) and deployed by tag; the listing is
 * checked against ECR's own state (DescribeImages, DescribeRepositories) and the release
 * records: which releases carry each digest (their cyclops-<env>-<n> tags), which one staging
 * runs now, and which are kept.
 *
 * Architectures: an OCI index's platforms come from BatchGetImage alone, which moto serves; a
 * single-platform image's architecture is in its config blob, which moto's ECR cannot serve
 * (no registry), so it is listed as unknown here. moto deletes an image that loses its last
 * tag, so untagged images (their lifecycle expiry, a manifest list's variants) are proven over
 * the unit fakes in test/unit/image-list.test.ts.
 */
import { createHash } from 'node:crypto';
import { pushImage } from '../support/images';
import { motoPlatform, OK, outcome, type MotoPlatform } from '../support/moto-platform';
import { TEST_REGION } from '../support/store-env';

const ACCOUNT = '123456789012';
let p: MotoPlatform;
let uri: string;
const repoName = () => `${p.platform}/shop`;

beforeAll(async () => {
  p = await motoPlatform({ platform: 'imgs', database: 'none', apps: { shop: { processes: { web: { port: 3000, count: 1 } }, database: false } } });
}, 60_000);
afterAll(() => p?.close());

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const describeImages = async () => (await p.aws.ecr.send(new p.aws.sdk.ecr.DescribeImagesCommand({ repositoryName: repoName() }))).imageDetails ?? [];

describe('images and repository URIs against moto', () => {
  let first: string;
  let second: string;
  let index: string;

  test('bootstrap prints the ECR repository URI of every configured app, as ECR has it', async () => {
    const r = await p.run('bootstrap', '--json');
    expect(outcome(r)).toEqual(OK);
    const repos = (await p.aws.ecr.send(new p.aws.sdk.ecr.DescribeRepositoriesCommand({ repositoryNames: [repoName()] }))).repositories!;
    uri = repos[0].repositoryUri!;
    expect(uri).toBe(`${ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/imgs/shop`);
    expect(r.json().repositories).toEqual({ shop: uri });
    const text = await p.run('bootstrap');
    expect(text.stdout).toContain(`ECR repository for shop: ${uri}`);
  }, 60_000);

  test('env show names the repositories too', async () => {
    expect(outcome(await p.run('env', 'create', 'staging'))).toEqual(OK);
    const r = await p.run('env', 'show', 'staging', '--json');
    expect(outcome(r)).toEqual(OK);
    expect(r.json().repositories).toEqual({ shop: uri });
  }, 120_000);

  test('two deploys: each image lists its tags, release tags and size; staging runs the second; an OCI index shows its platforms', async () => {
    first = await pushImage(p.aws, repoName(), '1.0', 'layer-1.0');
    second = await pushImage(p.aws, repoName(), '1.1', 'layer-1.1');
    expect(outcome(await p.run('deploy', `${uri}:1.0`, 'shop', 'staging'))).toEqual(OK);
    expect(outcome(await p.run('deploy', `${uri}:1.1`, 'shop', 'staging'))).toEqual(OK);
    // an OCI index for two platforms
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 7, digest: sha('amd'), platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 7, digest: sha('arm'), platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 7, digest: sha('att'), platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    });
    const put = await p.aws.ecr.send(new p.aws.sdk.ecr.PutImageCommand({ repositoryName: repoName(), imageTag: 'multi', imageManifest: manifest, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' }));
    index = put.image!.imageId!.imageDigest!;

    const r = await p.run('images', 'shop', '--json');
    expect(outcome(r)).toEqual(OK);
    const out = r.json();
    const ecr = await describeImages();
    expect(out.repository).toBe(uri);
    expect(out.total).toBe(ecr.length);
    const row = (d: string) => out.images.find((i: { digest: string }) => i.digest === d);
    const detail = (d: string) => ecr.find((i) => i.imageDigest === d)!;
    // staging's current release (2) runs the second image: from the release record, not a tag lookup
    expect(row(second)).toMatchObject({ tags: ['1.1'], releases: [{ env: 'staging', release: 2 }], running: [{ env: 'staging', release: 2 }], expires: null });
    expect(row(first)).toMatchObject({ tags: ['1.0'], releases: [{ env: 'staging', release: 1 }], running: [], expires: null });
    for (const d of [first, second]) {
      expect(row(d).sizeBytes).toBe(detail(d).imageSizeInBytes);
      expect(row(d).pushedAt).toBe(new Date(detail(d).imagePushedAt!).toISOString());
      // a single-platform image's config blob needs a registry moto does not have
      expect(row(d).architectures).toBeNull();
    }
    expect(detail(second).imageTags).toEqual(expect.arrayContaining(['1.1', 'cyclops-staging-2']));
    expect(row(index)).toMatchObject({ tags: ['multi'], architectures: ['arm64', 'x86_64'], running: [] });
    expect(out.current).toEqual([{ env: 'staging', release: 2, image: expect.stringContaining(uri), digest: second }]);
  }, 180_000);

  test('--limit shows the newest N and still every image that runs; the text names the older ones', async () => {
    const r = await p.run('images', 'shop', '--limit', '1', '--json');
    expect(outcome(r)).toEqual(OK);
    const digests = r.json().images.map((i: { digest: string }) => i.digest);
    expect(digests).toContain(second);
    expect(digests.length).toBeLessThanOrEqual(2);
    const text = await p.run('images', 'shop', '--limit', '1');
    expect(text.stdout).toMatch(/older image\(s\) not shown: cyclops images shop --all/);
    expect(text.stdout).toContain(uri);
  }, 60_000);

  test('an app not in config, or an unknown environment, is refused with exit 2 before any AWS call', async () => {
    const a = await p.run('images', 'shopp');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/app "shopp": not in apps in .*config\.json.*shop/);
    const e = await p.run('images', 'shop', 'prod');
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/prod/);
  }, 30_000);
});

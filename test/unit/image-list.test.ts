/**
 * `images` over the unit fakes, for what moto cannot hold: moto deletes an ECR image that loses
 * its last tag, so untagged images (the lifecycle expiry, a manifest list's variants, which are
 * untagged images of their own and kept with their list) are proven here. The listing against
 * moto's ECR is test/integration/images-moto.test.ts.
 */
import { listAppImages, repositoryUris } from '../../src/ops/image-list';
import { UNTAGGED_IMAGE_DAYS } from '../../src/naming';
import type { EcrImageDetail } from '../../src/aws/ecr';
import { failure, fakeImages, fakeOps, type Fake } from './fakes/ops';

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web';
const d = (c: string) => `sha256:${c.repeat(64)}`;
const img = (digest: string, tags: string[], pushedAt: string): EcrImageDetail => ({ digest, tags, pushedAt, sizeBytes: 1000, mediaType: null });

function withImages(f: Fake, images: EcrImageDetail[], children: Record<string, string[]> = {}) {
  f.ops.images = fakeImages({
    repository: async (name) => (name === 'acme/web' ? { registryId: '123456789012', repositoryName: name, uri: URI } : null),
    list: async () => images,
    platforms: async (_r, digest) => {
      if (digest === d('e')) throw new Error('manifest unreadable');
      return { architectures: ['x86_64'], children: children[digest] ?? [] };
    },
  });
}

const release = (f: Fake, n: number, digest: string) => f.releases.set('staging/web', { state: 'ok', record: { app: 'web', env: 'staging', image: `${URI}@${digest}`, imageDigest: digest, deployedAt: '2026-01-01T00:00:00Z', deployedBy: 't', number: n } });

describe('images: what the lifecycle policy keeps', () => {
  test('an untagged image expires its policy days after the push; a tagged one, a release-tagged one and a kept list variant are kept', async () => {
    const f = fakeOps();
    const pushed = '2026-03-01T10:00:00.000Z';
    withImages(
      f,
      [img(d('a'), ['cyclops-staging-3', 'v3'], pushed), img(d('b'), [], pushed), img(d('c'), [], pushed), img(d('f'), ['1.0'], pushed)],
      { [d('f')]: [d('c')] },
    );
    release(f, 3, d('a'));
    const r = await listAppImages(f.ops, { platform: 'acme', app: 'web' });
    const row = (x: string) => r.images.find((i) => i.digest === d(x))!;
    expect(row('a')).toMatchObject({ tags: ['v3'], releases: [{ env: 'staging', release: 3 }], running: [{ env: 'staging', release: 3 }], expires: null, partOf: null });
    expect(row('b').expires).toBe(new Date(Date.parse(pushed) + UNTAGGED_IMAGE_DAYS * 86_400_000).toISOString());
    // a variant of the tagged list 1.0: untagged itself, kept with its list
    expect(row('c')).toMatchObject({ partOf: d('f'), expires: null });
    expect(row('f').expires).toBeNull();
    expect(r.current).toEqual([{ env: 'staging', release: 3, image: `${URI}@${d('a')}`, digest: d('a') }]);
  });

  test('--limit keeps the newest N and every image an environment runs; an unreadable manifest is an unknown architecture, not a failure', async () => {
    const f = fakeOps();
    withImages(f, [img(d('1'), ['n1'], '2026-03-03T00:00:00Z'), img(d('2'), ['n2'], '2026-03-02T00:00:00Z'), img(d('e'), ['old'], '2026-01-01T00:00:00Z')]);
    release(f, 9, d('e'));
    const r = await listAppImages(f.ops, { platform: 'acme', app: 'web', env: 'staging' }, { limit: 1 });
    expect(r.images.map((i) => i.digest)).toEqual([d('1'), d('e')]);
    expect(r.total).toBe(3);
    expect(r.images[1]).toMatchObject({ architectures: null, running: [{ env: 'staging', release: 9 }] });
    expect(f.events.coded('images.manifest-unread')).toHaveLength(1);
  });

  test('a repository that does not exist is exit 2 naming bootstrap; repositoryUris gives null for it', async () => {
    const f = fakeOps();
    withImages(f, []);
    const e = await failure(listAppImages(f.ops, { platform: 'acme', app: 'api' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/ECR repository acme\/api: not found; .*cyclops bootstrap/);
    expect(await repositoryUris(f.ops)).toEqual({ web: URI });
  });
});

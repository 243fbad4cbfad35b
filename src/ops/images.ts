/**
 * Images by digest (issue: ECR images expire while in use). A deploy resolves an ECR tag to the
 * digest it points at now and deploys repository@digest, so scale-out, task replacement and
 * rollback pull exactly what was deployed; the release records tag and digest. After the
 * release is recorded the digest gets the tag cyclops-<env>-<release>, which the platform's
 * lifecycle policy keeps. Other registries are deployed as given.
 *
 * Calls: a digest reference and any non-ECR image need no lookup; an ECR tag needs one
 * DescribeImages, sent alongside the deploy's first reads (no extra latency).
 */
import { usageError } from '../errors';
import { say } from '../events';
import { releaseImageTag } from '../naming';
import type { Ops } from './context';
import type { ImageRef } from '../plan/inputs';
import { imageArchitectures, type AppConfig, type Arch } from '../config/model';

export interface ResolvedImage {
  /** what the stack gets: repository@digest for a resolved ECR tag, else the image as given */
  deployed: string;
  tag?: string;
  digest?: string;
  /** the ECR repository, when the image lives in ECR in the deploy's region */
  ecr?: { registryId: string; region: string; repositoryName: string };
}

/**
 * Resolve the image and, when `archs` is given, check that it has a variant for each
 * architecture the app runs on (an arm64-only laptop build on x86_64 tasks fails with "exec
 * format error" only once the tasks start). Refused with exit 2 before anything is written.
 */
export async function resolveImage(ops: Ops, image: string, ref: ImageRef, archs?: { want: Arch[]; explicit: boolean }): Promise<ResolvedImage> {
  const resolved = await resolveDigest(ops, image, ref);
  if (archs) await checkArchitectures(ops, image, resolved, archs.want, archs.explicit);
  return resolved;
}

async function checkArchitectures(ops: Ops, image: string, r: ResolvedImage, want: Arch[], explicit: boolean): Promise<void> {
  const skipped = (why: string) => {
    const data = { image, architectures: want, reason: why };
    const text = `image ${image}: ${why}, so cyclops did not check that it has a variant for ${want.join(' and ')}`;
    if (explicit) say.warn(ops.events, 'image.arch-unchecked', data, text);
    else say.debug(ops.events, 'image.arch-unchecked-default', data, text);
  };
  if (!ops.images || !r.ecr || !r.digest) return skipped(r.ecr ? 'its ECR registry is in another region' : 'it is not in ECR');
  let has: string[];
  try {
    has = await ops.images.architectures(r.ecr, r.digest);
  } catch (e) {
    return skipped(`its manifest could not be read (${(e as Error).message})`);
  }
  const missing = want.filter((a) => !has.includes(a));
  if (!missing.length) return say.debug(ops.events, 'image.arch-ok', { image, architectures: has }, `image ${image} has variants for ${has.join(', ')}`);
  throw usageError(
    `image ${image}: has no ${missing.join(' or ')} variant (it is built for ${has.join(', ') || 'no known architecture'}), but the app runs on ${missing.join(' and ')}; build and push it for linux/${missing.map((a) => (a === 'x86_64' ? 'amd64' : a)).join(',linux/')} (docker buildx build --platform …), or set "arch" in config to match the image`,
  );
}

async function resolveDigest(ops: Ops, image: string, ref: ImageRef): Promise<ResolvedImage> {
  // A digest is what runs: "repo:tag@sha256:…" (a redeploy of a recorded release) deploys as
  // repo@sha256:…, keeping the tag for the record only.
  const pinned = ref.digest && ref.tag ? `${ref.repository}@${ref.digest}` : image;
  const base: ResolvedImage = { deployed: pinned, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) };
  const ecr = ops.images?.ecr(ref.repository);
  if (!ecr || !ops.images) return base;
  const home = ops.images.region ?? ops.stacks.region;
  if (ecr.region !== home) {
    say.warn(ops.events, 'image.region-mismatch', { image, registryRegion: ecr.region, region: home }, `image ${image}: its ECR registry is in ${ecr.region}, not ${home}; deployed as given${ref.digest ? '' : ' by tag'} and not tagged for the release`);
    return base;
  }
  if (ref.digest) return { ...base, ecr };
  const digest = await ops.images.digest(ecr, ref.tag!);
  if (!digest) {
    throw usageError(`image ${image}: tag "${ref.tag}" is not in ECR repository ${ecr.repositoryName} (account ${ecr.registryId}, ${ecr.region}); push it first, or check the tag`);
  }
  say.debug(ops.events, 'image.resolved', { image, digest }, `image ${image} is ${ref.repository}@${digest}`);
  return { deployed: `${ref.repository}@${digest}`, tag: ref.tag, digest, ecr };
}

/** Keep the release's image from expiring: tag its digest cyclops-<env>-<number>. A failure only warns. */
export async function tagReleaseImage(ops: Ops, env: string, image: ResolvedImage, number: number | undefined): Promise<string | null> {
  if (!ops.images || !image.ecr || !image.digest || typeof number !== 'number') return null;
  const tag = releaseImageTag(env, number);
  try {
    const r = await ops.images.tag(image.ecr, image.digest, tag);
    say.step(ops.events, 'image.tagged', { repository: image.ecr.repositoryName, digest: image.digest, tag, already: r === 'already' }, `image ${image.ecr.repositoryName}@${image.digest.slice(0, 19)}… ${r === 'already' ? 'already tagged' : 'tagged'} ${tag}`);
    return tag;
  } catch (e) {
    say.warn(
      ops.events,
      'image.tag-failed',
      { repository: image.ecr.repositoryName, digest: image.digest, tag, reason: (e as Error).message },
      `could not tag ${image.ecr.repositoryName}@${image.digest} as ${tag} (${(e as Error).message}); the lifecycle policy may expire it; tag it by hand with "aws ecr put-image" or redeploy`,
    );
    return null;
  }
}

/** What deploy checks the image for: every architecture the app runs its own image on, and whether config named one. */
export const deployArchitectures = (app: AppConfig): { want: Arch[]; explicit: boolean } => ({
  want: imageArchitectures(app),
  explicit: app.processes.some((p) => p.arch !== undefined),
});

/**
 * `cyclops images APP [ENV]`: the app's images in its ECR repository, newest push first, with
 * tags, digest, architectures, size and push time, which releases carry each (the release tags
 * cyclops-<env>-<n> that deploy sets), which environment runs it now (the current release's
 * digest in the config bucket), and what the platform's lifecycle policy does with it: images
 * with a release tag or any other tag are kept; an untagged image expires UNTAGGED_IMAGE_DAYS
 * after its push, unless it is a variant of a listed manifest list.
 *
 * Calls: DescribeRepositories (its name), DescribeImages (all pages), one GetObject per environment for
 * its current release, and for each shown image one BatchGetImage (plus, for a single-platform
 * image, GetDownloadUrlForLayer and a GET of its config blob), a few at a time. Nothing is written.
 */
import { usageError } from '../errors';
import { say } from '../events';
import { ecrRepository, parseReleaseImageTag, UNTAGGED_IMAGE_DAYS } from '../naming';
import { pooled } from '../pool';
import type { Ops } from './context';

export interface ImageRow {
  digest: string;
  /** tags other than release tags (the build's commit tag, a --tag) */
  tags: string[];
  /** the releases whose tag is on this image (cyclops-<env>-<n>), newest first */
  releases: { env: string; release: number }[];
  /** the environments whose current release runs this digest */
  running: { env: string; release: number | null }[];
  /** Linux architectures ("x86_64", "arm64"); null when the manifest could not be read */
  architectures: string[] | null;
  sizeBytes: number | null;
  pushedAt: string | null;
  /** a variant (or attestation) of a manifest list that is in the list: its digest */
  partOf: string | null;
  /** what the lifecycle policy does: kept (tagged, or part of a kept list), or expires at this time (ISO) */
  expires: string | null;
}

export interface ImageList {
  app: string;
  /** the environments looked at for what runs (ENV, or every configured one) */
  envs: string[];
  repository: string;
  images: ImageRow[];
  /** the environments' current releases, the digest each runs (null: none, or not an ECR digest) */
  current: { env: string; release: number | null; image: string | null; digest: string | null }[];
  /** images in the repository; `images` shows the newest `limit` of them and every one that runs */
  total: number;
  untaggedDays: number;
}

const ARCH_READS = 4;

/** The images of APP's repository (a preview's: its app's), with what runs where; `limit` newest (all without). */
export async function listAppImages(ops: Ops, t: { platform: string; app: string; env?: string }, opts: { limit?: number } = {}): Promise<ImageList> {
  if (!ops.images) throw usageError('images: no ECR access in this context');
  const images = ops.images;
  const name = ecrRepository(t.platform, t.app);
  const repo = await images.repository(name);
  if (!repo) throw usageError(`ECR repository ${name}: not found; add "${t.app}" to apps in ${ops.config.file} and run "cyclops bootstrap" to create it`);
  const envs = t.env ? [t.env] : Object.keys(ops.config.environments).sort();
  const [all, current] = await Promise.all([
    images.list(repo),
    Promise.all(
      envs.map(async (env) => {
        const s = await ops.store.readRelease(env, t.app);
        const record = s.state === 'ok' ? s.record : s.state === 'corrupt' ? (s.lastGood?.record ?? null) : null;
        return { env, release: record?.number ?? null, image: record?.image ?? null, digest: record?.imageDigest ?? null };
      }),
    ),
  ]);
  const runs = (digest: string) => current.filter((c) => c.digest === digest).map((c) => ({ env: c.env, release: c.release }));
  const shown = all.filter((img, i) => opts.limit === undefined || i < opts.limit || runs(img.digest).length > 0);
  const manifests = await pooled(shown, ARCH_READS, async (img) => {
    try {
      return await images.platforms(repo, img.digest);
    } catch (e) {
      say.debug(ops.events, 'images.manifest-unread', { digest: img.digest, reason: (e as Error).message }, `could not read the manifest of ${repo.repositoryName}@${img.digest}: ${(e as Error).message}`);
      return null;
    }
  });
  // a manifest list's variants are untagged images of their own: kept when the list is
  const parent = new Map<string, string>();
  shown.forEach((img, i) => manifests[i]?.children.forEach((c) => parent.set(c, img.digest)));
  const byDigest = new Map(all.map((img) => [img.digest, img]));
  const kept = (digest: string | undefined): boolean => !!digest && (byDigest.get(digest)?.tags.length ?? 0) > 0;
  const rows: ImageRow[] = shown.map((img, i) => {
    const releases = img.tags.flatMap((tag) => parseReleaseImageTag(tag) ?? []).sort((a, b) => b.release - a.release || a.env.localeCompare(b.env));
    const partOf = parent.get(img.digest) ?? null;
    const expires = img.tags.length || kept(partOf ?? undefined) || !img.pushedAt ? null : new Date(Date.parse(img.pushedAt) + UNTAGGED_IMAGE_DAYS * 86_400_000).toISOString();
    return {
      digest: img.digest,
      tags: img.tags.filter((tag) => !parseReleaseImageTag(tag)),
      releases,
      running: runs(img.digest),
      architectures: manifests[i]?.architectures ?? null,
      sizeBytes: img.sizeBytes,
      pushedAt: img.pushedAt,
      partOf,
      expires,
    };
  });
  return { app: t.app, envs, repository: repo.uri, images: rows, current, total: all.length, untaggedDays: UNTAGGED_IMAGE_DAYS };
}

/** The ECR repository URI of every configured app, by app (null: not created yet; run bootstrap). */
export async function repositoryUris(ops: Ops): Promise<Record<string, string | null>> {
  const apps = Object.keys(ops.config.apps).sort();
  const names = apps.map((app) => ecrRepository(ops.config.platform.name, app));
  const images = ops.images;
  // one DescribeRepositories per name: the operator policies name the platform's repositories, not all of them
  const found = images ? await pooled(names, ARCH_READS, (name) => images.repository(name)) : [];
  return Object.fromEntries(apps.map((app, i) => [app, found[i]?.uri ?? null]));
}

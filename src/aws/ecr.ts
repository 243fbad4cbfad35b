/**
 * ECR images, in cyclops's own types: resolve a tag to its digest, and give a digest one more
 * tag (the release tag that the platform's lifecycle policy keeps). Only ECR registries
 * (<account>.dkr.ecr.<region>.amazonaws.com/...) are looked up; other registries are deployed
 * as given.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName } from './errors';
import { failure } from '../errors';

export interface EcrImage {
  /** the account id in the registry host */
  registryId: string;
  region: string;
  /** the repository name inside the registry ("acme/web") */
  repositoryName: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** The registry, region and repository of an ECR repository reference; null for any other registry. */
export function ecrImage(repository: string): EcrImage | null {
  const m = ECR_HOST.exec(repository);
  return m ? { registryId: m[1], region: m[2], repositoryName: m[3] } : null;
}

const missing = (e: unknown) => (['ImageNotFoundException', 'RepositoryNotFoundException'].includes(awsErrorName(e) ?? '') ? null : undefined);

/** The digest the tag points at now; null when the tag (or the repository) does not exist. */
export async function imageDigest(aws: Aws, image: EcrImage, tag: string): Promise<string | null> {
  const out = await callOr(
    aws,
    `look up image ${image.repositoryName}:${tag} in ECR`,
    () => aws.ecr.send(new aws.sdk.ecr.DescribeImagesCommand({ registryId: image.registryId, repositoryName: image.repositoryName, imageIds: [{ imageTag: tag }] })),
    missing,
  );
  return out?.imageDetails?.[0]?.imageDigest ?? null;
}

/**
 * Tag the image with this digest as `tag` too (PutImage with its own manifest). A tag that is
 * already on this very image is fine ("already"); a tag on another image is moved here.
 */
export async function tagImage(aws: Aws, image: EcrImage, digest: string, tag: string): Promise<'tagged' | 'already'> {
  const ids = { registryId: image.registryId, repositoryName: image.repositoryName };
  const got = await call(aws, `read the manifest of ${image.repositoryName}@${digest}`, () =>
    aws.ecr.send(new aws.sdk.ecr.BatchGetImageCommand({ ...ids, imageIds: [{ imageDigest: digest }] })),
  );
  const found = got.images?.[0];
  if (!found?.imageManifest) throw failure(`ECR image ${image.repositoryName}@${digest}: not found, so it cannot be tagged ${tag} (it may have expired)`);
  if (found.imageId?.imageTag === tag) return 'already';
  const put = await callOr(
    aws,
    `tag ${image.repositoryName}@${digest} as ${tag}`,
    () =>
      aws.ecr.send(
        new aws.sdk.ecr.PutImageCommand({
          ...ids,
          imageManifest: found.imageManifest,
          ...(found.imageManifestMediaType ? { imageManifestMediaType: found.imageManifestMediaType } : {}),
          imageTag: tag,
          imageDigest: digest,
        }),
      ),
    (e) => (awsErrorName(e) === 'ImageAlreadyExistsException' ? ('already' as const) : undefined),
  );
  return put === 'already' ? 'already' : 'tagged';
}

/** Manifest lists (several platforms) and single-platform image manifests, Docker's and OCI's. */
const INDEX_TYPES = ['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json'];
const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];
/** OCI architecture names as cyclops (and ECS) name them. */
const ARCH_NAMES: Record<string, string> = { amd64: 'x86_64', arm64: 'arm64' };
const archName = (a: string) => ARCH_NAMES[a] ?? a;

interface Manifest {
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
  config?: { digest?: string };
  /** Docker schema 1 */
  architecture?: string;
}

/**
 * The Linux CPU architectures an image has a variant for, in cyclops's names ("x86_64",
 * "arm64"): the platforms of a manifest list / OCI index (attestations, platform "unknown",
 * left out), or the architecture in a single image's config blob (BatchGetImage, then
 * GetDownloadUrlForLayer for the config blob and a GET of it).
 */
export async function imageArchitectures(aws: Aws, image: EcrImage, digest: string): Promise<string[]> {
  return (await imagePlatforms(aws, image, digest)).architectures;
}

/** An image's architectures, and for a manifest list / OCI index the digests of the manifests it lists (its variants and attestations). */
export async function imagePlatforms(aws: Aws, image: Omit<EcrImage, 'region'>, digest: string): Promise<{ architectures: string[]; children: string[] }> {
  const ids = { registryId: image.registryId, repositoryName: image.repositoryName };
  const got = await call(aws, `read the manifest of ${image.repositoryName}@${digest}`, () =>
    aws.ecr.send(new aws.sdk.ecr.BatchGetImageCommand({ ...ids, imageIds: [{ imageDigest: digest }], acceptedMediaTypes: [...INDEX_TYPES, ...MANIFEST_TYPES] })),
  );
  const text = got.images?.[0]?.imageManifest;
  if (!text) throw failure(`ECR image ${image.repositoryName}@${digest}: not found (it may have expired); push it again`);
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.manifests) {
    const archs = manifest.manifests
      .filter((m) => (m.platform?.os ?? 'linux') === 'linux' && m.platform?.architecture && m.platform.architecture !== 'unknown')
      .map((m) => archName(m.platform!.architecture!));
    return { architectures: [...new Set(archs)].sort(), children: manifest.manifests.flatMap((m) => (m.digest ? [m.digest] : [])) };
  }
  if (manifest.architecture) return { architectures: [archName(manifest.architecture)], children: [] };
  const configDigest = manifest.config?.digest;
  if (!configDigest) throw failure(`ECR image ${image.repositoryName}@${digest}: its manifest names no config blob, so its architecture is unknown`);
  const url = await call(aws, `locate the config of ${image.repositoryName}@${digest}`, () =>
    aws.ecr.send(new aws.sdk.ecr.GetDownloadUrlForLayerCommand({ ...ids, layerDigest: configDigest })),
  );
  if (!url.downloadUrl) throw failure(`ECR image ${image.repositoryName}@${digest}: ECR gave no download URL for its config blob`);
  const res = await fetch(url.downloadUrl);
  if (!res.ok) throw failure(`ECR image ${image.repositoryName}@${digest}: reading its config blob gave HTTP ${res.status}`);
  const blob = (await res.json()) as { architecture?: string };
  if (!blob.architecture) throw failure(`ECR image ${image.repositoryName}@${digest}: its config names no architecture`);
  return { architectures: [archName(blob.architecture)], children: [] };
}

/** An ECR repository as DescribeRepositories gives it. */
export interface EcrRepository {
  registryId: string;
  repositoryName: string;
  /** <account>.dkr.ecr.<region>.amazonaws.com/<name> */
  uri: string;
}

/** The repository named `name` in this account and region; null when it does not exist. */
export async function describeRepository(aws: Aws, name: string): Promise<EcrRepository | null> {
  const out = await callOr(
    aws,
    `describe ECR repository ${name}`,
    () => aws.ecr.send(new aws.sdk.ecr.DescribeRepositoriesCommand({ repositoryNames: [name] })),
    (e) => (awsErrorName(e) === 'RepositoryNotFoundException' ? null : undefined),
  );
  const r = out?.repositories?.[0];
  if (!r?.repositoryUri || !r.registryId) return null;
  return { registryId: r.registryId, repositoryName: r.repositoryName ?? name, uri: r.repositoryUri };
}

/** Credentials for a registry's Docker API: the user name, the password (never logged) and the registry host. */
export interface RegistryLogin {
  username: string;
  password: string;
  /** the host a `login` names, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com */
  host: string;
}

/**
 * A login for the account's registry (GetAuthorizationToken): the token is base64 "AWS:<password>",
 * valid for 12 hours (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html).
 */
export async function registryLogin(aws: Aws): Promise<RegistryLogin> {
  const out = await call(aws, 'get an ECR login (GetAuthorizationToken)', () => aws.ecr.send(new aws.sdk.ecr.GetAuthorizationTokenCommand({})));
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) throw failure('ECR gave no authorization token; check the credentials and try again');
  const text = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) throw failure('ECR gave an authorization token that is not "user:password"; try again');
  return { username: text.slice(0, colon), password: text.slice(colon + 1), host: data.proxyEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '') };
}

/** One image of a repository as DescribeImages lists it. */
export interface EcrImageDetail {
  digest: string;
  /** its tags, sorted; empty for an untagged image */
  tags: string[];
  /** when it was pushed (ISO) */
  pushedAt: string | null;
  /** the compressed size ECR reports (a manifest list: 0, its images are listed on their own) */
  sizeBytes: number | null;
  /** the manifest's media type (an index or a single image) */
  mediaType: string | null;
}

/** Every image in the repository (DescribeImages, all pages), newest push first. */
export async function listImages(aws: Aws, image: Omit<EcrImage, 'region'>): Promise<EcrImageDetail[]> {
  const images: EcrImageDetail[] = [];
  let token: string | undefined;
  do {
    const out = await call(aws, `list the images of ECR repository ${image.repositoryName}`, () =>
      aws.ecr.send(new aws.sdk.ecr.DescribeImagesCommand({ registryId: image.registryId, repositoryName: image.repositoryName, nextToken: token, maxResults: 1000 })),
    );
    for (const d of out.imageDetails ?? []) {
      if (!d.imageDigest) continue;
      images.push({
        digest: d.imageDigest,
        tags: [...(d.imageTags ?? [])].sort(),
        pushedAt: d.imagePushedAt ? new Date(d.imagePushedAt).toISOString() : null,
        sizeBytes: typeof d.imageSizeInBytes === 'number' ? d.imageSizeInBytes : null,
        mediaType: d.imageManifestMediaType ?? null,
      });
    }
    token = out.nextToken;
  } while (token);
  return images.sort((a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? '') || a.digest.localeCompare(b.digest));
}

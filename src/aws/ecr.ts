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

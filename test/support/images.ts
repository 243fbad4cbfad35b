/** Images in moto's ECR for the deploy tests: a manifest under a tag; its digest is the manifest's sha256. */
import { createHash } from 'node:crypto';
import type { Aws } from '../../src/aws/client';

export async function pushImage(aws: Aws, repositoryName: string, tag: string, layer: string): Promise<string> {
  const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7, digest: sha(`config-${layer}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 7, digest: sha(layer) }],
  });
  const out = await aws.ecr.send(new aws.sdk.ecr.PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
  return out.image!.imageId!.imageDigest!;
}

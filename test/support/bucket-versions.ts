import type { Aws } from '../../src/aws/client';

/** The body of every version of every object in a bucket: to search for a value that must not be there. */
export async function everyObjectVersion(aws: Aws, bucket: string): Promise<string[]> {
  const bodies: string[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await aws.s3.send(new aws.sdk.s3.ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }));
    for (const v of page.Versions ?? []) {
      const o = await aws.s3.send(new aws.sdk.s3.GetObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }));
      bodies.push(await o.Body!.transformToString());
    }
    [KeyMarker, VersionIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextVersionIdMarker] : [undefined, undefined];
  } while (KeyMarker);
  return bodies;
}

/** EFS, in cyclops's own types: an app's file systems (found by their cyclops tags) and their deletion. */
import type { Aws } from './client';
import { call } from './call';
import { TAG_APP, TAG_ENV, TAG_PLATFORM, TAG_VOLUME, type Ids } from '../naming';

export interface FileSystemInfo {
  id: string;
  arn: string;
  sizeBytes: number;
  state: string;
  /** the volume it belongs to (its cyclops:volume tag); absent on file systems made before that tag */
  volume?: string;
}

/** The file systems tagged with exactly this platform, env and app (the ones the app stack kept). */
export async function listAppFileSystems(aws: Aws, ids: Required<Ids>): Promise<FileSystemInfo[]> {
  const out: FileSystemInfo[] = [];
  let marker: string | undefined;
  do {
    const page = await call(aws, 'list EFS file systems', () => aws.efs.send(new aws.sdk.efs.DescribeFileSystemsCommand({ Marker: marker })));
    for (const fs of page.FileSystems ?? []) {
      const tags = Object.fromEntries((fs.Tags ?? []).map((t) => [t.Key, t.Value]));
      if (tags[TAG_PLATFORM] !== ids.platform || tags[TAG_ENV] !== ids.env || tags[TAG_APP] !== ids.app) continue;
      out.push({
        id: fs.FileSystemId!,
        arn: fs.FileSystemArn ?? fs.FileSystemId!,
        sizeBytes: fs.SizeInBytes?.Value ?? 0,
        state: fs.LifeCycleState ?? 'unknown',
        ...(tags[TAG_VOLUME] ? { volume: tags[TAG_VOLUME] } : {}),
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return out;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise((r) => (signal?.aborted ? r(undefined) : setTimeout(r, ms)));

/** Delete a file system: its mount targets first (EFS refuses while any exists), then the file system. */
export async function deleteFileSystem(aws: Aws, id: string, opts: { signal?: AbortSignal; pollMs?: number } = {}): Promise<void> {
  const targets = async () =>
    (await call(aws, `list mount targets of ${id}`, () => aws.efs.send(new aws.sdk.efs.DescribeMountTargetsCommand({ FileSystemId: id })))).MountTargets ?? [];
  for (const t of await targets()) {
    await call(aws, `delete mount target ${t.MountTargetId}`, () => aws.efs.send(new aws.sdk.efs.DeleteMountTargetCommand({ MountTargetId: t.MountTargetId! })));
  }
  while ((await targets()).length) {
    if (opts.signal?.aborted) return;
    await sleep(opts.pollMs ?? 5000, opts.signal);
  }
  await call(aws, `delete file system ${id}`, () => aws.efs.send(new aws.sdk.efs.DeleteFileSystemCommand({ FileSystemId: id })));
}

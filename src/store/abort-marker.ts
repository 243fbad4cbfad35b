/**
 * `cyclops abort`'s marker, `releases/<env>/<app>/abort.json` (naming.ts abortMarkerKey): the
 * service deployment it stopped, who stopped it and when. It is written without the app lock
 * (the deploy that is waiting holds it) and read by that deploy's watcher; the release log's
 * listing ignores it (not a numbered record). A marker that does not parse is treated as none.
 */
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { abortMarkerKey } from '../naming';
import { getObject, putObject, where } from './s3';

const markerSchema = z.object({
  /** the service deployment stopped */
  deploymentArn: z.string(),
  /** the caller's ARN (STS) */
  by: z.string(),
  /** the user@host and process that ran abort */
  holder: z.string(),
  at: z.string(),
});
export type AbortMarker = z.infer<typeof markerSchema>;

export async function readAbortMarker(aws: Aws, config: Config, env: string, app: string): Promise<AbortMarker | null> {
  const obj = await getObject(where(aws, config), abortMarkerKey(env, app));
  if (!obj) return null;
  try {
    const r = markerSchema.safeParse(JSON.parse(obj.body));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export async function writeAbortMarker(aws: Aws, config: Config, env: string, app: string, marker: AbortMarker): Promise<void> {
  await putObject(where(aws, config), abortMarkerKey(env, app), `${JSON.stringify(marker, null, 2)}\n`);
}

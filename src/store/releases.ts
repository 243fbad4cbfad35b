/**
 * The release record of an app in an env (releases/<env>/<app>.json): what is deployed.
 * The bucket is versioned, so earlier records stay as object versions.
 */
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { failure } from '../errors';
import { releaseKey } from '../naming';
import { checkAppEnv } from './names';
import { deleteObject, getObject, putObject, where } from './s3';

export const releaseSchema = z.looseObject({
  app: z.string(),
  env: z.string(),
  image: z.string(),
  deployedAt: z.string(),
  deployedBy: z.string(),
  stack: z.string().optional(),
  templateUrl: z.string().optional(),
  port: z.number().int().optional(),
});
/** Required fields plus anything the deploy wants to keep (extra fields are preserved). */
export type ReleaseRecord = z.infer<typeof releaseSchema>;

export async function writeRelease(aws: Aws, config: Config, env: string, app: string, record: ReleaseRecord): Promise<void> {
  checkAppEnv(config, app, env);
  await putObject(where(aws, config), releaseKey(env, app), JSON.stringify({ ...record, app, env }, null, 2) + '\n');
}

export async function readRelease(aws: Aws, config: Config, env: string, app: string): Promise<ReleaseRecord | null> {
  checkAppEnv(config, app, env);
  const w = where(aws, config);
  const obj = await getObject(w, releaseKey(env, app));
  if (!obj) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(obj.body);
  } catch {
    raw = undefined;
  }
  const r = releaseSchema.safeParse(raw);
  if (!r.success) {
    throw failure(`s3://${w.bucket}/${releaseKey(env, app)}: is not a valid release record; deploy again to rewrite it`, undefined, 'release-invalid');
  }
  return r.data;
}

export async function deleteRelease(aws: Aws, config: Config, env: string, app: string): Promise<void> {
  checkAppEnv(config, app, env);
  await deleteObject(where(aws, config), releaseKey(env, app));
}

/**
 * The release record of an app in an env (releases/<env>/<app>.json): what is deployed.
 * The bucket is versioned, so earlier records stay as object versions. A record that does
 * not parse is reported with the last good version and the command that restores it.
 */
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { releaseKey } from '../naming';
import { objectVersions } from './inspect';
import { checkAppEnv } from './names';
import { deleteObject, getObject, putObject, where } from './s3';

export const releaseSchema = z.looseObject({
  app: z.string(),
  env: z.string(),
  image: z.string(),
  /** the tag the image was given by, and the digest it resolved to (deployed as repository@digest) */
  imageTag: z.string().optional(),
  imageDigest: z.string().optional(),
  deployedAt: z.string(),
  deployedBy: z.string(),
  number: z.number().int().optional(),
  stack: z.string().optional(),
  templateUrl: z.string().optional(),
  templateKey: z.string().optional(),
  /** sha256 of the template without its TemplateDigest output */
  templateDigest: z.string().optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  port: z.number().int().optional(),
  databaseSecretArn: z.string().optional(),
  /** the stack's LastUpdatedTime (or CreationTime) right after this release */
  stackUpdatedAt: z.string().optional(),
});
/** Required fields plus anything the deploy wants to keep (extra fields are preserved). */
export type ReleaseRecord = z.infer<typeof releaseSchema>;

/** What is stored for an app: nothing, a valid record, or a corrupt one (with the last good version). */
export type ReleaseState =
  | { state: 'none' }
  | { state: 'ok'; record: ReleaseRecord }
  | { state: 'corrupt'; bucket: string; key: string; problem: string; lastGood: { versionId: string; record: ReleaseRecord } | null };

function parseRecord(body: string): { record: ReleaseRecord } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
  const r = releaseSchema.safeParse(raw);
  if (r.success) return { record: r.data };
  const i = r.error.issues[0];
  return { problem: `${i.path.join('.') || '(top level)'}: ${i.message}` };
}

export async function writeRelease(aws: Aws, config: Config, env: string, app: string, record: ReleaseRecord): Promise<void> {
  checkAppEnv(config, app, env);
  await putObject(where(aws, config), releaseKey(env, app), JSON.stringify({ ...record, app, env }, null, 2) + '\n');
}

/** Read and validate the record; a corrupt one names its last good version (never throws for it). */
export async function readRelease(aws: Aws, config: Config, env: string, app: string): Promise<ReleaseState> {
  checkAppEnv(config, app, env);
  const w = where(aws, config);
  const key = releaseKey(env, app);
  const obj = await getObject(w, key);
  if (!obj) return { state: 'none' };
  const parsed = parseRecord(obj.body);
  if ('record' in parsed) return { state: 'ok', record: parsed.record };
  let lastGood: { versionId: string; record: ReleaseRecord } | null = null;
  for (const v of await objectVersions(aws, config, key)) {
    const p = parseRecord(v.body);
    if ('record' in p) {
      lastGood = { versionId: v.versionId, record: p.record };
      break;
    }
  }
  return { state: 'corrupt', bucket: w.bucket, key, problem: parsed.problem, lastGood };
}

/** The one line that says how to repair a corrupt record. */
export function restoreHint(s: Extract<ReleaseState, { state: 'corrupt' }>): string {
  if (!s.lastGood) return `no earlier version is valid; remove it with "aws s3 rm s3://${s.bucket}/${s.key}"`;
  return (
    `the last good version is ${s.lastGood.versionId} (release ${s.lastGood.record.number ?? '?'}, ${s.lastGood.record.image}); restore it with ` +
    `"aws s3api copy-object --bucket ${s.bucket} --key ${s.key} --copy-source '${s.bucket}/${s.key}?versionId=${s.lastGood.versionId}'"`
  );
}

export async function deleteRelease(aws: Aws, config: Config, env: string, app: string): Promise<void> {
  checkAppEnv(config, app, env);
  await deleteObject(where(aws, config), releaseKey(env, app));
}

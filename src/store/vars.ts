/**
 * An app's settings in an env: plain variables (`cyclops vars`) and references to its
 * secrets (`cyclops secrets`: name → Secrets Manager ARN, never a value), in
 * vars/<env>/<app>.json. Every change is a compare-and-swap on the object's ETag, so two
 * concurrent changes both survive. Before each write the release pointer is marked with the
 * new revision (markSettings): a release rendered with older settings is then never taken
 * as up to date by the skip-deploy fast path, even if this process dies right after.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { settingsKey } from '../naming';
import { withCas, type CasOptions } from './cas';
import { markSettings } from './releases';
import { getObject, putObject, where } from './s3';

const secretRef = z.object({ arn: z.string(), updatedAt: z.string() });
export const settingsSchema = z.object({
  version: z.literal(1),
  revision: z.number().int().min(0),
  vars: z.record(z.string(), z.string()),
  secrets: z.record(z.string(), secretRef),
});
export type AppSettings = z.infer<typeof settingsSchema>;

export const emptySettings = (): AppSettings => ({ version: 1, revision: 0, vars: {}, secrets: {} });

/** The variables and secret ARNs a template is rendered with (what a release records). */
export const settingsSnapshot = (s: AppSettings) => ({
  vars: { ...s.vars },
  secrets: Object.fromEntries(Object.entries(s.secrets).map(([k, v]) => [k, v.arn])),
});

export function readSettingsBody(body: string, key: string): AppSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    raw = undefined;
  }
  const r = settingsSchema.safeParse(raw);
  if (!r.success) throw new Error(`${key}: is not a valid settings object; restore an earlier version of it (the bucket is versioned)`);
  return r.data;
}

export async function readSettings(aws: Aws, config: Config, env: string, app: string): Promise<AppSettings> {
  const key = settingsKey(env, app);
  const obj = await getObject(where(aws, config), key);
  return obj ? readSettingsBody(obj.body, key) : emptySettings();
}

const canonical = (s: AppSettings) => JSON.stringify([Object.entries(s.vars).sort(), Object.entries(s.secrets).sort()]);

/**
 * Change the settings by CAS: `change` gets a copy of the current ones and returns the new
 * ones (it may be called again after a conflict). Unchanged settings are not written.
 */
export async function updateSettings(
  aws: Aws,
  config: Config,
  env: string,
  app: string,
  change: (s: AppSettings) => AppSettings,
  opts: CasOptions = {},
): Promise<{ settings: AppSettings; changed: boolean }> {
  const w = where(aws, config);
  const key = settingsKey(env, app);
  const { value } = await withCas(
    `s3://${w.bucket}/${key}`,
    async () => {
      const obj = await getObject(w, key);
      const cur = obj ? readSettingsBody(obj.body, key) : emptySettings();
      const next = change(structuredClone(cur));
      if (canonical(next) === canonical(cur)) return { settings: cur, changed: false };
      const settings = { ...next, version: 1 as const, revision: cur.revision + 1 };
      await markSettings(aws, config, env, app, settings.revision, opts);
      await putObject(w, key, JSON.stringify(settings, null, 2) + '\n', obj ? { ifMatch: obj.etag } : { ifNoneMatch: true });
      return { settings, changed: true };
    },
    opts,
  );
  return value;
}

/** sha256 over anything canonical (the effective settings of a release). */
export const digestOf = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/**
 * The release log of an app in an env: one immutable record per change under
 * releases/<env>/<app>/<number>.json, each created with IfNoneMatch "*" so a number is never
 * reused, even by concurrent writers (a 412 means the number is taken: list the log, take the
 * next). Beside the records, releases/<env>/<app>/current.json is a small pointer written by
 * CAS after each record: the highest number, a copy of the current (last succeeded) record
 * and the settings revision. It is a cache: the log is the truth, a missing or unreadable
 * pointer is rebuilt from the log, and a stale one costs at most a retry (the next number) or
 * the full deploy path (skip-deploy also checks the stack). Reading the current release is
 * one GET, which keeps the skip-deploy fast path at six AWS calls.
 *
 * The single record of earlier versions (releases/<env>/<app>.json) is still read, and
 * becomes the log's first record on the first write.
 */
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { releaseKey, releaseLogPrefix, releaseNumberOf, releasePointerKey, releaseRecordKey } from '../naming';
import { withCas, type CasOptions } from './cas';
import { objectVersions } from './inspect';
import { deleteObject, getObject, isWriteConflict, listObjects, putObject, where, type StoredObject, type Where } from './s3';

export const RELEASE_KINDS = ['deploy', 'rollback', 'scale', 'vars', 'secrets'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];
export const RELEASE_OUTCOMES = ['succeeded', 'failed', 'rolled-back', 'interrupted'] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

const settingsSnapshot = z.object({ vars: z.record(z.string(), z.string()), secrets: z.record(z.string(), z.string()) });

/** What the release phase (processes.release) did on this deploy. */
export const releasePhaseSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'skipped']),
  reason: z.string().optional(),
  command: z.array(z.string()).optional(),
  taskArn: z.string().optional(),
  taskDefinition: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  stoppedReason: z.string().optional(),
  at: z.string(),
  /** only when it failed: the task's last lines */
  logs: z.array(z.string()).optional(),
});
export type ReleasePhaseRecord = z.infer<typeof releasePhaseSchema>;

export const buildRecordSchema = z.object({
  builder: z.string(),
  tag: z.string(),
  commit: z.string().nullable(),
  dirty: z.boolean(),
  seconds: z.number(),
  reused: z.boolean(),
});
export type BuildRecord = z.infer<typeof buildRecordSchema>;

const releaseShape = {
  app: z.string(),
  env: z.string(),
  image: z.string(),
  /** the tag the image was given by, and the digest it resolved to (deployed as repository@digest) */
  imageTag: z.string().optional(),
  imageDigest: z.string().optional(),
  /** when it started (ISO) */
  deployedAt: z.string(),
  /** who: "user@host pid N" */
  deployedBy: z.string(),
  number: z.number().int().optional(),
  /** absent in records of earlier versions: a deploy that succeeded */
  kind: z.enum(RELEASE_KINDS).optional(),
  outcome: z.enum(RELEASE_OUTCOMES).optional(),
  /** what it changed, in one line ("Deploy shop:1.4.2 (sha256:…)", "Set FEATURE_X"); absent in records of earlier versions (derived on read) */
  description: z.string().optional(),
  /** why it failed */
  reason: z.string().optional(),
  finishedAt: z.string().optional(),
  durationSeconds: z.number().optional(),
  /** a rollback: the release it went back to */
  target: z.number().int().optional(),
  /** a promote: the environment and release whose image (by digest) this deploy carries */
  promotedFrom: z.object({ env: z.string(), release: z.number().int() }).optional(),
  releasePhase: releasePhaseSchema.optional(),
  /** deploy --build: what the image was built from, by which builder, and how long it took (reused: the tag was already in ECR) */
  build: buildRecordSchema.optional(),
  stack: z.string().optional(),
  templateUrl: z.string().optional(),
  templateKey: z.string().optional(),
  /** sha256 of the template without its TemplateDigest output */
  templateDigest: z.string().optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  /** task counts set by `scale` or `deploy --count`: later deploys keep them */
  counts: z.record(z.string(), z.number().int()).optional(),
  /** autoscaling bounds set by `scale web=2..10`; later deploys keep them */
  ranges: z.record(z.string(), z.object({ min: z.number().int(), max: z.number().int() })).optional(),
  /** the variables and secret references (ARNs, never values) it was rendered with */
  settings: settingsSnapshot.optional(),
  /** sha256 of the app's effective settings (config env and secrets with vars and secrets layered over) */
  settingsDigest: z.string().optional(),
  /** the revision of vars/<env>/<app>.json it was rendered with */
  settingsRevision: z.number().int().optional(),
  port: z.number().int().optional(),
  databaseSecretArn: z.string().optional(),
  /** the stack's LastUpdatedTime (or CreationTime) right after this release */
  stackUpdatedAt: z.string().optional(),
  url: z.string().optional(),
  /** the stack's status right after this release */
  status: z.string().optional(),
};
/** Unknown fields are kept as they are (a newer cyclops may add some). */
export const releaseSchema = z.looseObject(releaseShape);
const strictRelease = z.object(releaseShape);
export type ReleaseRecord = z.infer<typeof strictRelease>;
/** A record before the log gives it its number (any number in it is replaced). */
export type ReleaseDraft = ReleaseRecord;

export const outcomeOf = (r: ReleaseRecord): ReleaseOutcome => r.outcome ?? 'succeeded';
export const kindOf = (r: ReleaseRecord): ReleaseKind => r.kind ?? 'deploy';

const pointerSchema = z.object({
  version: z.literal(1),
  latest: z.number().int().min(0),
  current: releaseSchema.nullable(),
  /** bumped before each settings write: a release rendered with an older revision is stale */
  settingsRevision: z.number().int().optional(),
  /** the succeeded release that was current before `current` (rollback's default target); absent in pointers of earlier versions */
  previous: z.number().int().optional(),
});
export type Pointer = z.infer<typeof pointerSchema>;

/** What is stored for an app: nothing, a valid record, or a corrupt one (with the last good version). */
export type ReleaseState =
  | { state: 'none'; settingsRevision?: number }
  | { state: 'ok'; record: ReleaseRecord; settingsRevision?: number; previous?: number }
  | { state: 'corrupt'; bucket: string; key: string; problem: string; lastGood: { versionId?: string; record: ReleaseRecord } | null };

function parseWith<T>(schema: z.ZodType<T>, body: string): { value: T } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { value: r.data };
  const i = r.error.issues[0];
  return { problem: `${i.path.join('.') || '(top level)'}: ${i.message}` };
}
const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** The record numbers in the log, ascending (one LIST per 1000 records): only when there is no valid pointer. */
export async function numbers(w: Where, env: string, app: string): Promise<number[]> {
  const listed = await listObjects(w, releaseLogPrefix(env, app));
  return listed
    .map((o) => releaseNumberOf(o.key))
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

export async function readRecord(w: Where, env: string, app: string, n: number): Promise<{ record: ReleaseRecord } | { problem: string; key: string }> {
  const key = releaseRecordKey(env, app, n);
  const obj = await getObject(w, key);
  if (!obj) return { problem: 'missing', key };
  const p = parseWith(releaseSchema, obj.body);
  return 'value' in p ? { record: { ...p.value, number: n } } : { problem: p.problem, key };
}

export async function readPointer(w: Where, env: string, app: string): Promise<{ obj: StoredObject | null; pointer: Pointer | null }> {
  const obj = await getObject(w, releasePointerKey(env, app));
  if (!obj) return { obj: null, pointer: null };
  const p = parseWith(pointerSchema, obj.body);
  return { obj, pointer: 'value' in p ? p.value : null };
}

/** The current release from the log itself: the newest succeeded record. */
async function fromLog(w: Where, env: string, app: string, nums: number[]): Promise<ReleaseState> {
  let unreadable: { key: string; problem: string } | null = null;
  for (const n of [...nums].reverse()) {
    const r = await readRecord(w, env, app, n);
    if ('problem' in r) {
      unreadable ??= r;
      continue;
    }
    if (outcomeOf(r.record) !== 'succeeded') continue;
    if (unreadable) return { state: 'corrupt', bucket: w.bucket, key: unreadable.key, problem: unreadable.problem, lastGood: { record: r.record } };
    return { state: 'ok', record: r.record };
  }
  if (unreadable) return { state: 'corrupt', bucket: w.bucket, key: unreadable.key, problem: unreadable.problem, lastGood: null };
  return { state: 'none' };
}

/** The record of earlier versions; a corrupt one names its last good object version. */
export async function readLegacy(aws: Aws, config: Config, w: Where, env: string, app: string): Promise<ReleaseState | null> {
  const key = releaseKey(env, app);
  const obj = await getObject(w, key);
  if (!obj) return null;
  const parsed = parseWith(releaseSchema, obj.body);
  if ('value' in parsed) return { state: 'ok', record: parsed.value };
  let lastGood: { versionId: string; record: ReleaseRecord } | null = null;
  for (const v of await objectVersions(aws, config, key)) {
    const p = parseWith(releaseSchema, v.body);
    if ('value' in p) {
      lastGood = { versionId: v.versionId, record: p.value };
      break;
    }
  }
  return { state: 'corrupt', bucket: w.bucket, key, problem: parsed.problem, lastGood };
}

/** The current release: one GET of the pointer; the log (or the old single record) when there is no valid pointer. */
export async function readRelease(aws: Aws, config: Config, env: string, app: string): Promise<ReleaseState> {
  const w = where(aws, config);
  const { obj, pointer } = await readPointer(w, env, app);
  if (pointer) {
    const rev = pointer.settingsRevision !== undefined ? { settingsRevision: pointer.settingsRevision } : {};
    const prev = pointer.previous !== undefined ? { previous: pointer.previous } : {};
    return pointer.current ? { state: 'ok', record: pointer.current, ...rev, ...prev } : { state: 'none', ...rev };
  }
  const nums = await numbers(w, env, app);
  if (nums.length || obj) return fromLog(w, env, app, nums);
  return (await readLegacy(aws, config, w, env, app)) ?? { state: 'none' };
}

/** Move the pointer forward (never back): after a record, or to mark newer settings. */
async function updatePointer(w: Where, env: string, app: string, change: (p: Pointer) => Pointer, opts: CasOptions): Promise<void> {
  const key = releasePointerKey(env, app);
  await withCas(
    `s3://${w.bucket}/${key}`,
    async () => {
      const { obj, pointer } = await readPointer(w, env, app);
      let base = pointer;
      if (!base) {
        // Missing or unreadable: rebuild from the log, the truth.
        const nums = await numbers(w, env, app);
        const cur = await fromLog(w, env, app, nums);
        base = { version: 1, latest: nums[nums.length - 1] ?? 0, current: cur.state === 'ok' ? cur.record : null };
      }
      const next = change(base);
      await putObject(w, key, json(next), obj ? { ifMatch: obj.etag } : { ifNoneMatch: true });
    },
    opts,
  );
}

/** The old single record becomes the log's first record (under its own number, else 1). */
async function migrateLegacy(aws: Aws, config: Config, w: Where, env: string, app: string): Promise<number[]> {
  const legacy = await readLegacy(aws, config, w, env, app);
  if (legacy?.state !== 'ok') return [];
  const n = legacy.record.number ?? 1;
  const record: ReleaseRecord = { kind: 'deploy', outcome: 'succeeded', ...legacy.record, number: n };
  try {
    await putObject(w, releaseRecordKey(env, app, n), json(record), { ifNoneMatch: true });
  } catch (e) {
    if (!isWriteConflict(e)) throw e;
  }
  return [n];
}

/**
 * Append a record: it gets the next free number (created with IfNoneMatch, so two writers
 * never share one), then the pointer moves to it. Returns the record as stored.
 */
export async function writeRelease(aws: Aws, config: Config, env: string, app: string, draft: ReleaseDraft, opts: CasOptions = {}): Promise<ReleaseRecord> {
  const w = where(aws, config);
  const { pointer } = await readPointer(w, env, app);
  let highest = pointer?.latest;
  if (highest === undefined) {
    let nums = await numbers(w, env, app);
    if (!nums.length) nums = await migrateLegacy(aws, config, w, env, app);
    highest = nums[nums.length - 1] ?? 0;
  }
  let n = highest + 1;
  const { value: record } = await withCas(
    `release log s3://${w.bucket}/${releaseLogPrefix(env, app)}`,
    async (attempt) => {
      if (attempt > 1) {
        // The number was taken (or the pointer is behind): the log says which is next.
        const nums = await numbers(w, env, app);
        n = Math.max(n, (nums[nums.length - 1] ?? 0) + 1);
      }
      const r: ReleaseRecord = { ...draft, app, env, number: n };
      try {
        await putObject(w, releaseRecordKey(env, app, n), json(r), { ifNoneMatch: true });
      } catch (e) {
        if (isWriteConflict(e)) n++;
        throw e;
      }
      return r;
    },
    opts,
  );
  const succeeded = outcomeOf(record) === 'succeeded';
  await updatePointer(
    w,
    env,
    app,
    (p) => {
      const newer = succeeded && record.number! > (p.current?.number ?? 0);
      const previous = newer ? (p.current?.number ?? p.previous) : p.previous;
      return { ...p, latest: Math.max(p.latest, record.number!), current: newer ? record : p.current, ...(previous !== undefined ? { previous } : {}) };
    },
    opts,
  );
  return record;
}

/** Mark the settings as changing to `revision` before they are written: no release older than it is current. */
export async function markSettings(aws: Aws, config: Config, env: string, app: string, revision: number, opts: CasOptions = {}): Promise<void> {
  await updatePointer(where(aws, config), env, app, (p) => ({ ...p, settingsRevision: Math.max(p.settingsRevision ?? 0, revision) }), opts);
}

/** The one line that says how to repair a corrupt record. */
export function restoreHint(s: Extract<ReleaseState, { state: 'corrupt' }>): string {
  if (!s.lastGood) return `no earlier record is valid; remove it with "aws s3 rm s3://${s.bucket}/${s.key}"`;
  if (!s.lastGood.versionId) {
    return `the last good release is ${s.lastGood.record.number ?? '?'} (${s.lastGood.record.image}); remove the unreadable record with "aws s3 rm s3://${s.bucket}/${s.key}"`;
  }
  return (
    `the last good version is ${s.lastGood.versionId} (release ${s.lastGood.record.number ?? '?'}, ${s.lastGood.record.image}); restore it with ` +
    `"aws s3api copy-object --bucket ${s.bucket} --key ${s.key} --copy-source '${s.bucket}/${s.key}?versionId=${s.lastGood.versionId}'"`
  );
}

/** The app is gone: no current release any more. The log stays (history), so numbers are never reused. */
export async function deleteRelease(aws: Aws, config: Config, env: string, app: string): Promise<void> {
  const w = where(aws, config);
  await updatePointer(
    w,
    env,
    app,
    (p) => {
      const previous = p.current?.number ?? p.previous;
      return { ...p, current: null, ...(previous !== undefined ? { previous } : {}) };
    },
    {},
  );
  await deleteObject(w, releaseKey(env, app));
}

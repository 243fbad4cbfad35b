/**
 * Reading the release log by number, newest first, without listing it: the pointer
 * (releases/<env>/<app>/current.json) knows the highest number, and every record's key is
 * its number. A page of N records costs the pointer and N GETs whatever the log's size; the
 * LIST of src/store/releases.ts `numbers` is only the fallback for a log without a valid
 * pointer (one written by an earlier version, or a pointer lost by hand).
 */
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { pooled } from '../pool';
import { numbers, readLegacy, readPointer, readRecord, readRelease, type ReleaseRecord } from './releases';
import { where, type Where } from './s3';

/** How many record GETs are in flight at once (bounds memory and sockets on `--all`). */
const PARALLEL_READS = 16;

export interface ReleasePage {
  /** at most this many records (none: all of them) */
  limit?: number;
  /** only records numbered below this one (the `next` of the page before) */
  before?: number;
}

export interface ReleaseList {
  /** newest first; a record that does not parse is listed with its problem */
  records: { number: number; record?: ReleaseRecord; problem?: string }[];
  /** the current release's number */
  current: number | null;
  /** the highest release number (the log's size: numbers are never skipped) */
  total: number;
  /** `before` for the next (older) page; null when this page reaches the first release */
  next: number | null;
}

type Row = ReleaseList['records'][number];

/** The records with these numbers (newest first); a missing number (a gap left by a migrated log) is left out. */
async function readRows(w: Where, env: string, app: string, nums: number[]): Promise<Row[]> {
  const rows = await pooled(nums, PARALLEL_READS, async (n): Promise<Row | null> => {
    const r = await readRecord(w, env, app, n);
    if ('record' in r) return { number: n, record: r.record };
    return r.problem === 'missing' ? null : { number: n, problem: r.problem };
  });
  return rows.filter((r): r is Row => r !== null);
}

/** Numbers from `top` down, `limit` of them (all without a limit). */
const countDown = (top: number, limit: number | undefined) => Array.from({ length: Math.max(0, Math.min(top, limit ?? top)) }, (_, i) => top - i);

/** A page of the release log, newest first, and which release is current. */
export async function listReleases(aws: Aws, config: Config, env: string, app: string, page: ReleasePage = {}): Promise<ReleaseList> {
  const w = where(aws, config);
  const { pointer } = await readPointer(w, env, app);
  if (pointer) {
    const top = Math.min(pointer.latest, (page.before ?? Infinity) - 1);
    const nums = countDown(top, page.limit);
    const last = nums[nums.length - 1] ?? 1;
    return { records: await readRows(w, env, app, nums), current: pointer.current?.number ?? null, total: pointer.latest, next: last > 1 ? last : null };
  }
  return listWithoutPointer(aws, config, w, env, app, page);
}

/** The fallback: the log's numbers from a LIST (and the single record of earlier versions). */
async function listWithoutPointer(aws: Aws, config: Config, w: Where, env: string, app: string, page: ReleasePage): Promise<ReleaseList> {
  const all = await numbers(w, env, app);
  const [state, legacy] = await Promise.all([readRelease(aws, config, env, app), all.length ? null : readLegacy(aws, config, w, env, app)]);
  if (!all.length && legacy?.state === 'ok') {
    const n = legacy.record.number ?? 1;
    return { records: [{ number: n, record: legacy.record }], current: n, total: 1, next: null };
  }
  const below = all.filter((n) => n < (page.before ?? Infinity)).reverse();
  const nums = page.limit === undefined ? below : below.slice(0, page.limit);
  const more = below.length > nums.length;
  return {
    records: await readRows(w, env, app, nums),
    current: state.state === 'ok' ? (state.record.number ?? null) : null,
    total: all[all.length - 1] ?? 0,
    next: more ? nums[nums.length - 1] : null,
  };
}

/** One record by its number: the record, its problem when it does not parse, or null when there is none. */
export async function readReleaseNumber(aws: Aws, config: Config, env: string, app: string, n: number): Promise<{ record: ReleaseRecord } | { problem: string } | null> {
  const r = await readRecord(where(aws, config), env, app, n);
  if ('record' in r) return r;
  return r.problem === 'missing' ? null : { problem: r.problem };
}

/**
 * What a release changed, in one line ("Deploy shop:1.4.2 (sha256:ab12cd34ef56…)", "Set FEATURE_X,
 * unset OLD_FLAG", "Set secret STRIPE_KEY", "Scale web=4 worker=2..6", "Rollback to 41",
 * "Promote from staging 12 (shop:1.4.2)"). Pure: written with each record, and derived on read for
 * records of earlier versions from the record and the one before it. Names only: a variable's
 * value and a secret's value never appear (a secret is only an ARN in the record anyway).
 */
import type { ReleaseRecord } from '../store';

/** What a description is made from (a draft's fields are enough). */
export type Describable = Pick<ReleaseRecord, 'kind' | 'image' | 'imageDigest' | 'target' | 'promotedFrom' | 'counts' | 'ranges' | 'settings'>;

/** The names a settings change touched itself: a secret set again keeps its ARN, so no diff shows it. */
export interface Touched {
  set?: string[];
  unset?: string[];
}

/** "shop:1.4.2" from "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shop:1.4.2@sha256:…". */
export function shortImage(image: string): string {
  const noDigest = image.split('@')[0];
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  return last || image;
}

/** "sha256:ab12cd34ef56…" (12 hex digits: enough to tell releases apart, short enough for a table). */
export const shortDigest = (digest: string) => (digest.length > 19 ? `${digest.slice(0, 19)}…` : digest);

function imageText(r: Describable): string {
  const digest = r.imageDigest ?? (r.image.includes('@') ? r.image.slice(r.image.indexOf('@') + 1) : undefined);
  const short = shortImage(r.image);
  return digest && !short.includes(':') ? `${short}@${shortDigest(digest)}` : digest ? `${short} (${shortDigest(digest)})` : short;
}

/** Names whose value differs between two maps, and names only in `before`. */
function diff(before: Record<string, string> | undefined, after: Record<string, string> | undefined): { set: string[]; unset: string[] } {
  const a = after ?? {};
  const b = before ?? {};
  return {
    set: Object.keys(a).filter((k) => b[k] !== a[k]).sort(),
    unset: Object.keys(b).filter((k) => !Object.hasOwn(a, k)).sort(),
  };
}

/** Without the release before it, a settings record cannot say what changed (only what it holds). */
const settingsDiff = (before: Describable | null | undefined, which: 'vars' | 'secrets', r: Describable) =>
  before?.settings && r.settings ? diff(before.settings[which], r.settings[which]) : { set: [], unset: [] };

const union = (...lists: (string[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))].sort();

function settingsText(noun: 'variable' | 'secret', d: { set: string[]; unset: string[] }): string | null {
  const prefix = noun === 'secret' ? (n: number) => (n > 1 ? 'secrets ' : 'secret ') : () => '';
  const parts = [...(d.set.length ? [`Set ${prefix(d.set.length)}${d.set.join(', ')}`] : []), ...(d.unset.length ? [`unset ${prefix(d.unset.length)}${d.unset.join(', ')}`] : [])];
  if (!parts.length) return null;
  const text = parts.join(', ');
  return text[0].toUpperCase() + text.slice(1);
}

/** "web=4 worker=2..6": the processes whose count or bounds this release changed (all it sets without `before`). */
function scaleText(r: Describable, before: Describable | null | undefined): string {
  const procs = union(Object.keys(r.counts ?? {}), Object.keys(r.ranges ?? {}));
  const value = (x: Describable | null | undefined, p: string) => {
    const range = x?.ranges?.[p];
    if (range) return `${range.min}..${range.max}`;
    const count = x?.counts?.[p];
    return count !== undefined ? String(count) : undefined;
  };
  const changed = before ? procs.filter((p) => value(r, p) !== value(before, p)) : procs;
  const shown = changed.length ? changed : procs;
  return shown.length ? `Scale ${shown.map((p) => `${p}=${value(r, p)}`).join(' ')}` : 'Scale to the configured counts';
}

/**
 * The record's description. `before`: the release just before it in the log (what a settings
 * change or a scale is compared with); `touched`: the names the command itself changed.
 */
export function describeRelease(r: Describable, before?: Describable | null, touched?: Touched): string {
  switch (r.kind ?? 'deploy') {
    case 'rollback':
      return r.target !== undefined ? `Rollback to ${r.target}` : `Rollback to ${shortImage(r.image)}`;
    case 'scale':
      return scaleText(r, before);
    case 'vars': {
      const d = settingsDiff(before, 'vars', r);
      return settingsText('variable', { set: union(d.set, touched?.set), unset: union(d.unset, touched?.unset) }) ?? 'Change variables';
    }
    case 'secrets': {
      const d = settingsDiff(before, 'secrets', r);
      return settingsText('secret', { set: union(d.set, touched?.set), unset: union(d.unset, touched?.unset) }) ?? 'Change secrets';
    }
    case 'deploy': {
      if (r.promotedFrom) return `Promote from ${r.promotedFrom.env} ${r.promotedFrom.release} (${imageText(r)})`;
      const counts = r.counts && Object.keys(r.counts).length ? ` with ${Object.entries(r.counts).map(([p, n]) => `${p}=${n}`).join(' ')}` : '';
      return `Deploy ${imageText(r)}${counts}`;
    }
  }
}

/** A page of records, newest first: each keeps its stored description, or gets one from the record below it. */
export function describePage<T extends { number: number; record?: ReleaseRecord }>(rows: T[]): Map<number, string> {
  const out = new Map<number, string>();
  rows.forEach((row, i) => {
    if (!row.record) return;
    if (row.record.description !== undefined) {
      out.set(row.number, row.record.description);
      return;
    }
    const below = rows[i + 1];
    const before = below && below.number === row.number - 1 ? below.record : undefined;
    out.set(row.number, describeRelease(row.record, before));
  });
  return out;
}

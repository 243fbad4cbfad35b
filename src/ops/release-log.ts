/**
 * The release log from the application's side: `cyclops releases` (newest first, the current
 * one marked), and the one way every operation appends a record (with who, when and how
 * long), including the record of a failure, which never hides the failure itself.
 */
import { ExitCode } from '../errors';
import { say } from '../events';
import { currentHolder, kindOf, outcomeOf, type ReleaseDraft, type ReleasePage, type ReleaseRecord } from '../store';
import { now, type Ops } from './context';
import { failedOutcome } from './desired-state';
import type { AppTarget } from '../plan/target';
import { describePage } from './release-describe';

export type Fields = Omit<ReleaseDraft, 'app' | 'env' | 'deployedAt' | 'deployedBy' | 'finishedAt' | 'durationSeconds'>;

const iso = (ms: number) => new Date(ms).toISOString();

/** A draft record for an operation that started at `started` and ends now. */
export function draft(ops: Ops, t: AppTarget, started: number, fields: Fields): ReleaseDraft {
  const end = now(ops);
  // Who, when and how long always describe this operation: fields copied from an earlier
  // record (rollback and scale start from one) never carry its times over.
  return {
    outcome: 'succeeded',
    ...fields,
    app: t.app,
    env: t.env,
    deployedAt: iso(started),
    deployedBy: currentHolder(),
    finishedAt: iso(end),
    durationSeconds: Math.round((end - started) / 100) / 10,
  };
}

/**
 * Record that an operation which touched the stack failed, was rolled back by ECS or was
 * interrupted, then rethrow the original error. A failure to record is a warning only.
 */
export async function recordFailure(ops: Ops, t: AppTarget, started: number, fields: Fields, e: unknown): Promise<never> {
  // Exit 2 means nothing was changed (the change-safety guard refuses before the change set
  // runs): there is no release to record, and recording one would be a write.
  if ((e as { exitCode?: number })?.exitCode === ExitCode.USAGE) throw e;
  const outcome = failedOutcome(e, ops.signal);
  try {
    const r = await ops.store.writeRelease(t.env, t.app, draft(ops, t, started, { ...fields, ...outcome }));
    say.info(ops.events, 'release.recorded', { app: t.app, env: t.env, number: r.number ?? null, outcome: outcome.outcome ?? 'failed' }, `recorded release ${r.number} of ${t.app} in ${t.env}: ${outcome.outcome}`);
  } catch (w) {
    say.warn(ops.events, 'release.record-failed', { app: t.app, env: t.env, outcome: outcome.outcome ?? 'failed', reason: (w as Error).message }, `could not record the ${outcome.outcome} release of ${t.app} in ${t.env}: ${(w as Error).message}`);
  }
  throw e;
}

export interface ReleaseRow {
  number: number;
  current: boolean;
  kind: string;
  /** what it changed: "Deploy shop:1.4.2 (sha256:ab12…)", "Set FEATURE_X", "Scale web=4" */
  description: string;
  outcome: string;
  reason?: string;
  image: string;
  imageDigest?: string;
  when: string;
  who: string;
  durationSeconds?: number;
  target?: number;
  /** a promote: where its image came from */
  promotedFrom?: { env: string; release: number };
  counts?: Record<string, number>;
  templateKey?: string;
  problem?: string;
}

export interface ReleasesResult {
  app: string;
  env: string;
  current: number | null;
  /** the highest release number */
  total: number;
  releases: ReleaseRow[];
  /** `--before` for the next (older) page; null when the page reaches the first release */
  next: number | null;
}

const row = (r: ReleaseRecord, current: number | null, description: string): ReleaseRow => ({
  number: r.number ?? 0,
  current: r.number === current,
  kind: kindOf(r),
  description,
  outcome: outcomeOf(r),
  ...(r.reason ? { reason: r.reason } : {}),
  image: r.image,
  ...(r.imageDigest ? { imageDigest: r.imageDigest } : {}),
  when: r.deployedAt,
  who: r.deployedBy,
  ...(r.durationSeconds !== undefined ? { durationSeconds: r.durationSeconds } : {}),
  ...(r.target !== undefined ? { target: r.target } : {}),
  ...(r.promotedFrom ? { promotedFrom: r.promotedFrom } : {}),
  ...(r.counts ? { counts: r.counts } : {}),
  ...(r.templateKey ? { templateKey: r.templateKey } : {}),
});

/** `cyclops releases APP ENV`: a page of the log, newest first (the pointer and one read per record). */
export async function listReleases(ops: Ops, t: AppTarget, page: ReleasePage = {}): Promise<ReleasesResult> {
  const list = await ops.store.listReleases(t.env, t.app, page);
  // records of earlier versions have no description: it is derived from the record below it on the page
  const described = describePage(list.records);
  const releases = list.records.map((r) =>
    r.record ? row(r.record, list.current, described.get(r.number)!) : { number: r.number, current: false, kind: '?', description: '?', outcome: '?', image: '?', when: '?', who: '?', problem: r.problem },
  );
  return { app: t.app, env: t.env, current: list.current, total: list.total, releases, next: list.next };
}

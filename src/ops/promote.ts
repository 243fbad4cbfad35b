/**
 * `cyclops promote APP FROM_ENV TO_ENV`: deploy to TO_ENV exactly the image FROM_ENV's current
 * release runs, by its recorded digest (repository@sha256:…), never by a tag looked up again.
 * Only the image travels: TO_ENV keeps its own vars, secrets, counts and port, because the
 * deploy renders TO_ENV's own settings. The new release records where it came from
 * (`promotedFrom`: "promoted from staging release 12").
 *
 * Refusals (exit 2, before the lock and before any write):
 * - FROM_ENV has no release, or its newest release did not succeed (a failed, rolled-back or
 *   interrupted deploy is what the team last tried to ship there: promoting the one before it
 *   would ship something nobody meant to ship); `--release N` names a succeeded one instead;
 * - the release carries no digest (deployed by tag from a registry cyclops does not resolve).
 */
import { usageError } from '../errors';
import { say } from '../events';
import { outcomeOf, type ReleaseRecord } from '../store';
import { parseImage, type ImageRef } from '../plan/inputs';
import type { AppTarget } from '../plan/target';
import type { Ops } from './context';
import { deploy, type DeployOptions, type DeployResult } from './deploy';

export interface PromoteOptions extends Pick<DeployOptions, 'dryRun' | 'wait' | 'timeoutSeconds' | 'allowReplace'> {
  /** promote this release of FROM_ENV instead of its current one (it must have succeeded) */
  release?: number;
}

export interface PromoteResult extends DeployResult {
  promotedFrom: { env: string; release: number; image: string };
}

/** What is promoted: the release, and the image pinned to its digest. */
export interface PromoteSource {
  record: ReleaseRecord;
  number: number;
  image: string;
  ref: ImageRef;
}

const why = (r: ReleaseRecord) => `${outcomeOf(r)}${r.reason ? `: ${r.reason}` : ''}`;

/** The release of FROM_ENV to promote and its image by digest; exit 2 for every refusal. */
export async function promoteSource(ops: Ops, from: AppTarget, release?: number): Promise<PromoteSource> {
  const { app, env } = from;
  const list = `"cyclops releases ${app} ${env}"`;
  let record: ReleaseRecord;
  if (release !== undefined) {
    const r = await ops.store.releaseRecord(env, app, release);
    if (!r) throw usageError(`promote --release ${release}: ${app} has no release ${release} in ${env}; pick one from ${list}`);
    if ('problem' in r) throw usageError(`promote --release ${release}: the record of release ${release} of ${app} in ${env} is unreadable (${r.problem}); pick another from ${list}`);
    record = r.record;
  } else {
    // The newest record, not the pointer's last succeeded one: a failed deploy is news.
    const page = await ops.store.listReleases(env, app, { limit: 1 });
    const newest = page.records[0];
    if (!newest) throw usageError(`promote ${app} ${env}: ${app} has no release in ${env}; deploy it there first with "cyclops deploy IMAGE ${app} ${env}"`);
    if (!newest.record) throw usageError(`promote ${app} ${env}: the record of release ${newest.number} of ${app} in ${env} is unreadable (${newest.problem}); deploy again first`);
    record = newest.record;
  }
  const number = record.number ?? 0;
  if (outcomeOf(record) !== 'succeeded') {
    throw usageError(
      `promote ${app} ${env}: release ${number} of ${app} in ${env} did not succeed (${why(record)}); nothing was promoted; fix and redeploy ${env}, or promote a succeeded release with --release N (see ${list})`,
    );
  }
  if (!record.imageDigest) {
    throw usageError(
      `promote ${app} ${env}: release ${number} ran ${record.image} by tag, with no digest recorded, so the exact image cannot be named; deploy ${env} by digest (repository@sha256:…) or from ECR, then promote`,
    );
  }
  const ref: ImageRef = { repository: parseImage(record.image).repository, digest: record.imageDigest };
  return { record, number, image: `${ref.repository}@${ref.digest}`, ref };
}

export async function promote(ops: Ops, from: AppTarget, to: AppTarget, opts: PromoteOptions = {}): Promise<PromoteResult> {
  if (from.env === to.env) throw usageError(`promote ${from.app} ${from.env} ${to.env}: FROM_ENV and TO_ENV are the same environment; name two, such as "cyclops promote ${from.app} staging production"`);
  const src = await promoteSource(ops, from, opts.release);
  const promotedFrom = { env: from.env, release: src.number, image: src.image };
  say.step(ops.events, 'promote.started', { app: to.app, env: to.env, from: from.env, release: src.number, image: src.image }, `promoting ${from.app}: ${src.image} from ${from.env} release ${src.number} to ${to.env} (the image only; ${to.env} keeps its own settings)`);
  const r = await deploy(ops, { target: to, image: src.image, ref: src.ref }, { ...opts, promotedFrom: { env: from.env, release: src.number } });
  return { ...r, promotedFrom };
}

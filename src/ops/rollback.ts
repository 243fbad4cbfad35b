/**
 * `cyclops rollback APP ENV [--to N]`: re-apply exactly an earlier release's stored template
 * and parameters (not a re-render of today's config), under the app lock, wait for the
 * rollout and record a new release (kind rollback, target N). Database migrations are not
 * rolled back: the output says so.
 */
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { outcomeOf, type ReleaseRecord } from '../store';
import { now, type Ops } from './context';
import { withAppLock } from './lock';
import { elapsed, reapply, requireCurrent, requireTemplate } from './reapply';
import type { AppTarget } from '../plan/target';

export const MIGRATIONS_NOTE = 'database migrations are not rolled back: the database stays as the newer release left it';

export interface RollbackOptions {
  to?: number;
  dryRun?: boolean;
  timeoutSeconds?: number;
}

export interface RollbackResult {
  app: string;
  env: string;
  stack: string;
  from: number;
  to: number;
  image: string;
  changed: boolean;
  action: string;
  dryRun: boolean;
  release: ReleaseRecord | null;
  changes: unknown[];
  duration: number;
  note: string;
}

/**
 * The release to go back to: --to N, else the last succeeded release before the current one.
 * Pure over the log (newest first).
 */
export function rollbackTarget(log: ReleaseRecord[], current: ReleaseRecord, to: number | undefined, t: AppTarget): ReleaseRecord {
  if (to !== undefined) {
    const r = log.find((x) => x.number === to);
    if (!r) throw usageError(`rollback --to ${to}: ${t.app} in ${t.env} has no release ${to}; see "cyclops releases ${t.app} ${t.env}"`);
    if (outcomeOf(r) !== 'succeeded') throw usageError(`rollback --to ${to}: release ${to} ${outcomeOf(r)}, so it never ran; pick a succeeded release from "cyclops releases ${t.app} ${t.env}"`);
    return r;
  }
  const earlier = log.filter((x) => (x.number ?? 0) < (current.number ?? 0) && outcomeOf(x) === 'succeeded').sort((a, b) => (b.number ?? 0) - (a.number ?? 0));
  if (!earlier.length) throw usageError(`rollback ${t.app} ${t.env}: release ${current.number} is the first that succeeded; there is nothing earlier to roll back to`);
  return earlier[0];
}

export async function rollback(ops: Ops, t: AppTarget, opts: RollbackOptions = {}): Promise<RollbackResult> {
  const started = now(ops);
  const current = requireCurrent(await ops.store.readRelease(t.env, t.app), t, 'rollback');
  const list = await ops.store.listReleases(t.env, t.app);
  const log = list.records.flatMap((r) => (r.record ? [r.record] : []));
  const target = rollbackTarget(log, current, opts.to, t);
  const stack = appStack(t.platform, t.env, t.app);
  const base = { app: t.app, env: t.env, stack, from: current.number ?? 0, to: target.number ?? 0, image: target.image, note: MIGRATIONS_NOTE };
  if (target.number === current.number) {
    say.info(ops.events, `release ${target.number} is already the current release of ${t.app} in ${t.env}; nothing to do`);
    return { ...base, changed: false, action: 'none', dryRun: !!opts.dryRun, release: current, changes: [], duration: elapsed(ops, started) };
  }
  const template = await requireTemplate(ops, target, `rollback --to ${target.number}`);
  say.warn(ops.events, MIGRATIONS_NOTE);
  say.step(ops.events, `rolling ${t.app} in ${t.env} back from release ${current.number} to ${target.number} (${target.image})`);
  const input = { base: target, parameters: template.parameters, kind: 'rollback' as const, target: target.number, counts: target.counts, timeoutSeconds: opts.timeoutSeconds, started };
  if (opts.dryRun) {
    const r = await reapply(ops, t, null, { ...input, dryRun: true });
    return { ...base, changed: r.applied.changed, action: 'dry-run', dryRun: true, release: null, changes: r.applied.changes, duration: elapsed(ops, started) };
  }
  const r = await withAppLock(ops, t, `rollback to release ${target.number}`, (scope) => reapply(ops, t, scope, input));
  return { ...base, changed: r.applied.changed, action: r.applied.action, dryRun: false, release: r.release, changes: r.applied.changes, duration: elapsed(ops, started) };
}

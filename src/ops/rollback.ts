/**
 * `cyclops rollback APP ENV [--to N]`: re-apply exactly an earlier release's stored template
 * and parameters (not a re-render of today's config), under the app lock, wait for the
 * rollout and record a new release (kind rollback, target N). Database migrations are not
 * rolled back: the output says so.
 */
import { usageError } from '../errors';
import { say } from '../events';
import { appStack } from '../naming';
import { EXTERNAL_CERTIFICATE_PARAMETER } from '../plan';
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

/** Reads one record of the log by number (Ops.store.releaseRecord). */
export type RecordLookup = (n: number) => Promise<{ record: ReleaseRecord } | { problem: string } | null>;

/**
 * The release to go back to: --to N, else the last succeeded release before the current one,
 * which the pointer names (`previous`). Each costs one GET whatever the log's size; a pointer
 * of an earlier version has no `previous`, and then the log is read backwards from the
 * current release to the first one that succeeded.
 */
export async function rollbackTarget(lookup: RecordLookup, current: ReleaseRecord, previous: number | undefined, to: number | undefined, t: AppTarget): Promise<ReleaseRecord> {
  if (to !== undefined) {
    if (to === current.number) return current;
    const r = await lookup(to);
    if (!r) throw usageError(`rollback --to ${to}: ${t.app} in ${t.env} has no release ${to}; see "cyclops releases ${t.app} ${t.env}"`);
    if ('problem' in r) throw usageError(`rollback --to ${to}: the record of release ${to} is unreadable (${r.problem}); pick another from "cyclops releases ${t.app} ${t.env}"`);
    if (outcomeOf(r.record) !== 'succeeded') throw usageError(`rollback --to ${to}: release ${to} ${outcomeOf(r.record)}, so it never ran; pick a succeeded release from "cyclops releases ${t.app} ${t.env}"`);
    return r.record;
  }
  if (previous !== undefined) {
    const r = await lookup(previous);
    if (r && 'record' in r && outcomeOf(r.record) === 'succeeded') return r.record;
  }
  for (let n = (current.number ?? 0) - 1; n >= 1; n--) {
    const r = await lookup(n);
    if (r && 'record' in r && outcomeOf(r.record) === 'succeeded') return r.record;
  }
  throw usageError(`rollback ${t.app} ${t.env}: release ${current.number} is the first that succeeded; there is nothing earlier to roll back to`);
}

/**
 * The parameters a rollback applies: the target release's, except its domains certificate when
 * that one is no longer issued (pruned by `domains --prune`, expired, revoked): the certificate
 * belongs to the domain names, not to the release, and a listener certificate that no longer
 * exists fails the stack update. The stack then keeps the issued certificate it has, else none.
 */
export async function rollbackParameters(ops: Ops, t: AppTarget, parameters: Record<string, string>): Promise<Record<string, string>> {
  const wanted = parameters[EXTERNAL_CERTIFICATE_PARAMETER];
  if (!wanted) return parameters;
  const issued = new Set((await ops.certificates.list(t.env, t.app)).filter((c) => c.status === 'ISSUED').map((c) => c.arn));
  if (issued.has(wanted)) return parameters;
  const live = (await ops.stacks.describe(appStack(t.platform, t.env, t.app)))?.parameters[EXTERNAL_CERTIFICATE_PARAMETER] ?? '';
  const kept = issued.has(live) ? live : '';
  say.warn(
    ops.events,
    'rollback.certificate-kept',
    { app: t.app, env: t.env, wanted, kept: kept || null },
    `the domains certificate of the release rolled back to (${wanted}) is no longer issued; the rollback ${kept ? `keeps the stack's certificate ${kept}` : 'serves those domains without one until "cyclops domains ' + t.app + ' ' + t.env + '" attaches a new one'}`,
  );
  return { ...parameters, [EXTERNAL_CERTIFICATE_PARAMETER]: kept };
}

export async function rollback(ops: Ops, t: AppTarget, opts: RollbackOptions = {}): Promise<RollbackResult> {
  const started = now(ops);
  const state = await ops.store.readRelease(t.env, t.app);
  const current = requireCurrent(state, t, 'rollback');
  const previous = state.state === 'ok' ? state.previous : undefined;
  const target = await rollbackTarget((n) => ops.store.releaseRecord(t.env, t.app, n), current, previous, opts.to, t);
  const stack = appStack(t.platform, t.env, t.app);
  const base = { app: t.app, env: t.env, stack, from: current.number ?? 0, to: target.number ?? 0, image: target.image, note: MIGRATIONS_NOTE };
  if (target.number === current.number) {
    say.info(ops.events, 'rollback.unchanged', { app: t.app, env: t.env, release: target.number ?? null }, `release ${target.number} is already the current release of ${t.app} in ${t.env}; nothing to do`);
    return { ...base, changed: false, action: 'none', dryRun: !!opts.dryRun, release: current, changes: [], duration: elapsed(ops, started) };
  }
  const template = await requireTemplate(ops, target, `rollback --to ${target.number}`);
  say.warn(ops.events, 'rollback.migrations-note', {}, MIGRATIONS_NOTE);
  say.step(ops.events, 'rollback.started', { app: t.app, env: t.env, from: current.number ?? null, to: target.number ?? null, image: target.image }, `rolling ${t.app} in ${t.env} back from release ${current.number} to ${target.number} (${target.image})`);
  const parameters = await rollbackParameters(ops, t, template.parameters);
  const input = { base: target, parameters, kind: 'rollback' as const, target: target.number, counts: target.counts, timeoutSeconds: opts.timeoutSeconds, started };
  if (opts.dryRun) {
    const r = await reapply(ops, t, null, { ...input, dryRun: true });
    return { ...base, changed: r.applied.changed, action: 'dry-run', dryRun: true, release: null, changes: r.applied.changes, duration: elapsed(ops, started) };
  }
  const r = await withAppLock(ops, t, `rollback to release ${target.number}`, (scope) => reapply(ops, t, scope, input));
  return { ...base, changed: r.applied.changed, action: r.applied.action, dryRun: false, release: r.release, changes: r.applied.changes, duration: elapsed(ops, started) };
}

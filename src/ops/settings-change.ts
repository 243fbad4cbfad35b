/**
 * A settings change (vars, secrets) and the release that applies it. The rule: the app lock is
 * taken before the first write, the settings are stored as a new revision (pending), and they
 * become what runs only together with the release record that carries that revision. Until
 * then `vars list` and `status` show them as pending, and the natural rerun of an interrupted,
 * killed or failed change applies them: it never answers "nothing to do" while the stored
 * revision is newer than the current release's.
 */
import { CyclopsError, isCyclopsError } from '../errors';
import { say } from '../events';
import type { AppSettings, ReleaseRecord } from '../store';
import type { Ops } from './context';
import { deploy, type DeployResult } from './deploy';
import { parseImage } from '../plan/inputs';
import { withAppLock, type LockScope } from './lock';
import { settingsPending } from './pending-settings';
import type { Touched } from './release-describe';

export { settingsPending, pendingSettings, type PendingSettings } from './pending-settings';
import type { AppTarget } from '../plan/target';

export interface SettingsChangeOptions {
  noDeploy?: boolean;
  timeoutSeconds?: number;
}

/**
 * The image a release runs, pinned: a tag resolved to a digest at deploy time comes back as
 * "repo:tag@sha256:…", so a settings change re-applies that digest even when the tag has moved.
 */
export function recordedImage(record: ReleaseRecord): string {
  if (!record.imageDigest || !record.imageTag) return record.image;
  return `${parseImage(record.image).repository}:${record.imageTag}@${record.imageDigest}`;
}

export interface SettingsChange {
  kind: 'vars' | 'secrets';
  /** the operation the lock names, such as "vars set FOO" */
  operation: string;
  /** "variables" or "secret API_TOKEN", for messages */
  noun: string;
  /** the write, under the lock; it may be called once only */
  write: (scope: LockScope) => Promise<{ settings: AppSettings; changed: boolean }>;
  /** start a new deployment even when the template is unchanged (a new secret version) */
  restart?: boolean;
  /** the names this command sets or unsets, for the release's description */
  touched?: Touched;
  /** under the lock, once the stored settings run (secrets unset deletes the secret here) */
  afterApply?: (scope: LockScope) => Promise<void>;
}

export interface SettingsOutcome {
  settings: AppSettings;
  /** this run stored a new revision */
  stored: boolean;
  /** the stored settings are not what the current release runs (after this run) */
  pending: boolean;
  deploy: DeployResult | null;
}

/**
 * Under the app lock: store (c.write), then re-apply the current release with the stored
 * settings unless told not to. A stored but unapplied revision from an earlier, interrupted
 * run is applied too, even when this run's write changed nothing.
 */
export function applySettings(ops: Ops, t: AppTarget, c: SettingsChange, opts: SettingsChangeOptions): Promise<SettingsOutcome> {
  return withAppLock(ops, t, c.operation, async (scope) => {
    scope.checkpoint();
    const { settings, changed } = await c.write(scope);
    try {
      return await applyStored(ops, t, c, opts, scope, settings, changed);
    } catch (e) {
      throw stillPending(e, t, c);
    }
  });
}

async function applyStored(ops: Ops, t: AppTarget, c: SettingsChange, opts: SettingsChangeOptions, scope: LockScope, settings: AppSettings, changed: boolean): Promise<SettingsOutcome> {
  const state = await ops.store.readRelease(t.env, t.app);
  const pending = settingsPending(settings, state);
  const done = (d: DeployResult | null, stillPending: boolean): SettingsOutcome => ({ settings, stored: changed, pending: stillPending, deploy: d });
  if (!pending) {
    if (!changed) say.info(ops.events, 'settings.unchanged', { app: t.app, env: t.env }, `the ${c.noun} of ${t.app} in ${t.env} already say so and run; nothing to do`);
    return done(null, false);
  }
  const was = changed ? 'stored' : `already stored (revision ${settings.revision}) but not applied yet`;
  if (state.state !== 'ok') {
    const why = state.state === 'none' ? `${t.app} has no release in ${t.env} yet` : `the release record of ${t.app} in ${t.env} is unreadable`;
    say.info(ops.events, 'settings.stored', { app: t.app, env: t.env, reason: 'no-release' }, `${was}; ${why}, so its next deploy applies it ("cyclops deploy IMAGE ${t.app} ${t.env}")`);
    return done(null, true);
  }
  if (opts.noDeploy) {
    say.info(ops.events, 'settings.stored', { app: t.app, env: t.env, reason: 'no-deploy' }, `${was}; pending until the next deploy of ${t.app} in ${t.env} (release ${state.record.number} runs revision ${state.record.settingsRevision ?? 0})`);
    return done(null, true);
  }
  const image = recordedImage(state.record);
  if (!changed) say.info(ops.events, 'settings.pending', { app: t.app, env: t.env, revision: settings.revision, running: state.record.settingsRevision ?? 0 }, `the ${c.noun} of ${t.app} in ${t.env} are ${was}: release ${state.record.number} runs revision ${state.record.settingsRevision ?? 0}`);
  say.step(ops.events, 'settings.reapplying', { release: state.record.number ?? null, image, kind: c.kind }, `re-applying release ${state.record.number} (${image}) with the ${c.kind === 'vars' ? 'variables' : 'secrets'} of revision ${settings.revision}`);
  const d = await deploy(ops, { target: t, image, ref: parseImage(image) }, { kind: c.kind, restart: c.restart, touched: c.touched, timeoutSeconds: opts.timeoutSeconds, scope });
  await c.afterApply?.(scope);
  return done(d, false);
}

/**
 * A settings change that stopped after its write: the settings are stored, not applied. Say
 * so, and how to apply them, instead of a stack's "nothing was changed".
 */
function stillPending(e: unknown, t: AppTarget, c: SettingsChange): unknown {
  if (!isCyclopsError(e)) return e;
  const what = e.message.replace(/;?\s*nothing (more )?was changed/, '');
  return new CyclopsError(`${what}; the ${c.noun} of ${t.app} in ${t.env} are stored but not applied: run the same command again to apply them`, {
    exitCode: e.exitCode,
    code: e.code,
    details: e.details,
    cause: e,
  });
}

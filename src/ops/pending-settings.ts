/**
 * Stored settings (vars, secret references) that the current release does not run yet: a
 * revision newer than the one the release was rendered with. Pure.
 */
import type { AppSettings, ReleaseState } from '../store';

/** Stored settings the current release does not run yet (no release at all: any stored setting). */
export function settingsPending(settings: AppSettings, state: ReleaseState): boolean {
  if (state.state === 'ok') return settings.revision > (state.record.settingsRevision ?? 0);
  return settings.revision > 0 && (Object.keys(settings.vars).length > 0 || Object.keys(settings.secrets).length > 0);
}

/** What `status` says about stored settings the current release does not run yet; null: none. */
export interface PendingSettings {
  revision: number;
  /** the revision the current release runs (0: none) */
  runningRevision: number;
  /** variables and secrets that are set, changed or removed in the stored settings */
  names: string[];
}

export function pendingSettings(settings: AppSettings, state: ReleaseState): PendingSettings | null {
  if (!settingsPending(settings, state)) return null;
  const ran = state.state === 'ok' ? state.record.settings : undefined;
  const vars = ran?.vars ?? {};
  const secrets = ran?.secrets ?? {};
  const stored = { vars: settings.vars, secrets: Object.fromEntries(Object.entries(settings.secrets).map(([k, v]) => [k, `${v.arn} ${v.updatedAt}`])) };
  const names = new Set<string>();
  for (const [k, v] of Object.entries(stored.vars)) if (vars[k] !== v) names.add(k);
  for (const k of Object.keys(vars)) if (!Object.hasOwn(stored.vars, k)) names.add(k);
  // a secret's new value keeps its ARN: any secret stored after the running revision is pending
  for (const k of Object.keys(stored.secrets)) if (secrets[k] === undefined || state.state !== 'ok' || (settings.secrets[k].updatedAt ?? '') > (state.record.finishedAt ?? state.record.deployedAt)) names.add(k);
  for (const k of Object.keys(secrets)) if (!Object.hasOwn(stored.secrets, k)) names.add(k);
  return { revision: settings.revision, runningRevision: state.state === 'ok' ? (state.record.settingsRevision ?? 0) : 0, names: [...names].sort() };
}


/**
 * `cyclops vars set|unset|list`: plain environment variables of an app in an env, stored in
 * the config bucket (vars/<env>/<app>.json, by CAS) and layered over config's `env`. A change
 * re-applies the current release's image with the new variables (a release of kind vars);
 * --no-deploy only stores them for the next deploy.
 */
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { checkSettingName, looksSecret } from '../naming';
import type { AppSettings, ReleaseRecord } from '../store';
import type { Ops } from './context';
import { deploy, type DeployResult } from './deploy';
import { parseImage } from '../plan/inputs';
import type { AppTarget } from '../plan/target';

export interface SettingsChangeOptions {
  noDeploy?: boolean;
  timeoutSeconds?: number;
}

export interface VarsResult {
  app: string;
  env: string;
  changed: boolean;
  /** the stored variables after the change */
  vars: Record<string, string>;
  set?: string[];
  unset?: string[];
  deployed: boolean;
  deploy: DeployResult | null;
}

/** "KEY=VALUE" arguments → pairs; a malformed one is a usage error. */
export function parsePairs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0) throw usageError(`vars set ${a}: not KEY=VALUE; give each variable as NAME=value, such as FOO=bar`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

function checkVarName(ops: Ops, t: AppTarget, name: string, plain: boolean): void {
  checkSettingName(name, 'variable');
  if (looksSecret(name) && !plain) {
    throw usageError(`variable "${name}": looks like a secret; store it with "cyclops secrets set ${t.app} ${t.env} ${name}" (the value from stdin), or pass --plain if it is not one`);
  }
  if (Object.hasOwn(appConfig(ops.config, t.app, t.env).secrets, name)) {
    throw usageError(`variable "${name}": is a secret of ${t.app} in ${ops.config.file}; use another name`);
  }
}

/** After a settings change: re-apply the current release's image, unless told not to or there is none. */
export async function redeploy(ops: Ops, t: AppTarget, kind: 'vars' | 'secrets', opts: SettingsChangeOptions & { restart?: boolean }): Promise<DeployResult | null> {
  if (opts.noDeploy) {
    say.info(ops.events, 'settings.stored', { app: t.app, env: t.env, reason: 'no-deploy' }, `stored; the next deploy of ${t.app} in ${t.env} applies it`);
    return null;
  }
  const state = await ops.store.readRelease(t.env, t.app);
  if (state.state !== 'ok') {
    say.info(ops.events, 'settings.stored', { app: t.app, env: t.env, reason: 'no-release' }, `stored; ${t.app} has no release in ${t.env} yet, so its first deploy applies it`);
    return null;
  }
  const image = recordedImage(state.record);
  say.step(ops.events, 'settings.reapplying', { release: state.record.number ?? null, image, kind }, `re-applying release ${state.record.number} (${image}) with the new ${kind === 'vars' ? 'variables' : 'secrets'}`);
  return deploy(ops, { target: t, image, ref: parseImage(image) }, { kind, restart: opts.restart, timeoutSeconds: opts.timeoutSeconds });
}

/**
 * The image a release runs, pinned: a tag resolved to a digest at deploy time comes back as
 * "repo:tag@sha256:…", so a settings change re-applies that digest even when the tag has moved.
 */
export function recordedImage(record: ReleaseRecord): string {
  if (!record.imageDigest || !record.imageTag) return record.image;
  return `${parseImage(record.image).repository}:${record.imageTag}@${record.imageDigest}`;
}

async function change(ops: Ops, t: AppTarget, edit: (s: AppSettings) => AppSettings, opts: SettingsChangeOptions, extra: Pick<VarsResult, 'set' | 'unset'>): Promise<VarsResult> {
  const { settings, changed } = await ops.store.updateSettings(t.env, t.app, edit);
  if (!changed) say.info(ops.events, 'settings.unchanged', { app: t.app, env: t.env }, `the variables of ${t.app} in ${t.env} already say so; nothing to do`);
  const d = changed ? await redeploy(ops, t, 'vars', opts) : null;
  return { app: t.app, env: t.env, changed, vars: settings.vars, ...extra, deployed: !!d, deploy: d };
}

export async function setVars(ops: Ops, t: AppTarget, pairs: Record<string, string>, opts: SettingsChangeOptions & { plain?: boolean } = {}): Promise<VarsResult> {
  const names = Object.keys(pairs);
  if (!names.length) throw usageError(`vars set ${t.app} ${t.env}: no variables given; use NAME=value, such as FOO=bar`);
  for (const n of names) checkVarName(ops, t, n, !!opts.plain);
  return change(
    ops,
    t,
    (s) => {
      const clash = names.find((n) => Object.hasOwn(s.secrets, n));
      if (clash) throw usageError(`variable "${clash}": is a secret of ${t.app} in ${t.env}; remove it with "cyclops secrets unset ${t.app} ${t.env} ${clash}" first, or use another name`);
      return { ...s, vars: { ...s.vars, ...pairs } };
    },
    opts,
    { set: names },
  );
}

export async function unsetVars(ops: Ops, t: AppTarget, names: string[], opts: SettingsChangeOptions = {}): Promise<VarsResult> {
  if (!names.length) throw usageError(`vars unset ${t.app} ${t.env}: no names given; list them, such as FOO BAR`);
  for (const n of names) checkSettingName(n, 'variable');
  return change(
    ops,
    t,
    (s) => {
      const vars = { ...s.vars };
      for (const n of names) delete vars[n];
      return { ...s, vars };
    },
    opts,
    { unset: names },
  );
}

export interface VarsList {
  app: string;
  env: string;
  /** set with `vars set` */
  vars: Record<string, string>;
  /** from config's `env` */
  config: Record<string, string>;
  /** what the processes get (stored over config) */
  effective: Record<string, string>;
  revision: number;
}

export async function listVars(ops: Ops, t: AppTarget): Promise<VarsList> {
  const s = await ops.store.readSettings(t.env, t.app);
  const config = appConfig(ops.config, t.app, t.env).env;
  return { app: t.app, env: t.env, vars: s.vars, config, effective: { ...config, ...s.vars }, revision: s.revision };
}

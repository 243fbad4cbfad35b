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
import { settingsSnapshot, type AppSettings, type ReleaseState } from '../store';
import { describeOversize, oversizeTaskDefinitions } from '../plan/task-definition-size';
import type { Ops } from './context';
import type { DeployResult } from './deploy';
import { applySettings, settingsPending, type SettingsChangeOptions, type SettingsOutcome } from './settings-change';
import type { AppTarget } from '../plan/target';

export { recordedImage, type SettingsChangeOptions } from './settings-change';

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
  /** stored but not what the current release runs (--no-deploy, or no release yet) */
  pending: boolean;
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

/**
 * vars set/unset: `edit` is judged before the lock against the stored settings (a usage
 * error there writes nothing, not even a lock); unchanged settings that already run are
 * "nothing to do" without a lock. Otherwise, under the lock, the edit is stored and applied.
 */
async function change(ops: Ops, t: AppTarget, verb: string, edit: (s: AppSettings) => AppSettings, opts: SettingsChangeOptions, extra: Pick<VarsResult, 'set' | 'unset'>): Promise<VarsResult> {
  const [stored, state] = await Promise.all([ops.store.readSettings(t.env, t.app), ops.store.readRelease(t.env, t.app)]);
  const edited = edit(structuredClone(stored));
  if (extra.set) checkSettingsSize(ops, t, `vars ${verb}`, edited, state, 'keep large data out of variables (in S3, or a file in the image) and put its location in the variable');
  const unchanged = sameSettings(edited, stored);
  const out = (o: SettingsOutcome): VarsResult => ({
    app: t.app,
    env: t.env,
    changed: o.stored || !!o.deploy,
    vars: o.settings.vars,
    ...extra,
    deployed: !!o.deploy,
    deploy: o.deploy,
    pending: o.pending,
  });
  const pending = settingsPending(stored, state);
  if (unchanged && (!pending || opts.noDeploy || state.state !== 'ok')) {
    say.info(ops.events, 'settings.unchanged', { app: t.app, env: t.env }, pending ? `the variables of ${t.app} in ${t.env} already say so (stored, pending until the next deploy); nothing to do` : `the variables of ${t.app} in ${t.env} already say so; nothing to do`);
    return out({ settings: stored, stored: false, pending, deploy: null });
  }
  const o = await applySettings(ops, t, { kind: 'vars', operation: `vars ${verb}`, noun: 'variables', touched: extra, write: () => ops.store.updateSettings(t.env, t.app, edit) }, opts);
  return out(o);
}

/**
 * Settings that would push a task definition past ECS's 64 KiB are refused before anything is
 * stored (every later deploy would fail): variables (`vars set`), and a new secret's reference
 * (`secrets set`; its ARN is in the task definition, never its value).
 */
export function checkSettingsSize(ops: Ops, t: AppTarget, command: string, settings: AppSettings, state: ReleaseState, advice: string): void {
  const record = state.state === 'ok' ? state.record : undefined;
  const over = oversizeTaskDefinitions(ops.config, t, settingsSnapshot(settings), record?.port ?? ops.config.ports.range[0], record?.databaseSecretArn);
  if (over.length) throw usageError(`${command}: ${describeOversize(over)}; ${advice}`);
}

const sameSettings = (a: AppSettings, b: AppSettings) => JSON.stringify([Object.entries(a.vars).sort(), Object.entries(a.secrets).sort()]) === JSON.stringify([Object.entries(b.vars).sort(), Object.entries(b.secrets).sort()]);

export async function setVars(ops: Ops, t: AppTarget, pairs: Record<string, string>, opts: SettingsChangeOptions & { plain?: boolean } = {}): Promise<VarsResult> {
  const names = Object.keys(pairs);
  if (!names.length) throw usageError(`vars set ${t.app} ${t.env}: no variables given; use NAME=value, such as FOO=bar`);
  for (const n of names) checkVarName(ops, t, n, !!opts.plain);
  return change(
    ops,
    t,
    `set ${names.join(' ')}`,
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
    `unset ${names.join(' ')}`,
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
  /** what the processes get once the stored settings are applied (stored over config) */
  effective: Record<string, string>;
  /** the stored variables the current release runs */
  running: Record<string, string>;
  /** stored, not running yet (--no-deploy, an interrupted change, no release yet): name → stored value */
  pending: Record<string, string>;
  /** running, but unset in the stored settings (not applied yet) */
  pendingUnset: string[];
  revision: number;
}

export async function listVars(ops: Ops, t: AppTarget): Promise<VarsList> {
  const [s, state] = await Promise.all([ops.store.readSettings(t.env, t.app), ops.store.readRelease(t.env, t.app)]);
  const config = appConfig(ops.config, t.app, t.env).env;
  const running = state.state === 'ok' ? (state.record.settings?.vars ?? {}) : {};
  const open = settingsPending(s, state);
  const pending = open ? Object.fromEntries(Object.entries(s.vars).filter(([k, v]) => running[k] !== v)) : {};
  const pendingUnset = open ? Object.keys(running).filter((k) => !Object.hasOwn(s.vars, k)).sort() : [];
  return { app: t.app, env: t.env, vars: s.vars, config, effective: { ...config, ...s.vars }, running: open ? running : s.vars, pending, pendingUnset, revision: s.revision };
}

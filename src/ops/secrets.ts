/**
 * `cyclops secrets set|unset|restore|list`: an app's own secrets. The value goes to Secrets Manager
 * (cyclops/<platform>/<env>/<app>/<NAME>, tagged) and nowhere else; the settings object keeps only the
 * name and ARN, and the app template injects it into every process by ARN (ECS `Secrets`),
 * which its execution role may read. A new value is a new secret version and a new
 * deployment, so tasks read it; each change records a release (kind secrets).
 */
import { appConfig, envRegion } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appSecretName, checkSettingName, RECOVERY_DAYS } from '../naming';
import { now, type Ops } from './context';
import type { DeployResult } from './deploy';
import type { AppTarget } from '../plan/target';
import { applySettings, settingsPending, type SettingsChangeOptions } from './settings-change';
import { checkSettingsSize } from './vars';

export interface SecretResult {
  app: string;
  env: string;
  name: string;
  arn: string | null;
  /** set: a new version (or a new secret); unset: scheduled for deletion; restore: back in use */
  action: 'created' | 'updated' | 'removed' | 'restored' | 'none';
  /** unset: when Secrets Manager deletes it for good (restore brings it back until then) */
  deletionDate?: string;
  versionId?: string;
  deployed: boolean;
  deploy: DeployResult | null;
  /** stored but not what the current release runs (--no-deploy, or no release yet) */
  pending: boolean;
}

function checkSecretName(ops: Ops, t: AppTarget, name: string): void {
  checkSettingName(name, 'secret');
  if (Object.hasOwn(appConfig(ops.config, t.app, t.env).secrets, name)) {
    throw usageError(`secret "${name}": is set in ${ops.config.file} (secrets.${name}); change it there, or use another name`);
  }
}

export async function setSecret(ops: Ops, t: AppTarget, name: string, value: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  // a secret would silently override config's plain value while "vars list" shows the config one
  if (Object.hasOwn(appConfig(ops.config, t.app, t.env).env, name)) {
    throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${ops.config.file} (env.${name}); remove it there first, or use another name`);
  }
  if (!value.length) throw usageError(`secret "${name}": the value is empty; pipe it on stdin or give --from-file FILE`);
  const stored = await ops.store.readSettings(t.env, t.app);
  if (Object.hasOwn(stored.vars, name)) {
    throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${t.env}; remove it with "cyclops vars unset ${t.app} ${t.env} ${name}" first`);
  }
  if (!stored.secrets[name]) {
    // a new reference: counted at the longest ARN Secrets Manager can give it (account and suffix included)
    const arn = `arn:aws-us-gov:secretsmanager:${envRegion(ops.config, t.env)}:000000000000:secret:${appSecretName(t.platform, t.env, t.app, name)}-XXXXXX`;
    const withIt = { ...stored, secrets: { ...stored.secrets, [name]: { arn, updatedAt: new Date(0).toISOString() } } };
    checkSettingsSize(ops, t, `secrets set ${name}`, withIt, await ops.store.readRelease(t.env, t.app), 'unset a secret or variable it no longer needs, or keep several values in one secret (as JSON)');
  }
  // Under the lock from here: the loser of a race stores no value, and a stopped run's rerun stores it again and applies it.
  const before = stored.secrets[name]?.arn;
  let put: { arn: string; versionId: string; created: boolean } | undefined;
  const o = await applySettings(
    ops,
    t,
    {
      kind: 'secrets',
      operation: `secrets set ${name}`,
      touched: { set: [name] },
      noun: `secret ${name}`,
      // A new version of a known secret leaves the template as it is: restart so tasks read it.
      restart: true,
      write: async (scope) => {
        say.step(ops.events, 'secret.storing', { name: appSecretName(t.platform, t.env, t.app, name) }, `storing secret ${appSecretName(t.platform, t.env, t.app, name)}`);
        const p = await ops.secrets.put(t.env, t.app, name, value);
        put = p;
        scope.checkpoint();
        const updatedAt = new Date(now(ops)).toISOString();
        return ops.store.updateSettings(t.env, t.app, (s) => ({ ...s, secrets: { ...s.secrets, [name]: { arn: p.arn, updatedAt } } }));
      },
      // A secret moved to the platform's namespace: the old one goes once the processes use the new one.
      afterApply: () => retireMoved(ops, t, name, before, put!.arn, true),
    },
    opts,
  );
  if (!o.deploy) await retireMoved(ops, t, name, before, put!.arn, false);
  return { app: t.app, env: t.env, name, arn: put!.arn, action: put!.created ? 'created' : 'updated', versionId: put!.versionId, deployed: !!o.deploy, deploy: o.deploy, pending: o.pending };
}

/**
 * A secret stored before secrets were namespaced by platform moves on its next set: once the
 * processes use the new one (the redeploy is done), the old one is scheduled for deletion, and
 * only when this platform tagged it. Without a redeploy, tasks may still read the old one: it stays.
 */
async function retireMoved(ops: Ops, t: AppTarget, name: string, before: string | undefined, now: string, deployed: boolean): Promise<void> {
  if (!before || before === now) return;
  if (!deployed) {
    say.info(ops.events, 'secret.moved', { name, old: before ?? null, retired: false }, `the secret ${name} moved to ${appSecretName(t.platform, t.env, t.app, name)}; the old one (${before}) stays while running tasks read it: the next "secrets set" after a deploy retires it`);
    return;
  }
  const r = await ops.secrets.remove(before, RECOVERY_DAYS.default);
  if (r.outcome === 'scheduled') say.info(ops.events, 'secret.moved', { name, old: before ?? null, retired: true }, `the secret ${name} moved to ${appSecretName(t.platform, t.env, t.app, name)}; the old one is scheduled for deletion in ${RECOVERY_DAYS.default} days`);
  if (r.outcome === 'not-ours') say.info(ops.events, 'secret.moved', { name, old: before ?? null, retired: false }, `the secret ${name} moved to ${appSecretName(t.platform, t.env, t.app, name)}; the old one (${before}) is not tagged with this platform, so it is left in place`);
}

/** Check a --recovery-days value (Secrets Manager's bounds) before anything is touched. */
export function checkRecoveryDays(days: number): number {
  if (!Number.isInteger(days) || days < RECOVERY_DAYS.min || days > RECOVERY_DAYS.max) {
    throw usageError(`--recovery-days ${days}: Secrets Manager keeps a deleted secret ${RECOVERY_DAYS.min} to ${RECOVERY_DAYS.max} days; give a whole number in that range`);
  }
  return days;
}

export async function unsetSecret(ops: Ops, t: AppTarget, name: string, opts: SettingsChangeOptions & { recoveryDays?: number } = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  const recoveryDays = checkRecoveryDays(opts.recoveryDays ?? RECOVERY_DAYS.default);
  const [stored, state] = await Promise.all([ops.store.readSettings(t.env, t.app), ops.store.readRelease(t.env, t.app)]);
  const pending = settingsPending(stored, state);
  if (!Object.hasOwn(stored.secrets, name) && (!pending || opts.noDeploy || state.state !== 'ok')) {
    say.info(ops.events, 'secret.absent', { app: t.app, env: t.env, name }, `${t.app} in ${t.env} has no secret ${name}${pending ? ' (the change is stored, pending until the next deploy)' : ''}; nothing to do`);
    return { app: t.app, env: t.env, name, arn: null, action: 'none', deployed: false, deploy: null, pending };
  }
  let arn: string | undefined = stored.secrets[name]?.arn;
  let deletionDate: string | undefined;
  const o = await applySettings(
    ops,
    t,
    {
      kind: 'secrets',
      operation: `secrets unset ${name}`,
      touched: { unset: [name] },
      noun: `secrets`,
      write: () =>
        ops.store.updateSettings(t.env, t.app, (s) => {
          const secrets = { ...s.secrets };
          arn = secrets[name]?.arn ?? arn;
          delete secrets[name];
          return { ...s, secrets };
        }),
      // First the processes stop referencing it, then the secret is scheduled for deletion (restorable until then), still under the lock.
      afterApply: async (scope) => {
        scope.checkpoint();
        const id = arn ?? appSecretName(t.platform, t.env, t.app, name);
        const r = await ops.secrets.remove(id, recoveryDays);
        deletionDate = r.deletionDate;
        if (r.outcome === 'scheduled') say.info(ops.events, 'secret.deletion-scheduled', { name, deletionDate: r.deletionDate ?? null, recoveryDays }, `secret ${name} is scheduled for deletion${r.deletionDate ? ` on ${r.deletionDate}` : ` in ${recoveryDays} days`}; until then "cyclops secrets restore ${t.app} ${t.env} ${name}" brings it back`);
        if (r.outcome === 'not-ours') say.info(ops.events, 'secret.not-ours', { name: id }, `secret ${id} is not tagged with this platform: it is no longer used here, and left in place`);
      },
    },
    opts,
  );
  if (o.pending) {
    const id = arn ?? appSecretName(t.platform, t.env, t.app, name);
    say.info(ops.events, 'secret.kept', { name: id }, `the secret ${id} stays in Secrets Manager while running tasks reference it; "cyclops secrets unset ${t.app} ${t.env} ${name}" after the next deploy schedules its deletion`);
  }
  return { app: t.app, env: t.env, name, arn: arn ?? null, action: 'removed', ...(deletionDate ? { deletionDate } : {}), deployed: !!o.deploy, deploy: o.deploy, pending: o.pending };
}

/**
 * `secrets restore`: cancel the scheduled deletion of the app's secret NAME (after an unset, or a
 * mistyped one) and inject it again, like set with the value it had. Under the lock, as set.
 */
export async function restoreAppSecret(ops: Ops, t: AppTarget, name: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  const stored = await ops.store.readSettings(t.env, t.app);
  if (Object.hasOwn(stored.vars, name)) throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${t.env}; remove it with "cyclops vars unset ${t.app} ${t.env} ${name}" first`);
  // Cancelling a scheduled deletion changes no value a task reads, and a secret that is not there
  // is refused before the lock: exit 2 touches nothing. A stopped run's rerun restores again (a no-op) and applies it.
  const r = await ops.secrets.restore(t.env, t.app, name);
  if (!r) {
    throw usageError(`secret "${name}" of ${t.app} in ${t.env}: there is none to restore (${appSecretName(t.platform, t.env, t.app, name)} does not exist, or its recovery window has passed); set it again with "cyclops secrets set ${t.app} ${t.env} ${name}"`);
  }
  const arn = r.arn;
  let already = false;
  const o = await applySettings(
    ops,
    t,
    {
      kind: 'secrets',
      operation: `secrets restore ${name}`,
      touched: { set: [name] },
      noun: `secret ${name}`,
      restart: true,
      write: async () => {
        const cur = await ops.store.readSettings(t.env, t.app);
        already = !r.restored && cur.secrets[name]?.arn === arn;
        if (already) return { settings: cur, changed: false };
        const updatedAt = new Date(now(ops)).toISOString();
        return ops.store.updateSettings(t.env, t.app, (s) => ({ ...s, secrets: { ...s.secrets, [name]: { arn, updatedAt } } }));
      },
    },
    opts,
  );
  if (already && !o.deploy) {
    say.info(ops.events, 'secret.unchanged', { app: t.app, env: t.env, name }, `${t.app} in ${t.env} already uses secret ${name}; nothing to do`);
    return { app: t.app, env: t.env, name, arn, action: 'none', deployed: false, deploy: null, pending: o.pending };
  }
  return { app: t.app, env: t.env, name, arn, action: 'restored', deployed: !!o.deploy, deploy: o.deploy, pending: o.pending };
}

export interface SecretsList {
  app: string;
  env: string;
  secrets: { name: string; arn: string; updatedAt?: string; source: 'cyclops secrets' | 'config' }[];
}

/** Names, ARNs and last change; never a value. */
export async function listSecrets(ops: Ops, t: AppTarget): Promise<SecretsList> {
  const s = await ops.store.readSettings(t.env, t.app);
  const rows: SecretsList['secrets'] = [
    ...Object.entries(s.secrets).map(([name, v]) => ({ name, arn: v.arn, updatedAt: v.updatedAt, source: 'cyclops secrets' as const })),
    ...Object.entries(appConfig(ops.config, t.app, t.env).secrets).map(([name, arn]) => ({ name, arn, source: 'config' as const })),
  ];
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { app: t.app, env: t.env, secrets: rows };
}

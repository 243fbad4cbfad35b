/**
 * `cyclops secrets set|unset|list`: an app's own secrets. The value goes to Secrets Manager
 * (cyclops/<env>/<app>/<NAME>, tagged) and nowhere else; the settings object keeps only the
 * name and ARN, and the app template injects it into every process by ARN (ECS `Secrets`),
 * which its execution role may read. A new value is a new secret version and a new
 * deployment, so tasks read it; each change records a release (kind secrets).
 */
import { appConfig } from '../config/model';
import { usageError } from '../errors';
import { say } from '../events';
import { appSecretName, checkSettingName } from '../naming';
import { now, type Ops } from './context';
import type { DeployResult } from './deploy';
import type { AppTarget } from '../plan/target';
import { applySettings, settingsPending, type SettingsChangeOptions } from './settings-change';

export interface SecretResult {
  app: string;
  env: string;
  name: string;
  arn: string | null;
  /** set: a new version (or a new secret); unset: removed */
  action: 'created' | 'updated' | 'removed' | 'none';
  versionId?: string;
  deployed: boolean;
  deploy: DeployResult | null;
  /** stored but not what the current release runs (--no-deploy, or no release yet) */
  pending: boolean;
}

function checkSecretName(ops: Ops, t: AppTarget, name: string): void {
  checkSettingName(name, 'secret');
  if (Object.hasOwn(appConfig(ops.config, t.app).secrets, name)) {
    throw usageError(`secret "${name}": is set in ${ops.config.file} (secrets.${name}); change it there, or use another name`);
  }
}

export async function setSecret(ops: Ops, t: AppTarget, name: string, value: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  // a secret would silently override config's plain value while "vars list" shows the config one
  if (Object.hasOwn(appConfig(ops.config, t.app).env, name)) {
    throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${ops.config.file} (env.${name}); remove it there first, or use another name`);
  }
  if (!value.length) throw usageError(`secret "${name}": the value is empty; pipe it on stdin or give --from-file FILE`);
  const stored = await ops.store.readSettings(t.env, t.app);
  if (Object.hasOwn(stored.vars, name)) {
    throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${t.env}; remove it with "cyclops vars unset ${t.app} ${t.env} ${name}" first`);
  }
  // Under the lock from here: the loser of a race stores no value, and a stopped run's rerun stores it again and applies it.
  let put: { arn: string; versionId: string; created: boolean } | undefined;
  const o = await applySettings(
    ops,
    t,
    {
      kind: 'secrets',
      operation: `secrets set ${name}`,
      noun: `secret ${name}`,
      // A new version of a known secret leaves the template as it is: restart so tasks read it.
      restart: true,
      write: async (scope) => {
        say.step(ops.events, `storing secret ${appSecretName(t.env, t.app, name)}`);
        const p = await ops.secrets.put(t.env, t.app, name, value);
        put = p;
        scope.checkpoint();
        const updatedAt = new Date(now(ops)).toISOString();
        return ops.store.updateSettings(t.env, t.app, (s) => ({ ...s, secrets: { ...s.secrets, [name]: { arn: p.arn, updatedAt } } }));
      },
    },
    opts,
  );
  return { app: t.app, env: t.env, name, arn: put!.arn, action: put!.created ? 'created' : 'updated', versionId: put!.versionId, deployed: !!o.deploy, deploy: o.deploy, pending: o.pending };
}

export async function unsetSecret(ops: Ops, t: AppTarget, name: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  const [stored, state] = await Promise.all([ops.store.readSettings(t.env, t.app), ops.store.readRelease(t.env, t.app)]);
  const pending = settingsPending(stored, state);
  if (!Object.hasOwn(stored.secrets, name) && (!pending || opts.noDeploy || state.state !== 'ok')) {
    say.info(ops.events, `${t.app} in ${t.env} has no secret ${name}${pending ? ' (the change is stored, pending until the next deploy)' : ''}; nothing to do`);
    return { app: t.app, env: t.env, name, arn: null, action: 'none', deployed: false, deploy: null, pending };
  }
  const secretId = appSecretName(t.env, t.app, name);
  const o = await applySettings(
    ops,
    t,
    {
      kind: 'secrets',
      operation: `secrets unset ${name}`,
      noun: `secrets`,
      write: () =>
        ops.store.updateSettings(t.env, t.app, (s) => {
          const secrets = { ...s.secrets };
          delete secrets[name];
          return { ...s, secrets };
        }),
      // First the processes stop referencing it, then the secret goes (still under the lock).
      afterApply: async (scope) => {
        scope.checkpoint();
        await ops.secrets.remove(t.env, t.app, name);
      },
    },
    opts,
  );
  if (o.pending) say.info(ops.events, `the secret ${secretId} stays in Secrets Manager while running tasks reference it; "cyclops secrets unset ${t.app} ${t.env} ${name}" after the next deploy deletes it`);
  return { app: t.app, env: t.env, name, arn: null, action: 'removed', deployed: !!o.deploy, deploy: o.deploy, pending: o.pending };
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
    ...Object.entries(appConfig(ops.config, t.app).secrets).map(([name, arn]) => ({ name, arn, source: 'config' as const })),
  ];
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { app: t.app, env: t.env, secrets: rows };
}

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
import { redeploy, type SettingsChangeOptions } from './vars';

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
}

function checkSecretName(ops: Ops, t: AppTarget, name: string): void {
  checkSettingName(name, 'secret');
  if (Object.hasOwn(appConfig(ops.config, t.app, t.env).secrets, name)) {
    throw usageError(`secret "${name}": is set in ${ops.config.file} (secrets.${name}); change it there, or use another name`);
  }
}

export async function setSecret(ops: Ops, t: AppTarget, name: string, value: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  if (!value.length) throw usageError(`secret "${name}": the value is empty; pipe it on stdin or give --from-file FILE`);
  const stored = await ops.store.readSettings(t.env, t.app);
  if (Object.hasOwn(stored.vars, name)) {
    throw usageError(`secret "${name}": is a plain variable of ${t.app} in ${t.env}; remove it with "cyclops vars unset ${t.app} ${t.env} ${name}" first`);
  }
  say.step(ops.events, `storing secret ${appSecretName(t.env, t.app, name)}`);
  const put = await ops.secrets.put(t.env, t.app, name, value);
  const updatedAt = new Date(now(ops)).toISOString();
  await ops.store.updateSettings(t.env, t.app, (s) => ({ ...s, secrets: { ...s.secrets, [name]: { arn: put.arn, updatedAt } } }));
  // A new version of a known secret leaves the template as it is: restart so tasks read it.
  const d = await redeploy(ops, t, 'secrets', { ...opts, restart: true });
  return { app: t.app, env: t.env, name, arn: put.arn, action: put.created ? 'created' : 'updated', versionId: put.versionId, deployed: !!d, deploy: d };
}

export async function unsetSecret(ops: Ops, t: AppTarget, name: string, opts: SettingsChangeOptions = {}): Promise<SecretResult> {
  checkSecretName(ops, t, name);
  const { changed } = await ops.store.updateSettings(t.env, t.app, (s) => {
    const secrets = { ...s.secrets };
    delete secrets[name];
    return { ...s, secrets };
  });
  if (!changed) {
    say.info(ops.events, `${t.app} in ${t.env} has no secret ${name}; nothing to do`);
    return { app: t.app, env: t.env, name, arn: null, action: 'none', deployed: false, deploy: null };
  }
  // First the processes stop referencing it, then the secret goes.
  const d = await redeploy(ops, t, 'secrets', opts);
  if (opts.noDeploy) say.info(ops.events, `the secret ${appSecretName(t.env, t.app, name)} stays in Secrets Manager while running tasks reference it; delete it after the next deploy with "aws secretsmanager delete-secret --secret-id ${appSecretName(t.env, t.app, name)}"`);
  else await ops.secrets.remove(t.env, t.app, name);
  return { app: t.app, env: t.env, name, arn: null, action: 'removed', deployed: !!d, deploy: d };
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

/**
 * The app's database secret in Secrets Manager (`cyclops/<env>/<app>/database`), the source
 * of truth for its password, and the admin credentials cyclops reads to reach the server.
 * Every password read or generated is registered with the redactor (the reporter) before anything else
 * happens to it, so it can never be printed.
 */
import type { Aws } from '../aws/client';
import * as sm from '../aws/secrets';
import { failure } from '../errors';
import { TAG_PLATFORM } from '../naming';
import type { Redactor } from '../events';
import { scramVerifier } from './password';

/** The secret's JSON; apps get DATABASE_URL and PG* from its keys. */
export interface AppSecretValue {
  host: string;
  port: number;
  dbname: string;
  username: string;
  password: string;
  url: string;
  /**
   * The password's SCRAM-SHA-256 verifier. The ECS task runner sets the role's password from
   * this key, so the plaintext never reaches PostgreSQL (or its statement log).
   */
  verifier?: string;
}

export interface StoredSecret {
  arn: string;
  /** the AWSCURRENT version */
  versionId: string;
  value: AppSecretValue;
}

export function appSecretValue(
  host: string,
  port: number,
  dbname: string,
  username: string,
  password: string,
  ssl: 'require' | 'prefer' | 'disable' = 'prefer',
): AppSecretValue {
  // RDS for PostgreSQL 15+ refuses unencrypted connections; say so in the URL, since not every
  // client library negotiates TLS on its own.
  const query = ssl === 'require' ? '?sslmode=require' : '';
  const url = `postgresql://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(dbname)}${query}`;
  return { host, port, dbname, username, password, url, verifier: scramVerifier(password) };
}

/** True when everything but the password matches (a moved endpoint means the secret needs updating). */
export function sameEndpoint(a: AppSecretValue, b: AppSecretValue): boolean {
  return a.host === b.host && a.port === b.port && a.dbname === b.dbname && a.username === b.username && a.url === b.url;
}

function parseAppSecret(name: string, text: string | undefined, redact: Redactor): AppSecretValue {
  let v: Partial<AppSecretValue> | undefined;
  try {
    v = JSON.parse(text ?? '');
  } catch {
    /* reported below */
  }
  redact.secret(v?.password);
  redact.secret(v?.url);
  redact.secret(v?.verifier);
  if (!v || typeof v.password !== 'string' || typeof v.username !== 'string' || typeof v.dbname !== 'string') {
    throw failure(`secret ${name}: is not the JSON cyclops writes (host, port, dbname, username, password, url); delete it or fix its value, then run "cyclops db ensure" again`);
  }
  return {
    host: String(v.host ?? ''),
    port: Number(v.port ?? 0),
    dbname: v.dbname,
    username: v.username,
    password: v.password,
    url: String(v.url ?? ''),
    ...(typeof v.verifier === 'string' ? { verifier: v.verifier } : {}),
  };
}

/**
 * A login kept under its pre-namespace name moves to `name` with the same value (the role's
 * password does not change; tasks that read the old ARN keep working, since it stays): only when
 * this platform tagged it and it is not scheduled for deletion. Null when there is none to move.
 */
export async function moveLegacyAppSecret(
  aws: Aws,
  legacy: string,
  name: string,
  tags: { Key: string; Value: string }[],
  redact: Redactor,
): Promise<StoredSecret | null> {
  const platform = tags.find((t) => t.Key === TAG_PLATFORM)?.Value;
  const info = await sm.describeSecret(aws, legacy);
  if (!info || info.deletedAt || info.tags[TAG_PLATFORM] !== platform) return null;
  const old = await readAppSecret(aws, legacy, redact);
  if (!old) return null;
  await createAppSecret(aws, name, old.value, tags);
  return readAppSecret(aws, name, redact);
}

/** The app secret's current value, or null when it does not exist. */
export async function readAppSecret(aws: Aws, name: string, redact: Redactor): Promise<StoredSecret | null> {
  const out = await sm.getSecret(aws, name, `read secret ${name}`, 'AWSCURRENT');
  return out && { arn: out.arn, versionId: out.versionId, value: parseAppSecret(name, out.text, redact) };
}

export async function createAppSecret(
  aws: Aws,
  name: string,
  value: AppSecretValue,
  tags: { Key: string; Value: string }[],
): Promise<{ arn: string; versionId: string }> {
  const description = `cyclops: database login for ${value.username} on ${value.host}:${value.port}/${value.dbname}`;
  return sm.createSecret(aws, { name, description, text: JSON.stringify(value), tags });
}

/** Write a new version; with stages ['AWSPENDING'] it does not become current until promoted. */
export async function putAppSecret(aws: Aws, arn: string, value: AppSecretValue, stages?: string[]): Promise<string> {
  return sm.putSecretValue(aws, arn, JSON.stringify(value), stages);
}

/** Make a pending version current (the previous one becomes AWSPREVIOUS). */
export async function promoteSecretVersion(aws: Aws, arn: string, versionId: string, currentVersionId: string): Promise<void> {
  await sm.moveSecretStage(aws, arn, 'AWSCURRENT', { to: versionId, from: currentVersionId }, `make the new version of secret ${arn} current`);
  await sm.moveSecretStage(aws, arn, 'AWSPENDING', { from: versionId }, `clear the pending version of secret ${arn}`);
}

/**
 * Delete at once (the database is gone, so the password is worthless); false when there was
 * none. A forced delete of a missing secret succeeds silently, so existence is checked first.
 */
export async function deleteAppSecret(aws: Aws, name: string): Promise<boolean> {
  if (!(await sm.secretExists(aws, name))) return false;
  await sm.deleteSecretNow(aws, name);
  return true;
}

export interface AdminCredentials {
  username?: string;
  password: string;
  /** the secret is JSON with a password key (so ECS can inject `<arn>:password::`) */
  json: boolean;
}

/** An admin secret: JSON with password (and maybe username), as RDS writes it, or a plain string. */
export async function readAdminSecret(aws: Aws, arn: string, redact: Redactor): Promise<AdminCredentials> {
  const out = await sm.getSecret(aws, arn, `read database admin secret ${arn}`);
  if (!out) throw failure(`database admin secret ${arn}: does not exist; set database.adminSecretArn to a secret that holds the admin password`, undefined, 'no-secret');
  const text = out.text ?? '';
  redact.secret(text);
  let parsed: { username?: unknown; password?: unknown } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && typeof parsed.password === 'string') {
    redact.secret(parsed.password);
    return { username: typeof parsed.username === 'string' ? parsed.username : undefined, password: parsed.password, json: true };
  }
  if (!text) throw failure(`database admin secret ${arn}: has no string value; store the admin password in it`);
  return { password: text, json: false };
}

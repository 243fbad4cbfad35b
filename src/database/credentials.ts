/**
 * The app's database secret in Secrets Manager (`cyclops/<env>/<app>/database`), the source
 * of truth for its password, and the admin credentials cyclops reads to reach the server.
 * Every password read or generated is registered with the reporter before anything else
 * happens to it, so it can never be printed.
 */
import type { Aws } from '../aws/client';
import { awsErrorName, describeAwsError } from '../aws/errors';
import { failure } from '../errors';
import type { Reporter } from '../report/reporter';
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

const awsFail = (aws: Aws, action: string) => (e: unknown) => {
  throw describeAwsError(e, { action, region: aws.region, endpoint: aws.endpoint });
};

function parseAppSecret(name: string, text: string | undefined, reporter: Reporter): AppSecretValue {
  let v: Partial<AppSecretValue> | undefined;
  try {
    v = JSON.parse(text ?? '');
  } catch {
    /* reported below */
  }
  reporter.secret(v?.password);
  reporter.secret(v?.url);
  reporter.secret(v?.verifier);
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

/** The app secret's current value, or null when it does not exist. */
export async function readAppSecret(aws: Aws, name: string, reporter: Reporter): Promise<StoredSecret | null> {
  try {
    const out = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
    return { arn: out.ARN ?? name, versionId: out.VersionId ?? '', value: parseAppSecret(name, out.SecretString, reporter) };
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return null;
    return awsFail(aws, `read secret ${name}`)(e);
  }
}

export async function createAppSecret(
  aws: Aws,
  name: string,
  value: AppSecretValue,
  tags: { Key: string; Value: string }[],
): Promise<{ arn: string; versionId: string }> {
  const out = await aws.secrets
    .send(
      new aws.sdk.secrets.CreateSecretCommand({
        Name: name,
        Description: `cyclops: database login for ${value.username} on ${value.host}:${value.port}/${value.dbname}`,
        SecretString: JSON.stringify(value),
        Tags: tags,
      }),
    )
    .catch(awsFail(aws, `create secret ${name}`));
  return { arn: out.ARN ?? name, versionId: out.VersionId ?? '' };
}

/** Write a new version; with stages ['AWSPENDING'] it does not become current until promoted. */
export async function putAppSecret(aws: Aws, arn: string, value: AppSecretValue, stages?: string[]): Promise<string> {
  const out = await aws.secrets
    .send(new aws.sdk.secrets.PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify(value), ...(stages ? { VersionStages: stages } : {}) }))
    .catch(awsFail(aws, `update secret ${arn}`));
  return out.VersionId ?? '';
}

/** Make a pending version current (the previous one becomes AWSPREVIOUS). */
export async function promoteSecretVersion(aws: Aws, arn: string, versionId: string, currentVersionId: string): Promise<void> {
  await aws.secrets
    .send(
      new aws.sdk.secrets.UpdateSecretVersionStageCommand({
        SecretId: arn,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: versionId,
        RemoveFromVersionId: currentVersionId,
      }),
    )
    .catch(awsFail(aws, `make the new version of secret ${arn} current`));
  await aws.secrets
    .send(new aws.sdk.secrets.UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: versionId }))
    .catch(awsFail(aws, `clear the pending version of secret ${arn}`));
}

/**
 * Delete at once (the database is gone, so the password is worthless); false when there was
 * none. A forced delete of a missing secret succeeds silently, so existence is checked first.
 */
export async function deleteAppSecret(aws: Aws, name: string): Promise<boolean> {
  try {
    await aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: name }));
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return false;
    return awsFail(aws, `read secret ${name}`)(e);
  }
  await aws.secrets
    .send(new aws.sdk.secrets.DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }))
    .catch(awsFail(aws, `delete secret ${name}`));
  return true;
}

export interface AdminCredentials {
  username?: string;
  password: string;
  /** the secret is JSON with a password key (so ECS can inject `<arn>:password::`) */
  json: boolean;
}

/** An admin secret: JSON with password (and maybe username), as RDS writes it, or a plain string. */
export async function readAdminSecret(aws: Aws, arn: string, reporter: Reporter): Promise<AdminCredentials> {
  const out = await aws.secrets
    .send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: arn }))
    .catch(awsFail(aws, `read database admin secret ${arn}`));
  const text = out.SecretString ?? '';
  reporter.secret(text);
  let parsed: { username?: unknown; password?: unknown } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && typeof parsed.password === 'string') {
    reporter.secret(parsed.password);
    return { username: typeof parsed.username === 'string' ? parsed.username : undefined, password: parsed.password, json: true };
  }
  if (!text) throw failure(`database admin secret ${arn}: has no string value; store the admin password in it`);
  return { password: text, json: false };
}

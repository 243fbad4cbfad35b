/** Secrets Manager, in cyclops's own types. A secret that does not exist is a typed result (null / false). */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName } from './errors';

export interface SecretRead {
  arn: string;
  versionId: string;
  text?: string;
}

const notFound = (e: unknown) => (awsErrorName(e) === 'ResourceNotFoundException' ? null : undefined);

/** The secret's value (AWSCURRENT unless `stage` says otherwise), or null when it does not exist. */
export async function getSecret(aws: Aws, id: string, action: string, stage?: string): Promise<SecretRead | null> {
  const out = await callOr(aws, action, () => aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: id, ...(stage ? { VersionStage: stage } : {}) })), notFound);
  return out ? { arn: out.ARN ?? id, versionId: out.VersionId ?? '', text: out.SecretString } : null;
}

export async function secretExists(aws: Aws, id: string): Promise<boolean> {
  const out = await callOr(aws, `read secret ${id}`, () => aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: id })), notFound);
  return out !== null;
}

export async function createSecret(
  aws: Aws,
  s: { name: string; description: string; text: string; tags: { Key: string; Value: string }[] },
): Promise<{ arn: string; versionId: string }> {
  const out = await call(aws, `create secret ${s.name}`, () =>
    aws.secrets.send(new aws.sdk.secrets.CreateSecretCommand({ Name: s.name, Description: s.description, SecretString: s.text, Tags: s.tags })),
  );
  return { arn: out.ARN ?? s.name, versionId: out.VersionId ?? '' };
}

/** Write a new version; with stages ['AWSPENDING'] it does not become current until promoted. */
export async function putSecretValue(aws: Aws, id: string, text: string, stages?: string[]): Promise<string> {
  const out = await call(aws, `update secret ${id}`, () =>
    aws.secrets.send(new aws.sdk.secrets.PutSecretValueCommand({ SecretId: id, SecretString: text, ...(stages ? { VersionStages: stages } : {}) })),
  );
  return out.VersionId ?? '';
}

/** Move a stage to a version (and/or off another). */
export async function moveSecretStage(
  aws: Aws,
  id: string,
  stage: string,
  move: { to?: string; from?: string },
  action: string,
): Promise<void> {
  await call(aws, action, () =>
    aws.secrets.send(
      new aws.sdk.secrets.UpdateSecretVersionStageCommand({
        SecretId: id,
        VersionStage: stage,
        ...(move.to ? { MoveToVersionId: move.to } : {}),
        ...(move.from ? { RemoveFromVersionId: move.from } : {}),
      }),
    ),
  );
}

/** Delete at once, with no recovery window: only for a value that is worthless (its database is gone). */
export async function deleteSecretNow(aws: Aws, id: string): Promise<void> {
  await call(aws, `delete secret ${id}`, () => aws.secrets.send(new aws.sdk.secrets.DeleteSecretCommand({ SecretId: id, ForceDeleteWithoutRecovery: true })));
}

export interface SecretInfo {
  arn: string;
  name: string;
  /** scheduled for deletion (restorable until then) */
  deletedAt?: Date;
  tags: Record<string, string>;
}

/** DescribeSecret: the secret's ARN, tags and deletion date; null when it does not exist. */
export async function describeSecret(aws: Aws, id: string): Promise<SecretInfo | null> {
  const out = await callOr(aws, `read secret ${id}`, () => aws.secrets.send(new aws.sdk.secrets.DescribeSecretCommand({ SecretId: id })), notFound);
  if (!out) return null;
  return { arn: out.ARN ?? id, name: out.Name ?? id, deletedAt: out.DeletedDate, tags: Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) };
}

/** Schedule the secret's deletion after a recovery window (7-30 days); RestoreSecret undoes it until then. */
export async function scheduleSecretDeletion(aws: Aws, id: string, recoveryDays: number): Promise<Date | undefined> {
  const out = await call(aws, `delete secret ${id}`, () => aws.secrets.send(new aws.sdk.secrets.DeleteSecretCommand({ SecretId: id, RecoveryWindowInDays: recoveryDays })));
  return out.DeletionDate;
}

/** Cancel a scheduled deletion. */
export async function restoreSecret(aws: Aws, id: string): Promise<void> {
  await call(aws, `restore secret ${id}`, () => aws.secrets.send(new aws.sdk.secrets.RestoreSecretCommand({ SecretId: id })));
}

/**
 * Store a value as the secret's new current version, creating the secret (with its tags) when
 * it does not exist yet. The value never leaves this call: errors name the secret only.
 */
export async function putOrCreateSecret(
  aws: Aws,
  s: { name: string; description: string; text: string; tags: { Key: string; Value: string }[] },
): Promise<{ arn: string; versionId: string; created: boolean }> {
  const out = await callOr(
    aws,
    `update secret ${s.name}`,
    () => aws.secrets.send(new aws.sdk.secrets.PutSecretValueCommand({ SecretId: s.name, SecretString: s.text })),
    notFound,
  );
  if (out) return { arn: out.ARN ?? s.name, versionId: out.VersionId ?? '', created: false };
  return { ...(await createSecret(aws, s)), created: true };
}

/**
 * IAM users and their access keys (an app's SES SMTP user), in cyclops's own types. A user that
 * does not exist is a typed result (null / false). The secret access key CreateAccessKey returns
 * is handed to the caller only: it is never part of an error, and `call` names the user alone.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName } from './errors';

export interface IamUser {
  arn: string;
  path: string;
  /** the permissions boundary's ARN; absent when the user has none */
  boundary?: string;
  tags: Record<string, string>;
}

export interface AccessKeyRow {
  id: string;
  created: Date;
  status: string;
}

const missing = <T>(value: T) => (e: unknown) => (awsErrorName(e) === 'NoSuchEntity' || awsErrorName(e) === 'NoSuchEntityException' ? value : undefined);

export async function getUser(aws: Aws, name: string): Promise<IamUser | null> {
  const out = await callOr(aws, `read IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.GetUserCommand({ UserName: name })), missing(null));
  const u = out?.User;
  if (!u) return null;
  return {
    arn: u.Arn ?? '',
    path: u.Path ?? '/',
    ...(u.PermissionsBoundary?.PermissionsBoundaryArn ? { boundary: u.PermissionsBoundary.PermissionsBoundaryArn } : {}),
    tags: Object.fromEntries((u.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

export async function createUser(aws: Aws, u: { name: string; path: string; boundary: string; tags: { Key: string; Value: string }[] }): Promise<string> {
  const out = await call(aws, `create IAM user ${u.name}`, () =>
    aws.iam.send(new aws.sdk.iam.CreateUserCommand({ UserName: u.name, Path: u.path, PermissionsBoundary: u.boundary, Tags: u.tags })),
  );
  return out.User?.Arn ?? '';
}

export async function putUserBoundary(aws: Aws, name: string, boundary: string): Promise<void> {
  await call(aws, `set the permissions boundary of IAM user ${name}`, () =>
    aws.iam.send(new aws.sdk.iam.PutUserPermissionsBoundaryCommand({ UserName: name, PermissionsBoundary: boundary })),
  );
}

export async function putUserPolicy(aws: Aws, name: string, policyName: string, document: string): Promise<void> {
  await call(aws, `set policy ${policyName} of IAM user ${name}`, () =>
    aws.iam.send(new aws.sdk.iam.PutUserPolicyCommand({ UserName: name, PolicyName: policyName, PolicyDocument: document })),
  );
}

export async function listAccessKeys(aws: Aws, name: string): Promise<AccessKeyRow[]> {
  const out = await call(aws, `list the access keys of IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.ListAccessKeysCommand({ UserName: name })));
  return (out.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', created: k.CreateDate ?? new Date(0), status: k.Status ?? 'Active' }));
}

/** A new access key: its id, and its secret, which exists nowhere else (AWS never shows it again). */
export async function createAccessKey(aws: Aws, name: string): Promise<{ id: string; secret: string; created: Date }> {
  const out = await call(aws, `create an access key for IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.CreateAccessKeyCommand({ UserName: name })));
  const k = out.AccessKey;
  if (!k?.AccessKeyId || !k.SecretAccessKey) throw new Error(`IAM CreateAccessKey for ${name} returned no key`);
  return { id: k.AccessKeyId, secret: k.SecretAccessKey, created: k.CreateDate ?? new Date() };
}

/** false: the key (or its user) was already gone. */
export async function deleteAccessKey(aws: Aws, name: string, id: string): Promise<boolean> {
  const out = await callOr(aws, `delete access key ${id} of IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.DeleteAccessKeyCommand({ UserName: name, AccessKeyId: id })), missing(false));
  return out !== false;
}

/** Delete the user's inline policies, then the user (its keys must be gone); false when it did not exist. */
export async function deleteUser(aws: Aws, name: string): Promise<boolean> {
  const policies = await callOr(aws, `list the policies of IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.ListUserPoliciesCommand({ UserName: name })), missing(null));
  if (!policies) return false;
  for (const p of policies.PolicyNames ?? []) {
    await callOr(aws, `delete policy ${p} of IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.DeleteUserPolicyCommand({ UserName: name, PolicyName: p })), missing(null));
  }
  const out = await callOr(aws, `delete IAM user ${name}`, () => aws.iam.send(new aws.sdk.iam.DeleteUserCommand({ UserName: name })), missing(false));
  return out !== false;
}

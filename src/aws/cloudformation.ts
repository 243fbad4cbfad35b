/**
 * CloudFormation, in cyclops's own types. Every function here translates errors through
 * `call` (one line, exit 1); a stack that does not exist is a typed result (null / empty),
 * never an error the caller has to recognise.
 */
import type { Aws } from './client';
import { CyclopsError, ExitCode } from '../errors';
import { call, callOr, idempotencyToken } from './call';
import { awsErrorName, describeAwsError } from './errors';

export interface StackSummary {
  name: string;
  id: string;
  status: string;
  outputs: Record<string, string>;
  /** output key → export name, for outputs that are exported */
  exports?: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** StackStatusReason, when CloudFormation gives one */
  reason?: string;
  lastUpdated?: Date;
  /** the role CloudFormation uses for this stack, when it has one */
  roleArn?: string;
}

export interface StackWrite {
  stackName: string;
  templateUrl: string;
  parameters?: { ParameterKey: string; ParameterValue: string }[];
  tags: { Key: string; Value: string }[];
  capabilities?: ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM')[];
  /** the role CloudFormation assumes for this stack (the platform's service role) */
  roleArn?: string;
  /**
   * Change sets only: CloudFormation imports the template's named, retained resources that
   * already exist instead of failing to create them (ImportExistingResources,
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/import-resources-automatically.html)
   */
  importExisting?: boolean;
}


/** One property-level reason for a resource change (ResourceChange.Details). */
export interface ChangeDetail {
  /** Properties | Metadata | Tags | ... */
  attribute?: string;
  /** the property name, for attribute Properties */
  name?: string;
  /** Never | Conditionally | Always */
  requiresRecreation?: string;
  /** ParameterReference | ResourceReference | DirectModification | ... */
  changeSource?: string;
  causingEntity?: string;
}

export interface ChangeRow {
  action: string; // Add | Modify | Remove | Import | Dynamic
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** Modify only: True | False | Conditional */
  replacement?: string;
  /** Properties, Metadata, Tags ... */
  scope?: string[];
  details?: ChangeDetail[];
}

export interface ChangeSetState {
  /** CREATE_PENDING | CREATE_IN_PROGRESS | CREATE_COMPLETE | FAILED ... */
  status: string;
  reason?: string;
  /** every page, once the status is CREATE_COMPLETE */
  changes: ChangeRow[];
}

export interface StackEventRow {
  id: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
  timestamp?: Date;
}

export interface StackResourceRow {
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  status: string;
}

/** True for the error CloudFormation gives for a stack name that does not exist. */
export function isMissingStack(e: unknown): boolean {
  const err = (e as { cause?: unknown })?.cause ?? e;
  return awsErrorName(err) === 'ValidationError' && /does not exist/.test(String((err as Error)?.message ?? ''));
}

type SdkStack = {
  StackName?: string;
  StackId?: string;
  StackStatus?: string;
  StackStatusReason?: string;
  Outputs?: { OutputKey?: string; OutputValue?: string; ExportName?: string }[];
  Parameters?: { ParameterKey?: string; ParameterValue?: string }[];
  Tags?: { Key?: string; Value?: string }[];
  LastUpdatedTime?: Date;
  CreationTime?: Date;
  RoleARN?: string;
};

function toSummary(s: SdkStack, name = ''): StackSummary {
  const exported = (s.Outputs ?? []).filter((o) => o.ExportName);
  return {
    name: s.StackName ?? name,
    id: s.StackId ?? name,
    status: s.StackStatus ?? 'UNKNOWN',
    reason: s.StackStatusReason,
    outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    ...(exported.length ? { exports: Object.fromEntries(exported.map((o) => [o.OutputKey ?? '', o.ExportName ?? ''])) } : {}),
    parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
    tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    lastUpdated: s.LastUpdatedTime ?? s.CreationTime,
    ...(s.RoleARN ? { roleArn: s.RoleARN } : {}),
  };
}

/** DescribeStacks for one stack; null when it does not exist (or is DELETE_COMPLETE). */
export async function getStack(aws: Aws, name: string): Promise<StackSummary | null> {
  const out = await callOr(
    aws,
    `describe stack ${name}`,
    () => aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: name })),
    (e) => (isMissingStack(e) ? null : undefined),
  );
  const s = out?.Stacks?.[0];
  return s && s.StackStatus !== 'DELETE_COMPLETE' ? toSummary(s, name) : null;
}

/** Every live stack whose name starts with `prefix` (all pages of DescribeStacks). */
export async function listStacks(aws: Aws, prefix: string, action: string): Promise<StackSummary[]> {
  const found: StackSummary[] = [];
  let token: string | undefined;
  do {
    const out = await call(aws, action, () => aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ NextToken: token })));
    for (const s of out.Stacks ?? []) {
      if (s.StackName?.startsWith(prefix) && s.StackStatus !== 'DELETE_COMPLETE') found.push(toSummary(s));
    }
    token = out.NextToken;
  } while (token);
  return found;
}

/** What CreateStack and CreateChangeSet share: the template, its parameters, tags, capabilities and the service role. */
function writeParams(input: StackWrite) {
  return {
    StackName: input.stackName,
    TemplateURL: input.templateUrl,
    Parameters: input.parameters,
    Tags: input.tags,
    Capabilities: input.capabilities,
    RoleARN: input.roleArn,
  };
}

/**
 * CreateStack with a ClientRequestToken, so that the SDK's retry of a request whose reply was
 * lost (a timeout, a reset, a 5xx after CloudFormation had acted) is known as this one.
 * CloudFormation marks every event of the operation with the token (CreateStack and StackEvent,
 * ClientRequestToken: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html). Where
 * the retry is answered AlreadyExistsException (an endpoint that keeps no tokens, such as moto),
 * the stack is taken as this call's own when `retriedCreate` proves it; any other
 * AlreadyExistsException stays an error.
 */
export async function createStack(aws: Aws, input: StackWrite): Promise<{ stackId?: string; retried?: true }> {
  const action = `create stack ${input.stackName}`;
  const token = idempotencyToken();
  const sent = Date.now();
  try {
    const out = await aws.cfn.send(new aws.sdk.cfn.CreateStackCommand({ ...writeParams(input), ClientRequestToken: token }));
    return { stackId: out.StackId };
  } catch (e) {
    if (awsErrorName(e) !== 'AlreadyExistsException') throw describeAwsError(e, { action, region: aws.region, endpoint: aws.endpoint });
    const attempts = (e as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    const stackId = attempts > 1 ? await call(aws, action, () => retriedCreate(aws, input, token, sent)) : undefined;
    if (stackId) return { stackId, retried: true };
    throw new CyclopsError(
      `${action}: a stack of that name was created by another request while this one ran (it did not exist when cyclops looked); run the command again to update it, or find out who else manages it`,
      { exitCode: ExitCode.FAILED, cause: e, code: 'stack-exists' },
    );
  }
}

/** How far CloudFormation's clock may be from ours when a stack's CreationTime is compared with the call's start. */
export const CREATE_CLOCK_SKEW_MS = 60_000;

/**
 * The id of the stack an earlier attempt of this CreateStack made, or undefined when the stack
 * that exists is not that one. Its events' ClientRequestToken decides where CloudFormation
 * records tokens: the create's events carry this call's token, or the stack is someone else's.
 * Where no event carries one (moto), the stack must have been created since the call began
 * (CreationTime, allowing CREATE_CLOCK_SKEW_MS), be still in its first operation (CREATE_* or
 * ROLLBACK_*), and carry exactly the tags and service role this call sent and the parameter
 * values it sent (a template's defaults come back too; a NoEcho value comes back masked). The
 * caller holds the app's lock, so no other cyclops run creates this stack meanwhile.
 */
async function retriedCreate(aws: Aws, input: StackWrite, token: string, sent: number): Promise<string | undefined> {
  const found = (await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({ StackName: input.stackName })).catch((e) => (isMissingStack(e) ? null : Promise.reject(e))))?.Stacks?.[0];
  if (!found?.StackId || found.StackStatus === 'DELETE_COMPLETE') return undefined;
  const events = (await aws.cfn.send(new aws.sdk.cfn.DescribeStackEventsCommand({ StackName: found.StackId }))).StackEvents ?? [];
  const tokens = events.map((e) => e.ClientRequestToken).filter((t): t is string => !!t);
  if (tokens.length) return tokens.includes(token) ? found.StackId : undefined;
  const s = toSummary(found);
  const created = found.CreationTime?.getTime() ?? 0;
  const sameTags = Object.keys(s.tags).length === input.tags.length && input.tags.every((t) => s.tags[t.Key] === t.Value);
  const sameParams = (input.parameters ?? []).every((p) => s.parameters[p.ParameterKey] === p.ParameterValue || s.parameters[p.ParameterKey] === '****');
  const ours = created >= sent - CREATE_CLOCK_SKEW_MS && /^(CREATE|ROLLBACK)_/.test(s.status) && sameTags && sameParams && (s.roleArn ?? '') === (input.roleArn ?? '');
  return ours ? found.StackId : undefined;
}

export async function deleteStack(aws: Aws, stack: string, label = stack, roleArn?: string): Promise<void> {
  await call(aws, `delete stack ${label}`, () => aws.cfn.send(new aws.sdk.cfn.DeleteStackCommand({ StackName: stack, RoleARN: roleArn })));
}

/**
 * Give a stack another service role and change nothing else: UpdateStack with its current
 * template (UsePreviousTemplate) and every parameter's previous value (UsePreviousValue), tags
 * and notifications left out (kept). CloudFormation uses the RoleARN an update names "for all
 * future operations on the stack"; a role can be changed on an update or delete, never removed
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html).
 */
export async function updateStackRole(aws: Aws, stack: string, parameterKeys: string[], roleArn: string): Promise<void> {
  await call(aws, `move stack ${stack} onto role ${roleArn}`, () =>
    aws.cfn.send(
      new aws.sdk.cfn.UpdateStackCommand({
        StackName: stack,
        UsePreviousTemplate: true,
        Parameters: parameterKeys.map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        RoleARN: roleArn,
        ClientRequestToken: idempotencyToken(),
      }),
    ),
  );
}

export async function cancelUpdateStack(aws: Aws, stack: string): Promise<void> {
  await call(aws, `cancel update of stack ${stack}`, () => aws.cfn.send(new aws.sdk.cfn.CancelUpdateStackCommand({ StackName: stack })));
}

export async function createChangeSet(aws: Aws, input: StackWrite & { changeSetName: string; type: 'CREATE' | 'UPDATE' }): Promise<{ stackId?: string }> {
  const out = await call(aws, `create change set for stack ${input.stackName}`, () =>
    aws.cfn.send(
      // ClientToken: a retried CreateChangeSet is not taken for a second change set of that name
      new aws.sdk.cfn.CreateChangeSetCommand({
        ...writeParams(input),
        ChangeSetName: input.changeSetName,
        ChangeSetType: input.type,
        ClientToken: idempotencyToken(),
        ...(input.importExisting ? { ImportExistingResources: true } : {}),
      }),
    ),
  );
  return { stackId: out.StackId };
}

/** The change set's status; once CREATE_COMPLETE, all its resource changes (every page), with details. */
export async function describeChangeSet(aws: Aws, stack: string, changeSet: string): Promise<ChangeSetState> {
  const changes: ChangeRow[] = [];
  let token: string | undefined;
  for (;;) {
    const out = await call(aws, `describe change set ${changeSet}`, () =>
      aws.cfn.send(new aws.sdk.cfn.DescribeChangeSetCommand({ StackName: stack, ChangeSetName: changeSet, NextToken: token })),
    );
    const status = out.Status ?? '';
    if (status !== 'CREATE_COMPLETE') return { status, reason: out.StatusReason, changes: [] };
    for (const c of out.Changes ?? []) {
      const r = c.ResourceChange;
      if (!r) continue;
      const details = (r.Details ?? []).map((d) => ({
        ...(d.Target?.Attribute ? { attribute: d.Target.Attribute } : {}),
        ...(d.Target?.Name ? { name: d.Target.Name } : {}),
        ...(d.Target?.RequiresRecreation ? { requiresRecreation: d.Target.RequiresRecreation } : {}),
        ...(d.ChangeSource ? { changeSource: d.ChangeSource } : {}),
        ...(d.CausingEntity ? { causingEntity: d.CausingEntity } : {}),
      }));
      changes.push({
        action: r.Action ?? '?',
        logicalId: r.LogicalResourceId ?? '?',
        resourceType: r.ResourceType ?? '?',
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
        ...(r.Replacement ? { replacement: r.Replacement } : {}),
        ...(r.Scope?.length ? { scope: r.Scope } : {}),
        ...(details.length ? { details } : {}),
      });
    }
    token = out.NextToken;
    if (!token) return { status, reason: out.StatusReason, changes };
  }
}

/** A stack's current template (its original body); null when the stack does not exist. */
export async function stackTemplate(aws: Aws, stack: string): Promise<string | null> {
  const out = await callOr(
    aws,
    `read the template of stack ${stack}`,
    () => aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: stack, TemplateStage: 'Original' })),
    (e) => (/does not exist/.test((e as Error)?.message ?? '') ? null : undefined),
  );
  return out === null ? null : (out.TemplateBody ?? null);
}

/** The template a change set would apply (its original, unprocessed body). */
export async function changeSetTemplate(aws: Aws, stack: string, changeSet: string): Promise<string> {
  const out = await call(aws, `read the template of change set ${changeSet}`, () =>
    aws.cfn.send(new aws.sdk.cfn.GetTemplateCommand({ StackName: stack, ChangeSetName: changeSet, TemplateStage: 'Original' })),
  );
  return out.TemplateBody ?? '';
}

export async function executeChangeSet(aws: Aws, stack: string, changeSet: string): Promise<void> {
  await call(aws, `execute change set ${changeSet}`, () => aws.cfn.send(new aws.sdk.cfn.ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: changeSet, ClientRequestToken: idempotencyToken() })));
}

export async function deleteChangeSet(aws: Aws, stack: string, changeSet: string): Promise<void> {
  await call(aws, `delete change set ${changeSet}`, () => aws.cfn.send(new aws.sdk.cfn.DeleteChangeSetCommand({ StackName: stack, ChangeSetName: changeSet })));
}

/** One page of stack events, newest first. A stack that is gone has no events: an empty page. */
export async function stackEventsPage(aws: Aws, stack: string, token?: string): Promise<{ events: StackEventRow[]; next?: string }> {
  const out = await callOr(
    aws,
    `read events of stack ${stack}`,
    () => aws.cfn.send(new aws.sdk.cfn.DescribeStackEventsCommand({ StackName: stack, NextToken: token })),
    (e) => (isMissingStack(e) ? null : undefined),
  );
  if (!out) return { events: [] };
  const events = (out.StackEvents ?? []).map((e) => ({
    id: e.EventId ?? '',
    logicalId: e.LogicalResourceId ?? '',
    resourceType: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    reason: e.ResourceStatusReason,
    timestamp: e.Timestamp,
  }));
  return { events, next: out.NextToken };
}

/** Every resource of a stack (all pages). */
export async function stackResources(aws: Aws, stack: string, action = `list the resources of stack ${stack}`): Promise<StackResourceRow[]> {
  const rows: StackResourceRow[] = [];
  let token: string | undefined;
  do {
    const out = await call(aws, action, () => aws.cfn.send(new aws.sdk.cfn.ListStackResourcesCommand({ StackName: stack, NextToken: token })));
    for (const r of out.StackResourceSummaries ?? []) {
      rows.push({ logicalId: r.LogicalResourceId ?? '', physicalId: r.PhysicalResourceId, resourceType: r.ResourceType ?? '', status: r.ResourceStatus ?? '' });
    }
    token = out.NextToken;
  } while (token);
  return rows;
}

/** The stacks that import an export (all pages); none is a typed empty list, not an error. */
export async function listImports(aws: Aws, exportName: string): Promise<string[]> {
  const stacks: string[] = [];
  let token: string | undefined;
  do {
    const out = await callOr(
      aws,
      `list the imports of export ${exportName}`,
      () => aws.cfn.send(new aws.sdk.cfn.ListImportsCommand({ ExportName: exportName, NextToken: token })),
      (e) => (awsErrorName(e) === 'ValidationError' && /not imported/i.test(String((e as Error)?.message)) ? null : undefined),
    );
    if (!out) break;
    stacks.push(...(out.Imports ?? []));
    token = out.NextToken;
  } while (token);
  return stacks;
}

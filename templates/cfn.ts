/**
 * CloudFormation template types and intrinsic-function helpers shared by the three
 * templates. Pure: no I/O, no SDK.
 */
import { createHash } from 'node:crypto';
import { boundaryPolicyName, iamPath, tags, type Ids } from '../src/naming';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type Value = Json;

export interface Resource {
  Type: string;
  Properties?: Record<string, Value>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  UpdatePolicy?: Record<string, Value>;
  Metadata?: Record<string, Value>;
}

export interface Output {
  Description?: string;
  Value: Value;
  Export?: { Name: Value };
}

export interface Parameter {
  Type: string;
  Default?: string | number;
  Description?: string;
  MinValue?: number;
  MaxValue?: number;
  AllowedPattern?: string;
  AllowedValues?: string[];
}

export interface Template {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata?: Record<string, Value>;
  Parameters?: Record<string, Parameter>;
  Conditions?: Record<string, Value>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Output>;
}

// ---- intrinsics -------------------------------------------------------------------------
export const ref = (name: string): Value => ({ Ref: name });
/** Always the long (array) form: moto resolves dotted attributes only that way. */
export const getAtt = (resource: string, attr: string): Value => ({ 'Fn::GetAtt': [resource, attr] });
export const sub = (text: string): Value => ({ 'Fn::Sub': text });
/** `parts` is a list of values, or one value that resolves to a list (a list-valued GetAtt). */
export const join = (sep: string, parts: Value[] | Value): Value => ({ 'Fn::Join': [sep, parts] });
export const split = (sep: string, text: Value): Value => ({ 'Fn::Split': [sep, text] });
export const select = (i: number, list: Value): Value => ({ 'Fn::Select': [String(i), list] });
export const importValue = (name: string): Value => ({ 'Fn::ImportValue': name });
/** The region's zones ("" means the stack's region). */
export const azs = (): Value => ({ 'Fn::GetAZs': '' });
export const partitionArn = (rest: string): Value => sub(`arn:\${AWS::Partition}:${rest}`);

/** The cyclops tags, as CloudFormation's usual Tags list. */
export const tagList = (ids: Ids): Value => tags(ids) as unknown as Value;

/** A resource with the cyclops tags added under `key` (most types use "Tags"). */
export function tagged(type: string, ids: Ids, props: Record<string, Value>, key = 'Tags'): Resource {
  return { Type: type, Properties: { ...props, [key]: tagList(ids) } };
}

/** The platform's permissions boundary (a managed policy of the platform stack, by its fixed name). */
export const boundaryArn = (platform: string): Value => partitionArn(`iam::\${AWS::AccountId}:policy${iamPath(platform)}${boundaryPolicyName(platform)}`);

/**
 * An IAM role trusted by one AWS service, under the platform's IAM path and with its permissions
 * boundary: the CloudFormation service role may create no other kind of role.
 */
export function serviceRole(ids: Ids, service: string, props: Record<string, Value> = {}): Resource {
  return tagged('AWS::IAM::Role', ids, {
    Path: iamPath(ids.platform),
    PermissionsBoundary: boundaryArn(ids.platform),
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    },
    ...props,
  });
}

export const managedPolicy = (name: string): Value => partitionArn(`iam::aws:policy/${name}`);

/** One inline policy document from statements. */
export function inlinePolicy(name: string, statements: Record<string, Value>[]): Value {
  return { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } };
}

const pascalCase = (name: string) => name.replace(/(^|[^a-zA-Z0-9]+)([a-zA-Z0-9])/g, (_m, _s, c: string) => c.toUpperCase());

/**
 * A CloudFormation logical id from a name alone: prefix + PascalCase + a short hash of the exact
 * name. Logical ids only allow [A-Za-z0-9], so "a-1" and "a1" share a PascalCase form; the hash
 * tells them apart, and no other name in the template (nor its order) changes the id.
 */
export function logicalId(prefix: string, name: string): string {
  return `${prefix}${pascalCase(name)}${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

export type StatefulPolicy = 'Retain' | 'Snapshot';
/** A stateful resource: neither deleting the stack nor replacing the resource destroys its data. */
export function keep(resource: Resource, policy: StatefulPolicy = 'Retain'): Resource {
  return { ...resource, DeletionPolicy: policy, UpdateReplacePolicy: policy };
}

export function output(value: Value, exportName?: string, description?: string): Output {
  return {
    ...(description ? { Description: description } : {}),
    Value: value,
    ...(exportName ? { Export: { Name: exportName } } : {}),
  };
}

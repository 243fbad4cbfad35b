/**
 * The CloudFormation service role's policy: what the registry handlers of every resource type
 * the env and app templates can contain call (src/iam/resource-actions.ts), narrowed to the
 * platform's names. The role lives in the platform stack; the platform stack itself runs with
 * the operator's own credentials (see docs/security.md), so ECR repositories and the managed
 * policies are not in the role's policy.
 *
 * The role is not an account admin: it may create and change roles only under the platform's
 * IAM path and only with the platform's permissions boundary attached (iam:PermissionsBoundary),
 * may never remove or change that boundary, nor change or pass itself.
 */
import { cfnServiceRole, templateKey } from '../naming';
import { passRoleStatement, statementsByScope, type Statement } from './document';
import { conditionedServices, COVERED_TYPES, grantsFor, type Grant } from './resource-actions';
import { scopeArns, type Where } from './scopes';

/**
 * Resource types only the platform stack creates (it runs without the role). The remote
 * builder's CodeBuild projects are among them: a project runs any code with the role it is
 * given, so no env or app template may make one.
 */
export const PLATFORM_ONLY_TYPES = ['AWS::ECR::Repository', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::OIDCProvider', 'AWS::CodeBuild::Project'];

/** Role actions whose request carries iam:PermissionsBoundary (the Service Authorization Reference): allowed only with the boundary. */
export const BOUNDARY_CONDITIONED = [
  'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
];

/** The env and app stacks' resource types. */
export const STACK_TYPES = COVERED_TYPES.filter((t) => !PLATFORM_ONLY_TYPES.includes(t));

/** Statements for the role's policy. */
export function serviceRoleStatements(where: Where): Statement[] {
  const grants: Grant[] = STACK_TYPES.flatMap((type) => grantsFor(type) ?? []);
  const boundary = scopeArns('boundary', where);
  const roles = scopeArns('roles', where);
  const open = grants.map((g) => (g.scope === 'roles' ? { ...g, actions: g.actions.filter((a) => !BOUNDARY_CONDITIONED.includes(a) && a !== 'iam:DeleteRolePermissionsBoundary') } : g));
  const bounded = [...new Set(grants.filter((g) => g.scope === 'roles').flatMap((g) => g.actions.filter((a) => BOUNDARY_CONDITIONED.includes(a))))].sort();
  const { passedTo, linked } = conditionedServices(STACK_TYPES);
  const templates = templateKey('app', '*', { platform: where.platform, env: '*', app: '*' }).replace(/app\/.*$/, '*');
  return [
    ...statementsByScope(open, (scope) => scopeArns(scope, where), 'Create'),
    { Sid: 'RolesOnlyWithBoundary', Effect: 'Allow', Action: bounded, Resource: roles, Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } } },
    passRoleStatement('PassStackRoles', roles, passedTo),
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: scopeArns('serviceLinkedRoles', where),
      Condition: { StringEquals: { 'iam:AWSServiceName': linked } },
    },
    // CloudFormation reads the templates cyclops uploads to the config bucket.
    { Sid: 'ReadTemplates', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${scopeArns('bucket', where)[0]}/${templates}`] },
    // No role of the platform loses its boundary, and the boundary itself never changes.
    { Sid: 'KeepTheBoundary', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: ['*'] },
    {
      Sid: 'NeverChangeTheBoundary',
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy'],
      Resource: boundary,
    },
    {
      Sid: 'NeverChangeItself',
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy', 'iam:DeleteRole', 'iam:DeleteRolePermissionsBoundary', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole',
        'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
      ],
      Resource: scopeArns('serviceRole', where),
    },
  ];
}

export { cfnServiceRole };

/**
 * The CloudFormation service role's policy: everything the env and app templates create,
 * derived from RESOURCE_ACTIONS, with resources narrowed to the platform's names. The role
 * lives in the platform stack; the platform stack itself runs with the operator's own
 * credentials (see docs/security.md), so ECR repositories are not in the role's policy.
 */
import { cfnServiceRole, templateKey } from '../naming';
import { passRoleStatement, statementsByScope, type Statement } from './document';
import { PASSED_TO_SERVICES, RESOURCE_ACTIONS } from './resource-actions';
import { scopeArns, type Where } from './scopes';

/** Resource types only the platform stack creates (it runs without the role). */
export const PLATFORM_ONLY_TYPES = ['AWS::ECR::Repository', 'AWS::IAM::ManagedPolicy'];

/** Statements for the role's policy. */
export function serviceRoleStatements(where: Where): Statement[] {
  const grants = Object.entries(RESOURCE_ACTIONS)
    .filter(([type]) => !PLATFORM_ONLY_TYPES.includes(type))
    .flatMap(([, list]) => list.map((grant) => ({ scope: grant.scope, actions: grant.actions.filter((a) => a !== 'iam:PassRole') })));
  const templates = templateKey('app', '*', { platform: where.platform, env: '*', app: '*' }).replace(/app\/.*$/, '*');
  return [
    ...statementsByScope(grants, (scope) => scopeArns(scope, where), 'Create'),
    passRoleStatement('PassStackRoles', scopeArns('roles', where), PASSED_TO_SERVICES),
    // CloudFormation reads the templates cyclops uploads to the config bucket.
    { Sid: 'ReadTemplates', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${scopeArns('bucket', where)[0]}/${templates}`] },
    // "<platform>-*" matches the role's own name: it may never change itself.
    {
      Sid: 'NeverChangeItself',
      Effect: 'Deny',
      Action: ['iam:AttachRolePolicy', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole'],
      Resource: scopeArns('serviceRole', where),
    },
  ];
}

export { cfnServiceRole };

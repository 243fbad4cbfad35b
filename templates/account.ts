/**
 * The stack `cyclops bootstrap --env NAME` makes in an environment's own account and region,
 * under the platform stack's name: what the env and app stacks need there (the CloudFormation
 * service role and the permissions boundary, exactly as the platform stack has them) and the
 * roles cyclops assumes from the platform's home account: the deploy role (deploy and admin
 * commands) and the read role (read commands: src/iam/commands.ts). No ECR repositories (images are
 * pulled from the home account's, through their repository policy) and no config bucket.
 */
import { pack, type PolicyDocument } from '../src/iam/document';
import { iamPath, PLATFORM_OUTPUT, SERVICE_ROLE_ID, tags } from '../src/naming';
import { getAtt, output, ref, type Output, type Resource, type Template, type Value } from './cfn';
import { serviceRoleResources, substituted, PSEUDO_WHERE, type PlatformInput } from './platform';

export interface AccountInput extends Pick<PlatformInput, 'platform' | 'bucket' | 'secretRefs' | 'legacyServiceRole'> {
  env: string;
  /** the platform's home account: its principals (as its own IAM allows) may take the deploy role */
  homeAccount: string;
  /** the deploy role's name and path (from environments.<env>.aws.roleArn, else the default) */
  deployRole: { name: string; path: string };
  /** the deploy policy, its ARNs written with ${AWS::…} pseudo parameters */
  deployPolicy: PolicyDocument;
  /** the read role's name and path (src/naming.ts envReadRoleName, ciRolePath) */
  readRole: { name: string; path: string };
  /** the read policy (iam-policy --for read), written as the deploy policy is */
  readPolicy: PolicyDocument;
}

/**
 * IAM caps a session of a role assumed by another role's session (role chaining) at one hour,
 * whatever MaxSessionDuration says; cyclops assumes it again before each session ends, so a
 * wait longer than an hour keeps working.
 */
export const ACCOUNT_DEPLOY_SESSION_SECONDS = 3600;

export function accountTemplate(input: AccountInput): Template {
  const resources: Record<string, Resource> = serviceRoleResources(input);
  Object.assign(
    resources,
    operatorRole(input, 'Deploy', input.deployRole, input.deployPolicy, `deploys environment ${input.env}`),
    operatorRole(input, 'Read', input.readRole, input.readPolicy, `reads environment ${input.env} (read commands)`),
  );
  const outputs: Record<string, Output> = {
    [PLATFORM_OUTPUT.serviceRoleArn]: output(getAtt(SERVICE_ROLE_ID.current, 'Arn'), undefined, 'the role CloudFormation assumes for env and app stacks'),
    [PLATFORM_OUTPUT.deployRoleArn]: output(getAtt('DeployRole', 'Arn'), undefined, `the role cyclops assumes from account ${input.homeAccount}`),
    [PLATFORM_OUTPUT.readRoleArn]: output(getAtt('ReadRole', 'Arn'), undefined, `the role cyclops assumes from account ${input.homeAccount} for read commands`),
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops platform ${input.platform}: environment ${input.env}'s account (service role, boundary, deploy and read roles)`,
    Resources: resources,
    Outputs: outputs,
  };
}

/**
 * A role cyclops assumes from the home account ("<id>Role", trusted by that account's root: its own
 * IAM decides who may take it) with its level's policy as managed policies "<id>Policy1…", packed
 * under IAM's size limit, under the platform's IAM path.
 */
function operatorRole(input: AccountInput, id: 'Deploy' | 'Read', role: { name: string; path: string }, policy: PolicyDocument, what: string): Record<string, Resource> {
  const level = id.toLowerCase();
  const resources: Record<string, Resource> = {
    [`${id}Role`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: role.name,
        Path: role.path,
        Description: `cyclops ${input.platform}: ${what} from the platform's account ${input.homeAccount}`,
        MaxSessionDuration: ACCOUNT_DEPLOY_SESSION_SECONDS,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: substituted(`arn:${PSEUDO_WHERE.partition}:iam::${input.homeAccount}:root`) }, Action: 'sts:AssumeRole' }],
        },
        Tags: tags({ platform: input.platform, env: input.env }) as unknown as Value,
      },
    },
  };
  const docs = pack(policy.Statement);
  docs.forEach((doc, i) => {
    resources[`${id}Policy${i + 1}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `cyclops ${input.platform}: the ${level} policy (iam-policy --for ${level}) of environment ${input.env}'s ${level} role, part ${i + 1} of ${docs.length}`,
        Path: iamPath(input.platform),
        Roles: [ref(`${id}Role`)],
        PolicyDocument: { Version: doc.Version, Statement: substituted(doc.Statement) },
      },
    };
  });
  return resources;
}

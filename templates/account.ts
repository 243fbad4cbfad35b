/**
 * The stack `cyclops bootstrap --env NAME` makes in an environment's own account and region,
 * under the platform stack's name: what the env and app stacks need there (the CloudFormation
 * service role and the permissions boundary, exactly as the platform stack has them) and the
 * deploy role cyclops assumes from the platform's home account. No ECR repositories (images are
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
}

/**
 * IAM caps a session of a role assumed by another role's session (role chaining) at one hour,
 * whatever MaxSessionDuration says; cyclops assumes it again before each session ends, so a
 * wait longer than an hour keeps working.
 */
export const ACCOUNT_DEPLOY_SESSION_SECONDS = 3600;

export function accountTemplate(input: AccountInput): Template {
  const resources: Record<string, Resource> = serviceRoleResources(input);
  resources.DeployRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: input.deployRole.name,
      Path: input.deployRole.path,
      Description: `cyclops ${input.platform}: deploys environment ${input.env} from the platform's account ${input.homeAccount}`,
      MaxSessionDuration: ACCOUNT_DEPLOY_SESSION_SECONDS,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: substituted(`arn:${PSEUDO_WHERE.partition}:iam::${input.homeAccount}:root`) }, Action: 'sts:AssumeRole' }],
      },
      Tags: tags({ platform: input.platform, env: input.env }) as unknown as Value,
    },
  };
  const docs = pack(input.deployPolicy.Statement);
  docs.forEach((doc, i) => {
    resources[`DeployPolicy${i + 1}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `cyclops ${input.platform}: the deploy policy (iam-policy --for deploy) of environment ${input.env}'s deploy role, part ${i + 1} of ${docs.length}`,
        Path: iamPath(input.platform),
        Roles: [ref('DeployRole')],
        PolicyDocument: { Version: doc.Version, Statement: substituted(doc.Statement) },
      },
    };
  });
  const outputs: Record<string, Output> = {
    [PLATFORM_OUTPUT.serviceRoleArn]: output(getAtt(SERVICE_ROLE_ID.current, 'Arn'), undefined, 'the role CloudFormation assumes for env and app stacks'),
    [PLATFORM_OUTPUT.deployRoleArn]: output(getAtt('DeployRole', 'Arn'), undefined, `the role cyclops assumes from account ${input.homeAccount}`),
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops platform ${input.platform}: environment ${input.env}'s account (service role, boundary, deploy role)`,
    Resources: resources,
    Outputs: outputs,
  };
}

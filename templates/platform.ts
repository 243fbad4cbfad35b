/**
 * The platform stack (one per account and region): an ECR repository per configured app, and
 * the role CloudFormation assumes for the env and app stacks (their RoleARN). The config
 * bucket is not here: it must exist before any template can be uploaded, so the platform
 * command creates it directly. Task execution roles live in the env and app stacks.
 */
import { pack } from '../src/iam/document';
import { boundaryStatements } from '../src/iam/boundary';
import { serviceRoleStatements } from '../src/iam/service-role';
import { boundaryPolicyName, cfnServiceRole, ecrRepository, iamPath, IMAGE_TAG_PREFIX, legacyCfnServiceRole, PLATFORM_OUTPUT, SERVICE_ROLE_ID, tags, UNTAGGED_IMAGE_DAYS } from '../src/naming';
import { builderResources } from './platform-builder';
import { ciResources, type CiInput } from './platform-ci';
import { getAtt, keep, logicalId, output, ref, sub, tagged, type Output, type Resource, type Template, type Value } from './cfn';

/** The service role of earlier versions in a platform or account template (see PlatformInput). */
export type LegacyServiceRole = boolean | 'detached';

export interface PlatformInput {
  platform: string;
  /** the config bucket: CloudFormation reads templates from it */
  bucket: string;
  /** Configured apps; their order does not matter. */
  apps: string[];
  untaggedDays?: number;
  /** Secrets config names (Secrets Manager ARNs, SSM parameters): the boundary lets the stacks' roles read them. */
  secretRefs?: string[];
  /**
   * Accounts of environments that live in their own account (`environments.<env>.aws.account`):
   * each repository's policy lets them pull its images. Empty or absent: no repository policy.
   */
  pullAccounts?: string[];
  /**
   * Regions of environments in this account besides the stack's own (`environments.<env>.aws:
   * {region}`): the service role and the boundary cover their resources too (IAM is global).
   */
  regions?: string[];
  /**
   * Keep the service role of earlier versions beside the new one while stacks still record it:
   * true, with the same policies; 'detached', without them (the step before its removal: IAM
   * deletes a role only once its policies are detached, and the stack update that detaches them
   * is then done before the one that deletes it).
   */
  legacyServiceRole?: LegacyServiceRole;
  /** `bootstrap --github`: GitHub's OIDC provider and the CI deploy roles (none: no CI part) */
  ci?: Omit<CiInput, 'platform'>;
  /** `bootstrap --remote-builder`: the CodeBuild projects `deploy --build --remote` uses */
  builder?: boolean;
}

/** The ${AWS::…} pseudo parameters a template's policies are written with. */
export const PSEUDO_WHERE = { partition: '${AWS::Partition}', region: '${AWS::Region}', account: '${AWS::AccountId}' };

/** CloudFormation's pseudo parameters stand for the account, region and partition. */
const PSEUDO = PSEUDO_WHERE;
const arnValue = (arn: string): Value => (arn.includes('${') ? sub(arn) : arn);
/** A policy value with every string that names a pseudo parameter wrapped in Fn::Sub (resources and condition values alike). */
export const substituted = (v: unknown): Value =>
  typeof v === 'string' ? arnValue(v) : Array.isArray(v) ? (v.map(substituted) as Value) : v && typeof v === 'object' ? (Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituted(x)])) as Value) : (v as Value);

/** A service role's own resource: trusted by CloudFormation for this account only. */
function serviceRole(platform: string, name: string, path: string | undefined): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: name,
      ...(path ? { Path: path } : {}),
      Description: `CloudFormation creates the env and app stacks of cyclops platform ${platform} with this role`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudformation.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ],
      },
      Tags: tags({ platform }) as unknown as Value,
    },
  };
}

/**
 * The service role (under the platform's IAM path), with its permissions in managed policies
 * (each within IAM's size limit) generated from src/iam, and the permissions boundary.
 * `legacyServiceRole`: the role of earlier versions (at path "/", logical id ServiceRole) stays,
 * exactly as they made it and with the same policies, while stacks still record it: `bootstrap`
 * moves them onto the new role, then renders without it (src/ops/service-role-move.ts).
 */
export function serviceRoleResources(input: Pick<PlatformInput, 'platform' | 'bucket' | 'secretRefs' | 'regions' | 'legacyServiceRole'>): Record<string, Resource> {
  const resources: Record<string, Resource> = {
    [SERVICE_ROLE_ID.current]: serviceRole(input.platform, cfnServiceRole(input.platform), iamPath(input.platform)),
    ...(input.legacyServiceRole ? { [SERVICE_ROLE_ID.legacy]: serviceRole(input.platform, legacyCfnServiceRole(input.platform), undefined) } : {}),
  };
  const roles = [ref(SERVICE_ROLE_ID.current), ...(input.legacyServiceRole === true ? [ref(SERVICE_ROLE_ID.legacy)] : [])];
  const where = { ...PSEUDO, platform: input.platform, bucket: input.bucket, ...(input.regions?.length ? { otherRegions: input.regions } : {}) };
  const withArns = (statements: ReturnType<typeof boundaryStatements>) => substituted(statements);
  // The ceiling of every role the env and app stacks create: the service role may create roles only with it.
  resources.Boundary = {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      ManagedPolicyName: boundaryPolicyName(input.platform),
      Path: iamPath(input.platform),
      Description: `cyclops ${input.platform}: permissions boundary of every role the env and app stacks create`,
      PolicyDocument: { Version: '2012-10-17', Statement: withArns(boundaryStatements(where, input.secretRefs ?? [])) },
    },
  };
  const docs = pack(serviceRoleStatements(where));
  docs.forEach((doc, i) => {
    resources[`ServiceRolePolicy${i + 1}`] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `cyclops ${input.platform}: CloudFormation service role, part ${i + 1} of ${docs.length}`,
        Path: iamPath(input.platform),
        Roles: roles,
        PolicyDocument: {
          Version: doc.Version,
          Statement: withArns(doc.Statement),
        },
      },
    };
  });
  return resources;
}

/**
 * ECR has no "keep" action: an image is expired by at most one rule, and an image a
 * higher-priority rule selects is never expired by a lower one. So rule 1 selects every image
 * tagged with the release prefix (the digests releases run) with a count no repository
 * reaches; the only expiry is of untagged images.
 */
export const KEEP_RELEASE_IMAGES = 10000;
export function lifecyclePolicy(untaggedDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `keep images that releases run (tags ${IMAGE_TAG_PREFIX}*)`,
        selection: { tagStatus: 'tagged', tagPrefixList: [IMAGE_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: KEEP_RELEASE_IMAGES },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `expire untagged images after ${untaggedDays} days`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
        action: { type: 'expire' },
      },
    ],
  });
}

/**
 * The repository policy that lets environments in other accounts pull the images: the three
 * actions an image pull makes (ECR's "Repository policy examples": allow another account to
 * pull), granted to each account's root, so the account's own IAM (the task execution roles'
 * AmazonECSTaskExecutionRolePolicy) decides which of its roles may. GetAuthorizationToken is
 * not a repository action: each account gets its token from its own registry endpoint.
 */
export function pullPolicy(accounts: string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CyclopsEnvironmentAccountsPull',
        Effect: 'Allow',
        Principal: { AWS: accounts.map((a) => `arn:${PSEUDO.partition}:iam::${a}:root`) },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      },
    ],
  };
}

/** The logical id of an app's repository: from its name alone, whatever else is configured. */
export const repositoryId = (app: string) => logicalId('Repo', app);

export function platformTemplate(input: PlatformInput): Template {
  const resources: Record<string, Resource> = serviceRoleResources(input);
  const outputs: Record<string, Output> = {
    [PLATFORM_OUTPUT.serviceRoleArn]: output(getAtt(SERVICE_ROLE_ID.current, 'Arn'), undefined, 'the role CloudFormation assumes for env and app stacks'),
  };
  const policy = lifecyclePolicy(input.untaggedDays ?? UNTAGGED_IMAGE_DAYS);
  for (const app of input.apps) {
    const id = repositoryId(app);
    resources[id] = keep(
      tagged('AWS::ECR::Repository', { platform: input.platform, app }, {
        RepositoryName: ecrRepository(input.platform, app),
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'MUTABLE',
        EncryptionConfiguration: { EncryptionType: 'AES256' },
        LifecyclePolicy: { LifecyclePolicyText: policy },
        ...(input.pullAccounts?.length ? { RepositoryPolicyText: substituted(pullPolicy(input.pullAccounts)) } : {}),
      }),
    );
    outputs[`${id}Uri`] = output(getAtt(id, 'RepositoryUri'), undefined, `ECR repository for ${app}`);
  }
  if (input.builder) {
    const builder = builderResources({ platform: input.platform, bucket: input.bucket }, substituted);
    Object.assign(resources, builder.resources);
    Object.assign(outputs, builder.outputs);
  }
  if (input.ci) {
    const ci = ciResources({ ...input.ci, platform: input.platform }, substituted);
    Object.assign(resources, ci.resources);
    Object.assign(outputs, ci.outputs);
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops platform ${input.platform}: ECR repositories and the CloudFormation service role`,
    Resources: resources,
    Outputs: outputs,
  };
}

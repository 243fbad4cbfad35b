/**
 * The platform stack's remote builder (`cyclops bootstrap --remote-builder`): two CodeBuild
 * projects, one per architecture, that `deploy --build --remote` starts with a zipped build
 * context from the config bucket and a buildspec cyclops renders (src/build/buildspec.ts).
 *
 * Two projects, not one with an environment-type override per build: each project's
 * environment (type, image, compute) is fixed and validated by CodeBuild when the stack makes
 * it, so a build cannot pair an ARM image with an x86 host, and the architecture a build ran
 * on is the project it names (BatchGetBuilds' projectName), which tests and audits can read.
 * They share one role and one log group.
 *
 * The standard images, from the CodeBuild "Docker images provided by CodeBuild" page
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-available.html; the
 * names as the CDK's LinuxArmBuildImage and LinuxBuildImage spell them:
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_codebuild.LinuxArmBuildImage.html).
 * ARM_CONTAINER takes BUILD_GENERAL1_SMALL or LARGE; both projects use SMALL. Docker inside
 * CodeBuild needs PrivilegedMode.
 *
 * The role lives under the platform's IAM path with its permissions boundary, and may only
 * read builds/ in the config bucket, push to the platform's repositories and write its own
 * log group. The projects are recorded by the stack itself: a later `bootstrap` keeps them.
 */
import { BUILDER_PUSH_ACTIONS, BUILDER_SOURCE_ACTIONS } from '../src/iam/boundary';
import { scopeArns } from '../src/iam/scopes';
import { builderLogGroup, builderProject, builderRole, LOG_RETENTION_DAYS, PLATFORM_OUTPUT, tags } from '../src/naming';
import { getAtt, inlinePolicy, keep, output, ref, serviceRole, tagged, type Output, type Resource, type Value } from './cfn';

export const BUILDER_ROLE_ID = 'BuilderRole';
export const BUILDER_LOG_GROUP_ID = 'BuilderLogGroup';
export const BUILDER_PROJECT_IDS = { arm64: 'BuilderArm64', x86_64: 'BuilderX8664' } as const;

/** Each architecture's CodeBuild environment. */
export const BUILDER_ENVIRONMENTS = {
  arm64: { Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0', ComputeType: 'BUILD_GENERAL1_SMALL' },
  x86_64: { Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0', ComputeType: 'BUILD_GENERAL1_SMALL' },
} as const;

/** A build's limit (CodeBuild's default is 60 minutes too); queued builds give up after as long. */
export const BUILD_TIMEOUT_MINUTES = 60;

/** The project's own buildspec: only ever replaced by cyclops's (buildspecOverride); run alone, it says so and fails. */
const NOT_ALONE = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "this project builds images for cyclops deploy --build --remote, which gives it the source and the buildspec" && exit 1\n';

export function builderResources(input: { platform: string; bucket: string }, substituted: (v: unknown) => Value): { resources: Record<string, Resource>; outputs: Record<string, Output> } {
  const { platform } = input;
  const where = { partition: '${AWS::Partition}', region: '${AWS::Region}', account: '${AWS::AccountId}', platform, bucket: input.bucket };
  const resources: Record<string, Resource> = {
    [BUILDER_LOG_GROUP_ID]: keep(tagged('AWS::Logs::LogGroup', { platform }, { LogGroupName: builderLogGroup(platform), RetentionInDays: LOG_RETENTION_DAYS })),
    [BUILDER_ROLE_ID]: serviceRole({ platform }, 'codebuild.amazonaws.com', {
      RoleName: builderRole(platform),
      Description: `cyclops ${platform}: the remote builder's CodeBuild projects build and push images with this role`,
      Policies: [
        inlinePolicy('build-images', [
          { Sid: 'ReadBuildContexts', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: substituted(scopeArns('buildContexts', where)) },
          { Sid: 'FindTheBucket', Effect: 'Allow', Action: BUILDER_SOURCE_ACTIONS.filter((a) => a.startsWith('s3:GetBucket')), Resource: substituted(scopeArns('bucket', where)) },
          { Sid: 'PushImages', Effect: 'Allow', Action: BUILDER_PUSH_ACTIONS, Resource: substituted(scopeArns('repositories', where)) },
          // GetAuthorizationToken names no resource (Service Authorization Reference, Amazon ECR)
          { Sid: 'LogInToEcr', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
          { Sid: 'WriteBuildLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: substituted(scopeArns('builderLogs', where)) },
        ]),
      ],
    }),
  };
  const outputs: Record<string, Output> = {};
  for (const arch of ['arm64', 'x86_64'] as const) {
    const name = builderProject(platform, arch);
    resources[BUILDER_PROJECT_IDS[arch]] = {
      Type: 'AWS::CodeBuild::Project',
      Properties: {
        Name: name,
        Description: `cyclops ${platform}: builds ${arch} images for deploy --build --remote`,
        ServiceRole: getAtt(BUILDER_ROLE_ID, 'Arn'),
        Source: { Type: 'NO_SOURCE', BuildSpec: NOT_ALONE },
        Artifacts: { Type: 'NO_ARTIFACTS' },
        Environment: { ...BUILDER_ENVIRONMENTS[arch], PrivilegedMode: true },
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: ref(BUILDER_LOG_GROUP_ID) } },
        TimeoutInMinutes: BUILD_TIMEOUT_MINUTES,
        QueuedTimeoutInMinutes: BUILD_TIMEOUT_MINUTES,
        Tags: tags({ platform }) as unknown as Value,
      },
    };
    // the name as a literal: deploy reads it from the stack's outputs to know the builder is there
    outputs[arch === 'arm64' ? PLATFORM_OUTPUT.builderArm64 : PLATFORM_OUTPUT.builderX86] = output(name, undefined, `the remote builder's CodeBuild project for ${arch}`);
  }
  return { resources, outputs };
}

/** Whether a deployed platform template has the builder (so a later bootstrap keeps it). */
export function hasBuilder(template: string | null): boolean {
  if (!template) return false;
  try {
    const t = JSON.parse(template) as { Resources?: Record<string, { Type?: string }> };
    return Object.values(BUILDER_PROJECT_IDS).some((id) => t.Resources?.[id]?.Type === 'AWS::CodeBuild::Project');
  } catch {
    return false;
  }
}

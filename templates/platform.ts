/**
 * The platform stack (one per account and region): an ECR repository per configured app. The
 * config bucket is not here: it must exist before any template can be uploaded, so the
 * platform command creates it directly. Task execution roles live in the env and app stacks.
 */
import { ecrRepository, IMAGE_TAG_PREFIX } from '../src/naming';
import { getAtt, keep, logicalId, output, tagged, type Output, type Resource, type Template } from './cfn';

export interface PlatformInput {
  platform: string;
  /** Configured apps; their order does not matter. */
  apps: string[];
  untaggedDays?: number;
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

/** The logical id of an app's repository: from its name alone, whatever else is configured. */
export const repositoryId = (app: string) => logicalId('Repo', app);

export function platformTemplate(input: PlatformInput): Template {
  const resources: Record<string, Resource> = {};
  const outputs: Record<string, Output> = {};
  const policy = lifecyclePolicy(input.untaggedDays ?? 14);
  for (const app of input.apps) {
    const id = repositoryId(app);
    resources[id] = keep(
      tagged('AWS::ECR::Repository', { platform: input.platform, app }, {
        RepositoryName: ecrRepository(input.platform, app),
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'MUTABLE',
        EncryptionConfiguration: { EncryptionType: 'AES256' },
        LifecyclePolicy: { LifecyclePolicyText: policy },
      }),
    );
    outputs[`${id}Uri`] = output(getAtt(id, 'RepositoryUri'), undefined, `ECR repository for ${app}`);
  }
  // A template needs one resource: with no app configured, a handle that creates nothing.
  if (input.apps.length === 0) resources.Placeholder = { Type: 'AWS::CloudFormation::WaitConditionHandle' };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops platform ${input.platform}: ECR repositories`,
    Resources: resources,
    Outputs: outputs,
  };
}

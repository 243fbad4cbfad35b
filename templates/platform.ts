/**
 * The platform stack (one per account and region): the shared ECS task execution role and
 * an ECR repository per configured app. The config bucket is not here: it must exist
 * before any template can be uploaded, so the platform command creates it directly.
 */
import { ecrRepository } from '../src/naming';
import { getAtt, logicalId, managedPolicy, output, serviceRole, tagged, type Output, type Resource, type Template } from './cfn';

export interface PlatformInput {
  platform: string;
  /** Configured apps, in config order. */
  apps: string[];
  /** Images kept per repository; older ones expire. */
  keepImages?: number;
  untaggedDays?: number;
}

/** Keep the newest N images; expire untagged images after D days. */
export function lifecyclePolicy(keep: number, untaggedDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `expire untagged images after ${untaggedDays} days`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `keep the newest ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

export function platformTemplate(input: PlatformInput): Template {
  const ids = { platform: input.platform };
  const resources: Record<string, Resource> = {
    TaskExecutionRole: serviceRole(ids, 'ecs-tasks.amazonaws.com', {
      ManagedPolicyArns: [managedPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
    }),
  };
  const outputs: Record<string, Output> = {
    TaskExecutionRoleArn: output(getAtt('TaskExecutionRole', 'Arn'), undefined, 'shared ECS task execution role'),
  };
  const taken = new Set<string>();
  const policy = lifecyclePolicy(input.keepImages ?? 50, input.untaggedDays ?? 14);
  for (const app of input.apps) {
    const id = logicalId('Repository', app, taken);
    resources[id] = tagged('AWS::ECR::Repository', { platform: input.platform, app }, {
      RepositoryName: ecrRepository(input.platform, app),
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'MUTABLE',
      EncryptionConfiguration: { EncryptionType: 'AES256' },
      LifecyclePolicy: { LifecyclePolicyText: policy },
    });
    outputs[`${id}Uri`] = output(getAtt(id, 'RepositoryUri'), undefined, `ECR repository for ${app}`);
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops platform ${input.platform}: shared roles and ECR repositories`,
    Resources: resources,
    Outputs: outputs,
  };
}

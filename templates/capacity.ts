/**
 * The ECS cluster and its capacity: Fargate (optionally Spot) or EC2 instances from an
 * Auto Scaling group behind a capacity provider. Either way the cluster's default capacity
 * provider strategy is what services and scheduled tasks use, so app templates need not
 * know which it is.
 */
import { capacityProviderName, clusterName, iamPath, tags, type Ids } from '../src/naming';
import type { CapacityConfig } from '../src/config/model';
import { GROUP_DESCRIPTION } from './descriptions';
import { getAtt, managedPolicy, ref, serviceRole, tagged, tagList, type Parameter, type Resource, type Value } from './cfn';

/**
 * The ECS-optimised Amazon Linux 2023 AMI, as an SSM-typed parameter with the public path as
 * its default: CloudFormation resolves it again on every stack update, so a new AMI gives the
 * launch template a new version and the rolling update below replaces the instances.
 */
export const AMI_PARAMETER = 'EcsAmi';
export const ECS_AMI_PATH = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';
/** The arm64 variant, for Graviton instance types. */
export const ECS_ARM64_AMI_PATH = '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id';
export const amiParameter = (arch: 'arm64' | 'x86_64' = 'x86_64'): Parameter => ({
  Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
  Default: arch === 'arm64' ? ECS_ARM64_AMI_PATH : ECS_AMI_PATH,
  Description: 'ECS-optimised AMI for the container instances (an SSM parameter path)',
});
/** Encrypted gp3 root volume of the container instances (the AMI's root device). */
export const ROOT_VOLUME = { device: '/dev/xvda', sizeGiB: 30 };

export interface CapacityInput {
  ids: Ids & { env: string };
  capacity: CapacityConfig;
  vpcId: Value;
  privateSubnets: Value[];
  /** Logical ids of the private subnets' default routes (when the stack creates the VPC). */
  privateRoutes?: string[];
  containerInsights: boolean;
}

function ec2Capacity(input: CapacityInput, cluster: string): Record<string, Resource> {
  const { ids } = input;
  const cap = input.capacity as Extract<CapacityConfig, { type: 'ec2' }>;
  // ECS_AWSVPC_BLOCK_IMDS: awsvpc tasks cannot reach the instance metadata (and so the instance role).
  const userData = `#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\nECS_CLUSTER=${cluster}\nECS_ENABLE_TASK_IAM_ROLE=true\nECS_AWSVPC_BLOCK_IMDS=true\nEOF\n`;
  return {
    InstanceRole: serviceRole(ids, 'ec2.amazonaws.com', {
      ManagedPolicyArns: [
        managedPolicy('service-role/AmazonEC2ContainerServiceforEC2Role'),
        managedPolicy('AmazonSSMManagedInstanceCore'),
      ],
    }),
    InstanceProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Path: iamPath(ids.platform), Roles: [ref('InstanceRole')] } },
    InstanceSecurityGroup: tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.instances,
      VpcId: input.vpcId,
    }),
    LaunchTemplate: {
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: {
        LaunchTemplateData: {
          ImageId: ref(AMI_PARAMETER),
          InstanceType: cap.instanceType,
          IamInstanceProfile: { Arn: getAtt('InstanceProfile', 'Arn') },
          SecurityGroupIds: [getAtt('InstanceSecurityGroup', 'GroupId')],
          // IMDSv2 only, one hop: containers in bridge or awsvpc mode cannot reach it.
          MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            { DeviceName: ROOT_VOLUME.device, Ebs: { VolumeType: 'gp3', VolumeSize: ROOT_VOLUME.sizeGiB, Encrypted: true, DeleteOnTermination: true } },
          ],
          UserData: { 'Fn::Base64': userData },
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tagList(ids) },
            { ResourceType: 'volume', Tags: tagList(ids) },
          ],
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: tagList(ids) }],
      },
    },
    // After the cluster (instances register with it at first boot) and the private default
    // routes (they reach ECS through NAT); on delete, in the reverse order.
    // A new launch template version (a new AMI, instance type or user data) replaces the
    // instances one at a time, keeping `min` in service (one fewer when min = max); ECS drains each instance's tasks first.
    AutoScalingGroup: {
      Type: 'AWS::AutoScaling::AutoScalingGroup',
      DependsOn: ['Cluster', ...(input.privateRoutes ?? [])],
      UpdatePolicy: {
        AutoScalingRollingUpdate: { MinInstancesInService: Math.min(cap.min, cap.max - 1), MaxBatchSize: 1, PauseTime: 'PT5M', SuspendProcesses: ['AlarmNotification', 'ScheduledActions'] },
      },
      Properties: {
        MinSize: String(cap.min),
        MaxSize: String(cap.max),
        VPCZoneIdentifier: input.privateSubnets,
        LaunchTemplate: { LaunchTemplateId: ref('LaunchTemplate'), Version: getAtt('LaunchTemplate', 'LatestVersionNumber') },
        NewInstancesProtectedFromScaleIn: false,
        Tags: tags(ids).map((t) => ({ ...t, PropagateAtLaunch: true })),
      },
    },
    CapacityProvider: tagged('AWS::ECS::CapacityProvider', ids, {
      Name: capacityProviderName(ids.platform, ids.env),
      AutoScalingGroupProvider: {
        AutoScalingGroupArn: ref('AutoScalingGroup'),
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 },
        ManagedTerminationProtection: 'DISABLED',
        ManagedDraining: 'ENABLED',
      },
    }),
  };
}

export function computeCapacity(input: CapacityInput): Record<string, Resource> {
  const cluster = clusterName(input.ids.platform, input.ids.env);
  const r: Record<string, Resource> = {
    Cluster: tagged('AWS::ECS::Cluster', input.ids, {
      ClusterName: cluster,
      ClusterSettings: [{ Name: 'containerInsights', Value: input.containerInsights ? 'enabled' : 'disabled' }],
    }),
  };
  let providers: Value[];
  let strategy: Value[];
  if (input.capacity.type === 'ec2') {
    Object.assign(r, ec2Capacity(input, cluster));
    providers = [ref('CapacityProvider')];
    strategy = [{ CapacityProvider: ref('CapacityProvider'), Weight: 1 }];
  } else {
    providers = ['FARGATE', 'FARGATE_SPOT'];
    strategy = input.capacity.spot
      ? [
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
        ]
      : [{ CapacityProvider: 'FARGATE', Weight: 1 }];
  }
  r.ClusterCapacityProviders = {
    Type: 'AWS::ECS::ClusterCapacityProviderAssociations',
    Properties: { Cluster: ref('Cluster'), CapacityProviders: providers, DefaultCapacityProviderStrategy: strategy },
  };
  return r;
}

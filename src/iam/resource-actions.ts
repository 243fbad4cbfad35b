/**
 * What CloudFormation needs to create, update and delete each resource type cyclops's
 * templates use, when it acts through the platform's service role. A template that uses a
 * type missing here fails test/templates/service-role.test.ts: add its row, with the
 * narrowest scope AWS allows for it.
 *
 * Scopes are in src/iam/scopes.ts. Where AWS names a resource only by a generated id (EC2,
 * load balancers, RDS, ElastiCache, ACM, Route 53 records) the scope is "any": IAM cannot
 * narrow those by name.
 */
import type { Scope } from './scopes';

export interface Grant {
  actions: string[];
  scope: Scope;
}

const g = (scope: Scope, ...actions: string[]): Grant => ({ scope, actions });
const tagging = (prefix: string, scope: Scope = 'any') => g(scope, `${prefix}:TagResource`, `${prefix}:UntagResource`, `${prefix}:ListTagsForResource`);
const ec2 = (...actions: string[]) => g('any', ...actions.map((a) => `ec2:${a}`), 'ec2:CreateTags', 'ec2:DeleteTags');
const elb = (...actions: string[]) => g('any', ...actions.map((a) => `elasticloadbalancing:${a}`), 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags', 'elasticloadbalancing:DescribeTags');
const passRole = g('roles', 'iam:PassRole');

export const RESOURCE_ACTIONS: Record<string, Grant[]> = {
  'AWS::CloudFormation::WaitConditionHandle': [],
  // ---- network
  'AWS::EC2::VPC': [ec2('CreateVpc', 'DeleteVpc', 'DescribeVpcs', 'ModifyVpcAttribute', 'DescribeVpcAttribute', 'DescribeAvailabilityZones', 'DescribeAccountAttributes')],
  'AWS::EC2::Subnet': [ec2('CreateSubnet', 'DeleteSubnet', 'DescribeSubnets', 'ModifySubnetAttribute', 'DescribeAvailabilityZones')],
  'AWS::EC2::InternetGateway': [ec2('CreateInternetGateway', 'DeleteInternetGateway', 'DescribeInternetGateways')],
  'AWS::EC2::VPCGatewayAttachment': [ec2('AttachInternetGateway', 'DetachInternetGateway', 'DescribeInternetGateways')],
  'AWS::EC2::EIP': [ec2('AllocateAddress', 'ReleaseAddress', 'DescribeAddresses', 'DisassociateAddress')],
  'AWS::EC2::NatGateway': [ec2('CreateNatGateway', 'DeleteNatGateway', 'DescribeNatGateways')],
  'AWS::EC2::RouteTable': [ec2('CreateRouteTable', 'DeleteRouteTable', 'DescribeRouteTables')],
  'AWS::EC2::Route': [ec2('CreateRoute', 'DeleteRoute', 'ReplaceRoute', 'DescribeRouteTables')],
  'AWS::EC2::SubnetRouteTableAssociation': [ec2('AssociateRouteTable', 'DisassociateRouteTable', 'ReplaceRouteTableAssociation', 'DescribeRouteTables')],
  'AWS::EC2::SecurityGroup': [
    ec2(
      'CreateSecurityGroup', 'DeleteSecurityGroup', 'DescribeSecurityGroups', 'DescribeSecurityGroupRules',
      'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
      'UpdateSecurityGroupRuleDescriptionsIngress', 'UpdateSecurityGroupRuleDescriptionsEgress',
    ),
  ],
  'AWS::EC2::VPCEndpoint': [ec2('CreateVpcEndpoint', 'DeleteVpcEndpoints', 'ModifyVpcEndpoint', 'DescribeVpcEndpoints', 'DescribePrefixLists')],
  'AWS::EC2::FlowLog': [ec2('CreateFlowLogs', 'DeleteFlowLogs', 'DescribeFlowLogs'), g('logGroups', 'logs:CreateLogDelivery', 'logs:DeleteLogDelivery'), passRole],
  // ---- EC2 capacity
  'AWS::EC2::LaunchTemplate': [
    ec2('CreateLaunchTemplate', 'CreateLaunchTemplateVersion', 'DeleteLaunchTemplate', 'DescribeLaunchTemplates', 'DescribeLaunchTemplateVersions', 'ModifyLaunchTemplate', 'DescribeImages'),
    g('amiParameters', 'ssm:GetParameters'),
    passRole,
  ],
  'AWS::AutoScaling::AutoScalingGroup': [
    g(
      'any',
      'autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup',
      'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities', 'autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags',
      'autoscaling:SetInstanceProtection', 'ec2:RunInstances', 'ec2:CreateTags', 'ec2:DescribeLaunchTemplateVersions', 'iam:CreateServiceLinkedRole',
    ),
    passRole,
  ],
  'AWS::IAM::InstanceProfile': [
    g('instanceProfiles', 'iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile'),
    passRole,
  ],
  // ---- IAM: generated role names start with the stack name, so with "<platform>-"
  'AWS::IAM::Role': [
    g(
      'roles',
      'iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole',
      'iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:ListRolePolicies',
      'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:ListAttachedRolePolicies',
    ),
  ],
  // The service role's own policies: only in the platform stack.
  'AWS::IAM::ManagedPolicy': [
    g('policies', 'iam:CreatePolicy', 'iam:DeletePolicy', 'iam:GetPolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'),
    g('serviceRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'),
  ],
  // ---- ECS
  'AWS::ECS::Cluster': [
    g('clusters', 'ecs:CreateCluster', 'ecs:DeleteCluster', 'ecs:DescribeClusters', 'ecs:UpdateCluster', 'ecs:UpdateClusterSettings', 'ecs:PutClusterCapacityProviders'),
    tagging('ecs', 'clusters'),
    g('any', 'iam:CreateServiceLinkedRole'),
  ],
  'AWS::ECS::CapacityProvider': [
    g('any', 'ecs:CreateCapacityProvider', 'ecs:DeleteCapacityProvider', 'ecs:UpdateCapacityProvider', 'ecs:DescribeCapacityProviders', 'ecs:TagResource', 'autoscaling:CreateOrUpdateTags', 'autoscaling:DescribeAutoScalingGroups'),
  ],
  'AWS::ECS::ClusterCapacityProviderAssociations': [g('clusters', 'ecs:PutClusterCapacityProviders', 'ecs:DescribeClusters')],
  'AWS::ECS::Service': [g('services', 'ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices'), tagging('ecs', 'services'), g('any', 'iam:CreateServiceLinkedRole')],
  // RegisterTaskDefinition names no resource; the family is "<platform>-<env>-<app>-<process>".
  'AWS::ECS::TaskDefinition': [g('any', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:TagResource'), passRole],
  // ---- load balancing
  'AWS::ElasticLoadBalancingV2::LoadBalancer': [
    elb('CreateLoadBalancer', 'DeleteLoadBalancer', 'DescribeLoadBalancers', 'ModifyLoadBalancerAttributes', 'DescribeLoadBalancerAttributes', 'SetSecurityGroups', 'SetSubnets'),
    g('any', 'iam:CreateServiceLinkedRole'),
  ],
  'AWS::ElasticLoadBalancingV2::TargetGroup': [elb('CreateTargetGroup', 'DeleteTargetGroup', 'ModifyTargetGroup', 'ModifyTargetGroupAttributes', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes')],
  'AWS::ElasticLoadBalancingV2::Listener': [elb('CreateListener', 'DeleteListener', 'ModifyListener', 'DescribeListeners')],
  'AWS::ElasticLoadBalancingV2::ListenerRule': [elb('CreateRule', 'DeleteRule', 'ModifyRule', 'DescribeRules', 'SetRulePriorities')],
  'AWS::CertificateManager::Certificate': [
    g('any', 'acm:RequestCertificate', 'acm:DeleteCertificate', 'acm:DescribeCertificate', 'acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate', 'acm:ListTagsForCertificate'),
  ],
  // ---- DNS
  'AWS::Route53::HostedZone': [
    g('any', 'route53:CreateHostedZone', 'route53:DeleteHostedZone', 'route53:GetHostedZone', 'route53:ListHostedZones', 'route53:GetChange', 'route53:ChangeTagsForResource', 'route53:ListTagsForResource', 'route53:ListResourceRecordSets'),
  ],
  'AWS::Route53::RecordSet': [g('any', 'route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:GetChange', 'route53:GetHostedZone')],
  // ---- data
  'AWS::RDS::DBInstance': [
    g(
      'any',
      'rds:CreateDBInstance', 'rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:DescribeDBInstances', 'rds:CreateDBSnapshot', 'rds:DescribeDBSnapshots',
      'rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ListTagsForResource', 'kms:DescribeKey', 'iam:CreateServiceLinkedRole',
    ),
    // ManageMasterUserPassword: RDS creates and rotates its own "rds!db-…" secret on the caller's behalf.
    g('generatedSecrets', 'secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'),
  ],
  'AWS::RDS::DBSubnetGroup': [g('any', 'rds:CreateDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup', 'rds:DescribeDBSubnetGroups', 'rds:AddTagsToResource')],
  'AWS::ElastiCache::ReplicationGroup': [
    g(
      'any',
      'elasticache:CreateReplicationGroup', 'elasticache:ModifyReplicationGroup', 'elasticache:DeleteReplicationGroup', 'elasticache:DescribeReplicationGroups',
      'elasticache:DescribeCacheClusters', 'elasticache:CreateSnapshot', 'elasticache:AddTagsToResource', 'elasticache:RemoveTagsFromResource', 'elasticache:ListTagsForResource',
      'iam:CreateServiceLinkedRole',
    ),
    g('generatedSecrets', 'secretsmanager:GetSecretValue'),
  ],
  'AWS::ElastiCache::CacheCluster': [
    g('any', 'elasticache:CreateCacheCluster', 'elasticache:ModifyCacheCluster', 'elasticache:DeleteCacheCluster', 'elasticache:DescribeCacheClusters', 'elasticache:AddTagsToResource'),
  ],
  'AWS::ElastiCache::SubnetGroup': [
    g('any', 'elasticache:CreateCacheSubnetGroup', 'elasticache:ModifyCacheSubnetGroup', 'elasticache:DeleteCacheSubnetGroup', 'elasticache:DescribeCacheSubnetGroups', 'elasticache:AddTagsToResource'),
  ],
  'AWS::SecretsManager::Secret': [
    g(
      'generatedSecrets',
      'secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecret',
      'secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue', 'secretsmanager:TagResource', 'secretsmanager:UntagResource',
    ),
    g('any', 'secretsmanager:GetRandomPassword'),
  ],
  // ---- volumes (EFS) and service autoscaling
  'AWS::EFS::FileSystem': [
    g(
      'any',
      'elasticfilesystem:CreateFileSystem', 'elasticfilesystem:DeleteFileSystem', 'elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:UpdateFileSystem',
      'elasticfilesystem:PutLifecycleConfiguration', 'elasticfilesystem:PutBackupPolicy', 'elasticfilesystem:PutFileSystemPolicy', 'elasticfilesystem:TagResource',
      'elasticfilesystem:UntagResource', 'elasticfilesystem:ListTagsForResource', 'kms:DescribeKey',
    ),
  ],
  'AWS::EFS::MountTarget': [
    g('any', 'elasticfilesystem:CreateMountTarget', 'elasticfilesystem:DeleteMountTarget', 'elasticfilesystem:DescribeMountTargets', 'elasticfilesystem:DescribeMountTargetSecurityGroups', 'elasticfilesystem:ModifyMountTargetSecurityGroups'),
    ec2('DescribeSubnets', 'DescribeNetworkInterfaces', 'CreateNetworkInterface', 'DeleteNetworkInterface', 'DescribeNetworkInterfaceAttribute'),
  ],
  'AWS::EFS::AccessPoint': [g('any', 'elasticfilesystem:CreateAccessPoint', 'elasticfilesystem:DeleteAccessPoint', 'elasticfilesystem:DescribeAccessPoints', 'elasticfilesystem:TagResource')],
  'AWS::ServiceDiscovery::PrivateDnsNamespace': [
    g(
      'any',
      'servicediscovery:CreatePrivateDnsNamespace', 'servicediscovery:DeleteNamespace', 'servicediscovery:GetNamespace', 'servicediscovery:GetOperation',
      'servicediscovery:ListNamespaces', 'servicediscovery:UpdatePrivateDnsNamespace', 'servicediscovery:TagResource', 'servicediscovery:UntagResource',
      'route53:CreateHostedZone', 'route53:DeleteHostedZone', 'route53:GetHostedZone', 'route53:ListHostedZonesByName', 'route53:AssociateVPCWithHostedZone',
      'ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute',
    ),
  ],
  'AWS::ApplicationAutoScaling::ScalableTarget': [
    g('any', 'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:TagResource', 'iam:CreateServiceLinkedRole'),
    g('services', 'ecs:DescribeServices', 'ecs:UpdateService'),
  ],
  'AWS::ApplicationAutoScaling::ScalingPolicy': [
    g('any', 'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:DescribeScalingPolicies', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms'),
  ],
  'AWS::CloudWatch::Alarm': [g('alarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms'), tagging('cloudwatch', 'alarms')],
  // ---- logs, schedules, buckets, images
  'AWS::Logs::LogGroup': [
    g('logGroups', 'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:TagResource', 'logs:UntagResource', 'logs:TagLogGroup', 'logs:ListTagsForResource'),
    g('any', 'logs:DescribeLogGroups'),
  ],
  'AWS::Events::Rule': [g('rules', 'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource', 'events:UntagResource'), passRole],
  'AWS::S3::Bucket': [
    g(
      'buckets',
      's3:CreateBucket', 's3:DeleteBucket', 's3:GetBucketLocation', 's3:PutBucketTagging', 's3:GetBucketTagging', 's3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 's3:PutBucketOwnershipControls', 's3:GetBucketOwnershipControls', 's3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration',
    ),
  ],
  'AWS::S3::BucketPolicy': [g('buckets', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicy')],
  'AWS::ECR::Repository': [
    g(
      'repositories',
      'ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:DescribeRepositories', 'ecr:PutLifecyclePolicy', 'ecr:GetLifecyclePolicy', 'ecr:DeleteLifecyclePolicy',
      'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability', 'ecr:SetRepositoryPolicy', 'ecr:GetRepositoryPolicy', 'ecr:TagResource', 'ecr:UntagResource', 'ecr:ListTagsForResource',
    ),
  ],
};

/** The services the app and env stacks hand roles to: the only ones iam:PassRole allows. */
export const PASSED_TO_SERVICES = ['ecs-tasks.amazonaws.com', 'events.amazonaws.com', 'ec2.amazonaws.com', 'vpc-flow-logs.amazonaws.com'];

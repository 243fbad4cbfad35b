/**
 * Second-day safety of the rendered templates (issue 9): each block fails without its fix.
 * These are template tests because moto neither replaces resources like AWS nor enforces
 * lifecycle policies, IMDS, encryption or target-group semantics.
 */
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';
import { renderApp, renderCluster, renderPlatform, type CfnTemplate } from '../../src/plan';
import { renderAll } from '../../src/plan/all';
import { ENV_OUTPUT, IMAGE_TAG_PREFIX } from '../../src/naming';
import { GROUP_DESCRIPTION } from '../../templates/descriptions';
import { ELB_ACCOUNTS, LOG_DELIVERY_SERVICE } from '../../templates/access-logs';
import { repositoryId } from '../../templates/platform';
import { example, rawExample, variants } from './fixtures';

type Res = { Type: string; Properties: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string; UpdatePolicy?: any };
const resources = (t: CfnTemplate) => t.Resources as Record<string, Res>;
const ofType = (t: CfnTemplate, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);
const one = (t: CfnTemplate, type: string) => {
  const found = ofType(t, type);
  expect(found).toHaveLength(1);
  return found[0][1];
};

const config = example();
const v = variants();
const everything = [...renderAll(config), ...renderAll(v)];

/** The example with one environment "e" made of the staging one plus `env` overrides. */
function withEnv(env: Record<string, unknown>, mutate?: (raw: any) => void): Config {
  const raw = rawExample();
  raw.environments = { e: { ...raw.environments.staging, ...env } };
  mutate?.(raw);
  return parseConfig(raw, 'e.json');
}

describe('1. stateful resources survive deletion and replacement', () => {
  const policy: Record<string, string> = {
    'AWS::Route53::HostedZone': 'Retain',
    'AWS::RDS::DBInstance': 'Snapshot',
    'AWS::ECR::Repository': 'Retain',
    'AWS::Logs::LogGroup': 'Retain',
    'AWS::EFS::FileSystem': 'Retain',
    'AWS::S3::Bucket': 'Retain',
    'AWS::ElastiCache::ReplicationGroup': 'Snapshot',
  };
  it('every stateful resource of every template has DeletionPolicy and UpdateReplacePolicy', () => {
    const seen = new Set<string>();
    for (const r of everything) {
      for (const [id, res] of Object.entries(resources(r.template))) {
        const want = policy[res.Type];
        if (!want) continue;
        seen.add(res.Type);
        expect({ stack: r.stack, id, d: res.DeletionPolicy, u: res.UpdateReplacePolicy }).toEqual({ stack: r.stack, id, d: want, u: want });
      }
    }
    // every kind the templates render was checked (EFS is not rendered today)
    expect([...seen].sort()).toEqual(Object.keys(policy).filter((t) => t !== 'AWS::EFS::FileSystem').sort());
  });
  it('a created zone that is delegated keeps its HostedZone and validates the certificate in it', () => {
    const t = renderCluster(v, 'delegated');
    expect(resources(t).HostedZone.DeletionPolicy).toBe('Retain');
    const cert = one(t, 'AWS::CertificateManager::Certificate');
    expect(cert.Properties.DomainValidationOptions[0].HostedZoneId).toEqual({ Ref: 'HostedZone' });
    expect((t.Outputs as any).HostedZoneId.Value).toEqual({ Ref: 'HostedZone' });
  });
});

describe('2. subnets: a fixed CIDR per zone slot', () => {
  const subnets = (c: Config) => Object.fromEntries(ofType(renderCluster(c, 'e'), 'AWS::EC2::Subnet').map(([id, r]) => [id, r.Properties.CidrBlock]));
  it('azs 2 and azs 3 give identical ids and CIDRs for the first two slots; 3 only adds', () => {
    const two = subnets(withEnv({ network: { cidr: '10.20.0.0/16', azs: 2, natGateways: 1 } }));
    const three = subnets(withEnv({ network: { cidr: '10.20.0.0/16', azs: 3, natGateways: 1 } }));
    expect(Object.keys(two)).toHaveLength(4);
    for (const [id, cidr] of Object.entries(two)) expect(three[id]).toBe(cidr);
    expect(Object.keys(three).filter((id) => !(id in two)).sort()).toEqual(['PrivateSubnet3', 'PublicSubnet3']);
    expect(three).toMatchObject({ PublicSubnet3: '10.20.32.0/20', PrivateSubnet3: '10.20.160.0/20' });
  });
  it('layout "legacy" keeps the old split for environments created before', () => {
    const legacy = subnets(withEnv({ network: { cidr: '10.20.0.0/16', azs: 2, natGateways: 1, layout: 'legacy' } }));
    expect(legacy).toEqual({ PublicSubnet1: '10.20.0.0/18', PrivateSubnet1: '10.20.128.0/18', PublicSubnet2: '10.20.64.0/18', PrivateSubnet2: '10.20.192.0/18' });
  });
});

describe('3. ECR lifecycle never expires an image a release references', () => {
  it('the release-prefix rule has the highest priority and the only other rule expires untagged images', () => {
    const repos = ofType(renderPlatform(config), 'AWS::ECR::Repository');
    expect(repos).toHaveLength(3);
    for (const [, repo] of repos) {
      const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules.sort((a: any, b: any) => a.rulePriority - b.rulePriority);
      expect(rules[0].selection).toMatchObject({ tagStatus: 'tagged', tagPrefixList: [IMAGE_TAG_PREFIX], countType: 'imageCountMoreThan' });
      expect(rules[0].selection.countNumber).toBeGreaterThanOrEqual(10000);
      expect(rules.slice(1).map((r: any) => r.selection)).toEqual([{ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }]);
    }
    expect(IMAGE_TAG_PREFIX).toBe('cyclops-');
  });
});

describe('4. EC2 capacity: IMDS closed to tasks, encrypted root volume, instances roll', () => {
  const prod = renderCluster(config, 'production');
  const data = one(prod, 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData;
  it('blocks IMDS for awsvpc tasks and requires IMDSv2 with one hop', () => {
    const userData = Buffer.from(String(data.UserData['Fn::Base64']), 'utf8').toString();
    expect(userData).toMatch(/^ECS_AWSVPC_BLOCK_IMDS=true$/m);
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
  });
  it('encrypts the gp3 root volume', () => {
    expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: expect.objectContaining({ VolumeType: 'gp3', Encrypted: true }) }]);
  });
  it('rolls instances on a new launch template version and re-resolves the AMI on every update', () => {
    const asg = one(prod, 'AWS::AutoScaling::AutoScalingGroup');
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toMatchObject({ MinInstancesInService: 2, MaxBatchSize: 1 });
    expect((prod.Parameters as any)[data.ImageId.Ref].Type).toBe('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
    // min = max: one instance may leave service at a time, or the update could never start
    const g = one(renderCluster(v, 'graviton'), 'AWS::AutoScaling::AutoScalingGroup');
    expect(g.UpdatePolicy.AutoScalingRollingUpdate.MinInstancesInService).toBe(1);
  });
});

describe('5. security-group descriptions are constants', () => {
  it('every GroupDescription is one of the constants, the same for a logical id in every variant', () => {
    const byId = new Map<string, Set<string>>();
    for (const r of everything) {
      for (const [id, res] of ofType(r.template, 'AWS::EC2::SecurityGroup')) {
        expect(Object.values(GROUP_DESCRIPTION)).toContain(res.Properties.GroupDescription);
        byId.set(id, (byId.get(id) ?? new Set()).add(res.Properties.GroupDescription));
      }
    }
    expect(byId.size).toBe(6);
    for (const [, set] of byId) expect(set.size).toBe(1);
  });
});

describe('6. RDS: major upgrades and storage autoscaling', () => {
  it('allows major version upgrades and scales storage up to maxStorage (default five times storage)', () => {
    const staging = one(renderCluster(config, 'staging'), 'AWS::RDS::DBInstance').Properties;
    expect(staging).toMatchObject({ AllowMajorVersionUpgrade: true, AllocatedStorage: '20', MaxAllocatedStorage: 100 });
    expect(one(renderCluster(v, 'graviton'), 'AWS::RDS::DBInstance').Properties.MaxAllocatedStorage).toBe(200);
    // maxStorage equal to storage turns autoscaling off
    expect(one(renderCluster(v, 'delegated'), 'AWS::RDS::DBInstance').Properties.MaxAllocatedStorage).toBeUndefined();
  });
});

describe('9. a web port change does not replace the target group', () => {
  it('the target group Port is the same whatever the container port; the service maps the container port', () => {
    const ports = new Set<number>();
    for (const app of ['shop', 'api', 'docs']) {
      const t = renderApp(config, 'staging', app, { port: 20001 });
      expect(one(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties.Port).toBe(80);
      ports.add(resources(t).WebService.Properties.LoadBalancers[0].ContainerPort);
    }
    expect([...ports].sort()).toEqual([3000, 80, 8080].sort());
  });
});

describe('10. Redis: TLS, encryption at rest, AUTH from Secrets Manager', () => {
  const t = renderCluster(config, 'production');
  it('renders a one-node replication group whose token is only a dynamic reference to a generated secret', () => {
    expect(ofType(t, 'AWS::ElastiCache::CacheCluster')).toHaveLength(0);
    const rg = one(t, 'AWS::ElastiCache::ReplicationGroup').Properties;
    expect(rg).toMatchObject({ NumCacheClusters: 1, TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true, AutomaticFailoverEnabled: false });
    expect(rg.NumNodeGroups).toBeUndefined();
    expect(rg.AuthToken).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'RedisAuthSecret' }, ':SecretString}}']] });
    expect(one(t, 'AWS::SecretsManager::Secret').Properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    expect(rg.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': ['RedisSecurityGroup', 'GroupId'] }]);
    const ingress = resources(t).RedisSecurityGroup.Properties.SecurityGroupIngress;
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { 'Fn::GetAtt': ['ServiceSecurityGroup', 'GroupId'] } })]);
    expect((t.Outputs as any)[ENV_OUTPUT.redisAuthSecretArn].Value).toEqual({ Ref: 'RedisAuthSecret' });
  });
  it('apps get rediss:// and the token as ECS secrets their execution role may read', () => {
    const app = renderApp(config, 'production', 'shop', { port: 20001 });
    const exported = { 'Fn::ImportValue': `acme-production:${ENV_OUTPUT.redisAuthSecretArn}` };
    for (const [, td] of ofType(app, 'AWS::ECS::TaskDefinition')) {
      const c = td.Properties.ContainerDefinitions[0];
      expect(c.Environment.find((e: any) => e.Name === 'REDIS_URL').Value['Fn::Join'][1][0]).toBe('rediss://');
      expect(c.Secrets.filter((s: any) => s.Name.startsWith('REDIS_'))).toEqual([
        { Name: 'REDIS_AUTH_TOKEN', ValueFrom: exported },
        { Name: 'REDIS_PASSWORD', ValueFrom: exported },
      ]);
    }
    const statements = resources(app).ExecutionRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.find((s: any) => s.Action === 'secretsmanager:GetSecretValue').Resource).toContainEqual(exported);
    // no Redis in the environment: neither
    const staging = JSON.stringify(renderApp(config, 'staging', 'shop', { port: 20001 }));
    expect(staging).not.toContain('REDIS');
  });
});

describe('11. ECR logical ids come from the name alone', () => {
  const ids = (apps: Record<string, unknown>) => {
    const raw = rawExample();
    raw.apps = apps;
    // the repositories only: the platform also holds the CloudFormation service role and its policies
    return Object.entries(resources(renderPlatform(parseConfig(raw, 'p.json')))).filter(([, r]) => r.Type === 'AWS::ECR::Repository').map(([id]) => id);
  };
  it('"a-b" and "ab" (and "a1", "a-1") get different ids, independent of config order and other apps', () => {
    const one = ids({ 'a-b': {}, ab: {}, a1: {}, 'a-1': {} });
    expect(new Set(one).size).toBe(4);
    expect(ids({ 'a-1': {}, a1: {}, ab: {}, 'a-b': {} }).sort()).toEqual([...one].sort());
    expect(ids({ ab: {} })).toEqual([repositoryId('ab')]);
    expect(one).toContain(repositoryId('a-b'));
  });
  it('has no unused shared task execution role; a platform without apps has no repository', () => {
    const types = Object.values(resources(renderPlatform(config))).map((r) => r.Type);
    expect(types.filter((t) => t !== 'AWS::IAM::ManagedPolicy')).toEqual(['AWS::IAM::Role', 'AWS::ECR::Repository', 'AWS::ECR::Repository', 'AWS::ECR::Repository']);
    expect(ids({}).length).toBe(0);
  });
});

describe('12. cost and visibility', () => {
  const staging = renderCluster(config, 'staging');
  it('routes S3 through a gateway endpoint on the private route tables of a created VPC', () => {
    const ep = one(staging, 'AWS::EC2::VPCEndpoint').Properties;
    expect(ep).toMatchObject({ VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.s3' } });
    expect(ep.RouteTableIds).toEqual([{ Ref: 'PrivateRouteTable1' }, { Ref: 'PrivateRouteTable2' }]);
    expect(ofType(renderCluster(v, 'imported'), 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
  });
  it('Container Insights is off unless the environment turns it on', () => {
    const setting = (t: CfnTemplate) => one(t, 'AWS::ECS::Cluster').Properties.ClusterSettings;
    expect(setting(staging)).toEqual([{ Name: 'containerInsights', Value: 'disabled' }]);
    expect(setting(renderCluster(v, 'delegated'))).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });
  it('sends access logs to a private, encrypted, expiring, TLS-only bucket that ELB may write to', () => {
    const lb = one(staging, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attrs = Object.fromEntries(lb.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));
    expect(attrs).toMatchObject({ 'access_logs.s3.enabled': 'true', 'access_logs.s3.bucket': { Ref: 'LogBucket' } });
    expect(lb.DependsOn).toContain('LogBucketPolicy');
    const bucket = resources(staging).LogBucket.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ Status: 'Enabled', ExpirationInDays: 90 });
    const [allow, deny] = resources(staging).LogBucketPolicy.Properties.PolicyDocument.Statement;
    expect(allow.Principal).toEqual({ AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ELB_ACCOUNTS['eu-west-1']}:root` } });
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // a region opened after August 2022 delivers as the service principal
    const raw = rawExample();
    raw.platform.region = 'ap-southeast-5';
    const newer = renderCluster(parseConfig(raw, 'r.json'), 'staging');
    expect(resources(newer).LogBucketPolicy.Properties.PolicyDocument.Statement[0].Principal).toEqual({ Service: LOG_DELIVERY_SERVICE });
  });
  it('writes VPC flow logs of a created VPC to a log group with retention, through its own role', () => {
    const fl = one(staging, 'AWS::EC2::FlowLog').Properties;
    expect(fl).toMatchObject({ ResourceId: { Ref: 'Vpc' }, ResourceType: 'VPC', LogDestinationType: 'cloud-watch-logs', LogGroupName: { Ref: 'FlowLogGroup' } });
    expect(fl.DeliverLogsPermissionArn).toEqual({ 'Fn::GetAtt': ['FlowLogRole', 'Arn'] });
    expect(resources(staging).FlowLogGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    expect(ofType(renderCluster(v, 'imported'), 'AWS::EC2::FlowLog')).toHaveLength(0);
  });
  it('gives database admin tasks a log group with retention, published for the task runner', () => {
    const g = resources(staging).DbAdminLogGroup;
    expect(g.Properties).toMatchObject({ LogGroupName: '/cyclops/acme/staging/_dbadmin', RetentionInDays: 30 });
    expect((staging.Outputs as any)[ENV_OUTPUT.dbAdminLogGroup].Value).toEqual({ Ref: 'DbAdminLogGroup' });
    expect(resources(renderCluster(v, 'nodb')).DbAdminLogGroup).toBeUndefined();
  });
});

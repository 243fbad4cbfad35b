/**
 * The stateful options in the app template: EFS volumes, singletons, autoscaling, internal
 * services, sidecars, allow lists and deployment alarms, plus golden files for the scenario
 * config (test/templates/fixtures.ts rawStateful), in test/templates/golden-stateful/. moto's CloudFormation has no Application Auto
 * Scaling, Service Discovery or CloudWatch alarms, so for those these template tests are the proof.
 * UPDATE_GOLDEN=1 npx jest test/templates/stateful.test.ts rewrites the goldens.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { appParameters, denyPriority, renderApp, renderCluster, templateBody } from '../../src/plan';
import { fileName, renderAll } from '../../src/plan/all';
import { rawStateful, stateful } from './fixtures';

type Res = { Type: string; Properties: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resources = (t: Record<string, unknown>) => t.Resources as Record<string, Res>;
const ofType = (t: Record<string, unknown>, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);
const app = (env: string, name: string, port = 20001) => renderApp(stateful(), env, name, { port });

describe('volumes', () => {
  const t = app('production', 'couch');
  const r = resources(t);

  it('an encrypted, backed-up file system kept on delete and on replacement', () => {
    const [[id, fs]] = ofType(t, 'AWS::EFS::FileSystem');
    expect(id).toBe('VolumeDataFileSystem');
    expect(fs.Properties).toMatchObject({ Encrypted: true, BackupPolicy: { Status: 'ENABLED' } });
    expect([fs.DeletionPolicy, fs.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  it('its file-system policy refuses every request without TLS, whoever makes it', () => {
    for (const [, fs] of [...ofType(t, 'AWS::EFS::FileSystem'), ...ofType(app('staging', 'shop'), 'AWS::EFS::FileSystem')]) {
      expect(fs.Properties.FileSystemPolicy.Statement).toEqual([
        { Sid: 'RequireTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ]);
    }
  });

  it('a mount target in each private subnet of the environment (three zones in production, two in staging)', () => {
    const targets = ofType(t, 'AWS::EFS::MountTarget').map(([, m]) => m.Properties.SubnetId['Fn::Select'][0]);
    expect(targets).toEqual(['0', '1', '2']);
    expect(ofType(app('staging', 'couch'), 'AWS::EFS::MountTarget')).toHaveLength(2);
    expect(r.VolumeDataMountTarget1.Properties.SubnetId['Fn::Select'][1]).toEqual({ 'Fn::Split': [',', { 'Fn::ImportValue': 'acme-production:PrivateSubnets' }] });
  });

  it('NFS only from the app tasks own security group, which the tasks carry next to the env group', () => {
    expect(r.VolumeSecurityGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: { 'Fn::GetAtt': ['AppSecurityGroup', 'GroupId'] } }),
    ]);
    expect(r.WebService.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toContainEqual({ 'Fn::GetAtt': ['AppSecurityGroup', 'GroupId'] });
  });

  it('an access point with its own root directory and the configured POSIX user (1000 unless set)', () => {
    expect(r.VolumeDataAccessPoint.Properties).toMatchObject({
      PosixUser: { Uid: '5984', Gid: '5984' },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: '5984', OwnerGid: '5984' } },
    });
    expect(resources(app('staging', 'shop')).VolumeUploadsAccessPoint.Properties).toMatchObject({ PosixUser: { Uid: '1000', Gid: '1000' } });
  });

  it('every process that mounts a volume must act as the same uid:gid (one access point): config error otherwise', () => {
    const raw = rawStateful();
    raw.apps.shop.processes['image-worker'].volumes.uploads.uid = 999;
    expect(() => parseConfig(raw, 'stateful.json')).toThrow(/image-worker.*uploads.*uid:gid 999:1000, process web as 1000:1000/s);
  });

  it('the task definition mounts it with transit encryption and IAM; the task role gets exactly ClientMount + ClientWrite', () => {
    const td = r.WebTaskDefinition.Properties;
    expect(td.Volumes).toEqual([
      {
        Name: 'data',
        EFSVolumeConfiguration: {
          FilesystemId: { 'Fn::If': ['VolumeDataKept', { Ref: 'VolumeDataKeptFileSystemId' }, { Ref: 'VolumeDataFileSystem' }] },
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: { Ref: 'VolumeDataAccessPoint' }, IAM: 'ENABLED' },
        },
      },
    ]);
    expect(td.ContainerDefinitions[0].MountPoints).toEqual([{ SourceVolume: 'data', ContainerPath: '/opt/couchdb/data', ReadOnly: false }]);
    const [statement] = r.TaskRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(statement.Action).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
    expect(statement.Resource).toEqual({
      'Fn::If': [
        'VolumeDataKept',
        { 'Fn::Sub': 'arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/${VolumeDataKeptFileSystemId}' },
        { 'Fn::GetAtt': ['VolumeDataFileSystem', 'Arn'] },
      ],
    });
  });

  it('a kept file system is attached instead of a new one: the parameter, the conditions, and every reference through them', () => {
    const c = t as Record<string, any>;
    expect(c.Parameters.VolumeDataKeptFileSystemId).toMatchObject({ Type: 'String', Default: '', AllowedPattern: '^(fs-[0-9a-f]{8,40})?$' });
    expect(c.Conditions).toEqual({
      VolumeDataNew: { 'Fn::Equals': [{ Ref: 'VolumeDataKeptFileSystemId' }, ''] },
      VolumeDataKept: { 'Fn::Not': [{ Condition: 'VolumeDataNew' }] },
    });
    // the stack's own file system exists only when none is kept; it names its volume for next time
    expect((r.VolumeDataFileSystem as any).Condition).toBe('VolumeDataNew');
    expect(r.VolumeDataFileSystem.Properties.FileSystemTags).toContainEqual({ Key: 'cyclops:volume', Value: 'data' });
    const viaIf = { 'Fn::If': ['VolumeDataKept', { Ref: 'VolumeDataKeptFileSystemId' }, { Ref: 'VolumeDataFileSystem' }] };
    for (const [, m] of ofType(t, 'AWS::EFS::MountTarget')) expect(m.Properties.FileSystemId).toEqual(viaIf);
    expect(r.VolumeDataAccessPoint.Properties.FileSystemId).toEqual(viaIf);
    // nothing else names the stack's own file system directly (a kept one would leave it dangling)
    const direct = JSON.stringify({ ...c.Resources, VolumeDataFileSystem: undefined }).replace(/\{"Fn::If":\["VolumeDataKept",[^\]]*\]\}/g, '');
    expect(direct).not.toMatch(/"Ref":"VolumeDataFileSystem"|\["VolumeDataFileSystem","Arn"\]/);
    // deploy passes the parameter; empty unless a kept file system is attached
    const params = (kept?: Record<string, string>) => Object.fromEntries(appParameters(stateful(), 'production', 'couch', 'couchdb:3', {}, {}, kept).map((p) => [p.ParameterKey, p.ParameterValue]));
    expect(params().VolumeDataKeptFileSystemId).toBe('');
    expect(params({ data: 'fs-0123456789abcdef0' }).VolumeDataKeptFileSystemId).toBe('fs-0123456789abcdef0');
  });

  it('ClientMount alone when every mount is read-only', () => {
    const raw = rawStateful();
    raw.apps.couch.processes.web.volumes.data.readOnly = true;
    const s = resources(renderApp(parseConfig(raw, 'x.json'), 'staging', 'couch', { port: 20001 }));
    expect(s.TaskRole.Properties.Policies[0].PolicyDocument.Statement[0].Action).toEqual(['elasticfilesystem:ClientMount']);
    // a read-only volume does not make a singleton
    expect(s.WebService.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 100, MaximumPercent: 200 });
  });

  it('a writable volume with count 1 deploys as a singleton; the service waits for the mount targets', () => {
    expect(r.WebService.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 0, MaximumPercent: 100 });
    expect(r.WebService.DependsOn).toEqual(['WebListenerRule', 'VolumeDataMountTarget1', 'VolumeDataMountTarget2', 'VolumeDataMountTarget3']);
  });

  it('a shared volume: one file system for every process that mounts it, no singleton', () => {
    const s = resources(app('staging', 'shop'));
    expect(ofType(app('staging', 'shop'), 'AWS::EFS::FileSystem').map(([id]) => id)).toEqual(['VolumeUploadsFileSystem']);
    expect(s.WebService.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 100, MaximumPercent: 200 });
    expect(s.ImageWorkerTaskDefinition.Properties.ContainerDefinitions[0].MountPoints[0].ContainerPath).toBe('/uploads');
  });
});

describe('autoscaling', () => {
  const t = app('staging', 'search');
  const r = resources(t);

  it('a scalable target on the service DesiredCount between the Min and Max parameters', () => {
    expect(r.WebScalableTarget.Properties).toMatchObject({
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: { Ref: 'WebMin' },
      MaxCapacity: { Ref: 'WebMax' },
      ResourceId: { 'Fn::Join': ['/', ['service', { 'Fn::ImportValue': 'acme-staging:ClusterName' }, { 'Fn::GetAtt': ['WebService', 'Name'] }]] },
    });
    expect((t.Parameters as Record<string, any>).WebMin).toMatchObject({ Default: 2 });
    expect((t.Parameters as Record<string, any>).WebMax).toMatchObject({ Default: 10 });
  });

  it('target tracking on CPU, memory and requests per target, labelled by load balancer and target group', () => {
    const policies = Object.fromEntries(ofType(t, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([id, p]) => [id, p.Properties.TargetTrackingScalingPolicyConfiguration]));
    expect(Object.keys(policies).sort()).toEqual(['ApiCpuScalingPolicy', 'WebCpuScalingPolicy', 'WebMemoryScalingPolicy', 'WebRequestsScalingPolicy']);
    expect(policies.WebCpuScalingPolicy).toMatchObject({ TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } });
    expect(policies.WebMemoryScalingPolicy).toMatchObject({ TargetValue: 75 });
    expect(policies.WebRequestsScalingPolicy.PredefinedMetricSpecification).toEqual({
      PredefinedMetricType: 'ALBRequestCountPerTarget',
      ResourceLabel: { 'Fn::Join': ['/', [{ 'Fn::ImportValue': 'acme-staging:LoadBalancerFullName' }, { 'Fn::GetAtt': ['WebTargetGroup', 'TargetGroupFullName'] }]] },
    });
  });

  it('an autoscaled service has no DesiredCount and no count parameter, so an update keeps what autoscaling set', () => {
    expect(r.WebService.Properties).not.toHaveProperty('DesiredCount');
    expect(r.ApiService.Properties).not.toHaveProperty('DesiredCount');
    expect(Object.keys(t.Parameters as object)).not.toContain('WebCount');
    // the fixed-size worker keeps its count parameter
    expect(r.IndexerService.Properties.DesiredCount).toEqual({ Ref: 'IndexerCount' });
  });

  it('the parameters of an autoscaled app: Min/Max per autoscaled process, a count per fixed one; a --count on an autoscaled one is refused', () => {
    const c = stateful();
    expect(appParameters(c, 'staging', 'search', 'img')).toEqual([
      { ParameterKey: 'Image', ParameterValue: 'img' },
      { ParameterKey: 'WebMin', ParameterValue: '2' },
      { ParameterKey: 'WebMax', ParameterValue: '10' },
      { ParameterKey: 'ApiMin', ParameterValue: '1' },
      { ParameterKey: 'ApiMax', ParameterValue: '4' },
      { ParameterKey: 'IndexerCount', ParameterValue: '2' },
    ]);
    expect(appParameters(c, 'staging', 'search', 'img', {}, { web: { min: 3, max: 12 } }).slice(1, 3).map((p) => p.ParameterValue)).toEqual(['3', '12']);
    expect(() => appParameters(c, 'staging', 'search', 'img', { web: 4 })).toThrow(/web autoscales between 2 and 10; change its bounds instead/);
    expect(() => appParameters(c, 'staging', 'search', 'img', {}, { web: { min: 5, max: 3 } })).toThrow(/not a valid autoscaling range/);
    expect(() => appParameters(c, 'staging', 'search', 'img', { mailer: 1 })).toThrow(/process mailer: search has no such service process/);
  });
});

describe('internal services and uses', () => {
  const r = resources(app('staging', 'search'));

  it('a Cloud Map service <app>-<process> in the env namespace, registered by the ECS service', () => {
    expect(r.ApiDiscovery).toMatchObject({
      Type: 'AWS::ServiceDiscovery::Service',
      Properties: { Name: 'search-api', NamespaceId: { 'Fn::ImportValue': 'acme-staging:InternalNamespaceId' }, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } },
    });
    expect(r.ApiService.Properties.ServiceRegistries).toEqual([{ RegistryArn: { 'Fn::GetAtt': ['ApiDiscovery', 'Arn'] } }]);
    expect(r.ApiService.Properties).not.toHaveProperty('LoadBalancers');
  });

  it('the port opens to the environment tasks on the app own group, and to nothing else', () => {
    expect(r.AppSecurityGroup.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 9200, ToPort: 9200, SourceSecurityGroupId: { 'Fn::ImportValue': 'acme-staging:ServiceSecurityGroup' } }),
    ]);
  });

  it('the env stack has the namespace <env>.internal and exports it and the load balancer full name', () => {
    const c = renderCluster(stateful(), 'staging') as Record<string, any>;
    expect(c.Resources.InternalNamespace.Properties.Name).toBe('staging.internal');
    expect(c.Outputs.InternalNamespaceId.Export.Name).toBe('acme-staging:InternalNamespaceId');
    expect(c.Outputs.LoadBalancerFullName.Value).toEqual({ 'Fn::GetAtt': ['LoadBalancer', 'LoadBalancerFullName'] });
  });

  it('only an app that lists the service in uses gets its URL', () => {
    const env = (name: string) => resources(app('staging', name)).WebTaskDefinition.Properties.ContainerDefinitions[0].Environment.map((e: { Name: string }) => e.Name);
    expect(env('shop')).toContain('SEARCH_API_URL');
    expect(env('couch')).not.toContain('SEARCH_API_URL');
  });
});

describe('sidecars', () => {
  const defs = resources(app('staging', 'couch')).WebTaskDefinition.Properties.ContainerDefinitions;

  it('extra containers in the same task, each with its own log stream prefix', () => {
    expect(defs.map((d: { Name: string }) => d.Name)).toEqual(['web', 'proxy', 'metrics']);
    expect(defs.map((d: any) => d.LogConfiguration.Options['awslogs-stream-prefix'])).toEqual(['web', 'web-proxy', 'web-metrics']);
  });

  it('a pinned image stays pinned; "app" follows the Image parameter; essential false unless asked', () => {
    expect(defs[1]).toMatchObject({ Image: 'public.ecr.aws/nginx/nginx:1.27', Essential: false, PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }], Environment: [{ Name: 'UPSTREAM', Value: 'http://127.0.0.1:5984' }] });
    expect(defs[2]).toMatchObject({ Image: { Ref: 'Image' }, Command: ['node', 'metrics.js'] });
  });
});

describe('allow lists', () => {
  const c = stateful();
  const r = resources(renderApp(c, 'staging', 'shop', { port: 20002 }));

  it('the forward rule gets a source-ip condition; a 403 rule for the same host follows it', () => {
    expect(r.WebListenerRule.Properties.Conditions[1]).toEqual({ Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24', '198.51.100.7/32', '192.0.2.0/28'] } });
    expect(r.WebDenyRule.Properties).toMatchObject({
      Priority: 30002,
      Conditions: [r.WebListenerRule.Properties.Conditions[0]],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
    });
    expect(r.WebDenyRule.Properties.Priority).toBeGreaterThan(r.WebListenerRule.Properties.Priority);
  });

  it('deny priorities are one-to-one and never a port of the range', () => {
    const [lo, hi] = c.ports.range;
    const deny = new Set<number>();
    for (let port = lo; port <= hi; port++) deny.add(denyPriority(c, port));
    expect(deny.size).toBe(hi - lo + 1);
    expect([...deny].some((p) => p >= lo && p <= hi)).toBe(false);
    expect(Math.max(...deny)).toBeLessThanOrEqual(50000);
  });

  it('an app without allow has no source-ip condition and no 403 rule', () => {
    const s = resources(app('staging', 'couch'));
    expect(s.WebListenerRule.Properties.Conditions).toHaveLength(1);
    expect(s).not.toHaveProperty('WebDenyRule');
  });
});

describe('deployment alarms', () => {
  it('5xx rate and unhealthy targets, wired into the web service deployment with rollback', () => {
    const r = resources(app('staging', 'shop'));
    expect(r.WebService.Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: ['cyclops-acme-staging-shop-web-5xx', 'cyclops-acme-staging-shop-web-unhealthy'],
      Enable: true,
      Rollback: true,
    });
    expect(r.WebHttp5xxAlarm.Properties).toMatchObject({ Threshold: 2, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold' });
    expect(r.WebHttp5xxAlarm.Properties.Metrics.map((m: { Id: string }) => m.Id)).toEqual(['errors', 'requests', 'rate']);
    expect(r.WebUnhealthyAlarm.Properties).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('on by default with the default thresholds ("alarms": true is the same); false renders none', () => {
    const couch = resources(app('staging', 'couch')); // no "alarms" key
    expect(couch.WebHttp5xxAlarm.Properties).toMatchObject({ Threshold: 5, EvaluationPeriods: 3 });
    expect(couch.WebHttp5xxAlarm.Properties.Metrics[0].MetricStat.Period).toBe(60);
    expect(couch.WebUnhealthyAlarm.Properties).toMatchObject({ Threshold: 1, Period: 60, EvaluationPeriods: 3 });
    expect(couch.WebService.Properties.DeploymentConfiguration.Alarms.Rollback).toBe(true);
    const raw = rawStateful();
    raw.apps.couch.alarms = true;
    expect(resources(renderApp(parseConfig(raw, 'x.json'), 'staging', 'couch', { port: 20001 }))).toEqual(couch);
    const search = resources(app('staging', 'search')); // "alarms": false
    expect(search).not.toHaveProperty('WebHttp5xxAlarm');
    expect(search).not.toHaveProperty('WebUnhealthyAlarm');
    expect(search.WebService.Properties.DeploymentConfiguration).not.toHaveProperty('Alarms');
  });

  it('an app without a web process gets none (nothing to watch)', () => {
    const raw = rawStateful();
    raw.apps.batch = { processes: { worker: { command: ['bin/work'] } }, database: false };
    const r = resources(renderApp(parseConfig(raw, 'x.json'), 'staging', 'batch', { port: 20002 }));
    expect(Object.values(r).filter((x: any) => x.Type === 'AWS::CloudWatch::Alarm')).toEqual([]);
  });
});

describe('free-form process names', () => {
  it('names follow the process: count parameters, services, task families, log prefixes, cron rules', () => {
    const r = resources(app('staging', 'shop'));
    expect(r.ImageWorkerService.Properties).toMatchObject({ ServiceName: 'shop-image-worker', DesiredCount: { Ref: 'ImageWorkerCount' } });
    expect(r.ImageWorkerTaskDefinition.Properties.Family).toBe('acme-staging-shop-image-worker');
    expect(r.ImageWorkerTaskDefinition.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-stream-prefix']).toBe('image-worker');
    expect(r.NightlyRule.Properties.Targets[0].EcsParameters.TaskDefinitionArn).toEqual({ Ref: 'NightlyTaskDefinition' });
    expect(r.HourlyReportRule.Properties.ScheduleExpression).toBe('rate(1 hour)');
  });

  it('"release" is reserved: no service, no task definition, no parameter', () => {
    const raw = rawStateful();
    raw.apps.couch.processes.release = { command: ['bin/migrate'] };
    const t = renderApp(parseConfig(raw, 'x.json'), 'staging', 'couch', { port: 20001 });
    expect(Object.keys(resources(t)).filter((id) => id.startsWith('Release'))).toEqual([]);
    expect(Object.keys(t.Parameters as object).filter((k) => !k.startsWith('Volume'))).toEqual(['Image', 'HoldTasks', 'WebCount']); // HoldTasks: the first deploy holds the tasks until the phase ran
  });
});

const DIR = path.join(__dirname, 'golden-stateful');
const update = process.env.UPDATE_GOLDEN === '1';
describe('golden templates for the stateful scenario', () => {
  const rendered = renderAll(stateful()).filter((r) => r.kind === 'app');
  if (update) mkdirSync(DIR, { recursive: true });
  for (const r of rendered) {
    it(`${fileName(r)} matches its golden file`, () => {
      const file = path.join(DIR, fileName(r));
      const body = templateBody(r.template) + '\n';
      if (update) writeFileSync(file, body);
      if (!existsSync(file)) throw new Error(`${file} is missing; run UPDATE_GOLDEN=1 npx jest test/templates/stateful.test.ts`);
      expect(body).toBe(readFileSync(file, 'utf8'));
    });
  }
  it('has no stale golden files', () => {
    expect(readdirSync(DIR).sort()).toEqual(rendered.map((r) => fileName(r)).sort());
  });
});

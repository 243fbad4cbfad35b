/** What the templates promise, asserted on the rendered objects. */
import YAML from 'yaml';
import { appParameters, renderApp, renderCluster, renderPlatform, templateBody, toYaml, type CfnTemplate } from '../../src/plan';
import { renderAll } from '../../src/plan/all';
import { ENV_OUTPUT, envExport, TAG_APP, TAG_ENV, TAG_PLATFORM } from '../../src/naming';
import { CyclopsError } from '../../src/errors';
import { example, variants } from './fixtures';

type Res = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };
const resources = (t: CfnTemplate) => t.Resources as Record<string, Res>;
const ofType = (t: CfnTemplate, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);
const one = (t: CfnTemplate, type: string) => {
  const found = ofType(t, type);
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
};
/** Every object key anywhere in a template that matches. */
function keysMatching(node: unknown, re: RegExp, out = new Set<string>()): string[] {
  if (Array.isArray(node)) node.forEach((n) => keysMatching(n, re, out));
  else if (node && typeof node === 'object') {
    for (const [k, val] of Object.entries(node)) {
      if (re.test(k)) out.add(k);
      keysMatching(val, re, out);
    }
  }
  return [...out];
}
const config = example();
const v = variants();
const shop = renderApp(config, 'staging', 'shop', { port: 20007 });

function usage(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CyclopsError);
    expect((e as CyclopsError).exitCode).toBe(2);
    expect((e as CyclopsError).message).toMatch(pattern);
    expect((e as CyclopsError).message).not.toContain('\n');
    return;
  }
  throw new Error('expected a usage error');
}

describe('cluster template', () => {
  const staging = renderCluster(config, 'staging');
  it('PostgreSQL is never publicly accessible, on 5432, with the master password managed by Secrets Manager', () => {
    const db = one(staging, 'AWS::RDS::DBInstance');
    expect(db.PubliclyAccessible).toBe(false);
    expect(db.ManageMasterUserPassword).toBe(true);
    expect(db.Port).toBe('5432');
    expect(keysMatching(staging, /password/i)).toEqual(['ManageMasterUserPassword']);
  });
  it('the database accepts 5432 only from the app tasks and admin tasks, which only the load balancer reaches', () => {
    const sg = resources(staging).DbSecurityGroup.Properties;
    expect(sg.SecurityGroupIngress.map((i: any) => [i.FromPort, i.ToPort, i.SourceSecurityGroupId['Fn::GetAtt'][0], i.CidrIp])).toEqual([
      [5432, 5432, 'ServiceSecurityGroup', undefined],
      [5432, 5432, 'DbAdminSecurityGroup', undefined],
    ]);
    const svc = resources(staging).ServiceSecurityGroup.Properties;
    expect(svc.SecurityGroupIngress).toHaveLength(1);
    expect(svc.SecurityGroupIngress[0].SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': ['AlbSecurityGroup', 'GroupId'] });
    expect(resources(staging).DbSubnetGroup.Properties.SubnetIds).toEqual([{ Ref: 'PrivateSubnet1' }, { Ref: 'PrivateSubnet2' }]);
  });
  it('publishes every output apps need, exported under naming.envExport, with long-form GetAtt for dotted attributes', () => {
    const outputs = staging.Outputs as Record<string, { Value: any; Export: { Name: string } }>;
    // staging has TLS and no Redis; it has name servers only when it creates its zone
    const createsZone = !config.environments.staging.dns.hostedZoneId;
    const noRedis = [ENV_OUTPUT.redisEndpoint, ENV_OUTPUT.redisAuthSecretArn] as string[];
    // the example has no email and no notifications (no topic to export): its outputs come only with environments.<env>.email (test/templates/email.test.ts)
    noRedis.push(ENV_OUTPUT.emailDomain, ENV_OUTPUT.emailConfigurationSet, ENV_OUTPUT.emailMailFromDomain);
    const expected = Object.values(ENV_OUTPUT).filter((n) => !noRedis.includes(n) && n !== ENV_OUTPUT.notificationTopicArn && (createsZone || n !== ENV_OUTPUT.nameServers));
    expect(Object.keys(outputs).sort()).toEqual([...expected].sort());
    for (const [name, o] of Object.entries(outputs)) expect(o.Export.Name).toBe(envExport('acme', 'staging', name));
    expect(outputs.DatabaseEndpoint.Value).toEqual({ 'Fn::GetAtt': ['Db', 'Endpoint.Address'] });
    expect(outputs.DatabaseMasterSecretArn.Value).toEqual({ 'Fn::GetAtt': ['Db', 'MasterUserSecret.SecretArn'] });
    expect(outputs.Https.Value).toBe('true');
    expect(outputs.AppListenerArn.Value).toEqual({ Ref: 'HttpsListener' });
    expect(outputs.Domain.Value).toBe('staging.acme.dev');
  });
  it('TLS "create" adds a DNS-validated wildcard certificate and HTTP redirects to HTTPS; without TLS the HTTP listener takes the apps', () => {
    expect(one(staging, 'AWS::CertificateManager::Certificate')).toMatchObject({ DomainName: '*.staging.acme.dev', ValidationMethod: 'DNS' });
    expect(resources(staging).HttpListener.Properties.DefaultActions[0].Type).toBe('redirect');
    const plain = renderCluster(v, 'imported');
    expect(ofType(plain, 'AWS::CertificateManager::Certificate')).toHaveLength(0);
    expect(resources(plain).HttpsListener).toBeUndefined();
    expect((plain.Outputs as any).AppListenerArn.Value).toEqual({ Ref: 'HttpListener' });
    expect((plain.Outputs as any).Https.Value).toBe('false');
  });
  it('an imported VPC creates no network and passes the given ids through', () => {
    const t = renderCluster(v, 'imported');
    expect(ofType(t, 'AWS::EC2::VPC')).toHaveLength(0);
    expect(ofType(t, 'AWS::EC2::Subnet')).toHaveLength(0);
    expect((t.Outputs as any).VpcId.Value).toBe('vpc-0abc1234');
    expect((t.Outputs as any).PrivateSubnets.Value).toEqual({ 'Fn::Join': [',', ['subnet-0ccc3333', 'subnet-0ddd4444']] });
  });
  it('an external database has no RDS and outputs the configured host and port', () => {
    const t = renderCluster(v, 'imported');
    expect(ofType(t, 'AWS::RDS::DBInstance')).toHaveLength(0);
    expect((t.Outputs as any).DatabaseEndpoint.Value).toBe('pg.internal.acme.dev');
    expect((t.Outputs as any).DatabasePort.Value).toBe('6432');
  });
  it('database "none" has no database outputs; Redis adds a private cache and its endpoint', () => {
    const t = renderCluster(v, 'nodb');
    const names = Object.keys(t.Outputs as object);
    for (const n of [ENV_OUTPUT.databaseEndpoint, ENV_OUTPUT.databasePort, ENV_OUTPUT.databaseMasterSecretArn]) expect(names).not.toContain(n);
    expect(names).toContain(ENV_OUTPUT.redisEndpoint);
    expect(resources(t).RedisSecurityGroup.Properties.SecurityGroupIngress[0].FromPort).toBe(6379);
  });
  it('creates subnets across the zones with NAT per natGateways, and EC2 capacity from the ECS-optimised AMI', () => {
    const prod = renderCluster(config, 'production');
    expect(ofType(prod, 'AWS::EC2::Subnet').map(([, r]) => r.Properties.CidrBlock)).toEqual([
      // fixed slots of a sixteenth each: public i at block i, private i at block 8 + i
      '10.30.0.0/20', '10.30.128.0/20', '10.30.16.0/20', '10.30.144.0/20', '10.30.32.0/20', '10.30.160.0/20',
    ]);
    expect(ofType(prod, 'AWS::EC2::NatGateway')).toHaveLength(3);
    expect(one(prod, 'AWS::EC2::LaunchTemplate').LaunchTemplateData.ImageId).toEqual({ Ref: 'EcsAmi' });
    expect((prod.Parameters as any).EcsAmi.Default).toMatch(/^\/aws\/service\/ecs\/optimized-ami\//);
    expect(one(prod, 'AWS::AutoScaling::AutoScalingGroup')).toMatchObject({ MinSize: '2', MaxSize: '8' });
    const nodb = renderCluster(v, 'nodb');
    expect(ofType(nodb, 'AWS::EC2::NatGateway')).toHaveLength(1);
    expect(ofType(nodb, 'AWS::EC2::Route').filter(([, r]) => r.Properties.NatGatewayId).map(([, r]) => r.Properties.NatGatewayId)).toEqual([
      { Ref: 'NatGateway1' },
      { Ref: 'NatGateway1' },
    ]);
    expect(one(staging, 'AWS::ECS::ClusterCapacityProviderAssociations').CapacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
  });
});

describe('app template', () => {
  it('has only the image and per-process counts as Parameters', () => {
    expect(Object.keys(shop.Parameters as object)).toEqual(['Image', 'WebCount', 'WorkerCount']);
    expect(appParameters(config, 'staging', 'shop', 'shop:1.2', { worker: 0 })).toEqual([
      { ParameterKey: 'Image', ParameterValue: 'shop:1.2' },
      { ParameterKey: 'WebCount', ParameterValue: '2' },
      { ParameterKey: 'WorkerCount', ParameterValue: '0' },
    ]);
  });
  it('the listener rule priority is the allocated port and routes APP.<domain>', () => {
    const rule = one(shop, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Priority).toBe(20007);
    expect(rule.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['shop.staging.acme.dev'] } }]);
    expect(rule.ListenerArn).toEqual({ 'Fn::ImportValue': 'acme-staging:HttpsListenerArn' });
    expect(one(shop, 'AWS::Route53::RecordSet')).toMatchObject({ Name: 'shop.staging.acme.dev.', Type: 'A' });
  });
  it('services have the circuit breaker with rollback; web has a grace period and a fast health check', () => {
    for (const [, s] of ofType(shop, 'AWS::ECS::Service')) {
      expect(s.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    }
    expect(resources(shop).WebService.Properties.HealthCheckGracePeriodSeconds).toBeGreaterThan(0);
    const tg = one(shop, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg.HealthCheckPath).toBe('/up');
    expect(tg.HealthCheckIntervalSeconds).toBeLessThanOrEqual(10);
    const delay = Number(tg.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
    expect(delay).toBeGreaterThanOrEqual(10);
    expect(delay).toBeLessThanOrEqual(30);
  });
  it('secrets are ECS Secrets by reference, never Environment; the database variables read JSON keys of the app secret', () => {
    const c = resources(shop).WebTaskDefinition.Properties.ContainerDefinitions[0];
    const secretNames = c.Secrets.map((s: any) => s.Name);
    expect(secretNames).toEqual(['DATABASE_URL', 'PGDATABASE', 'PGHOST', 'PGPASSWORD', 'PGPORT', 'PGUSER', 'SECRET_KEY_BASE', 'STRIPE_API_KEY']);
    expect(c.Environment.map((e: any) => e.Name)).toEqual(['PORT', 'RAILS_ENV', 'RAILS_LOG_TO_STDOUT']);
    const pw = c.Secrets.find((s: any) => s.Name === 'PGPASSWORD').ValueFrom;
    expect(pw).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:cyclops/acme/staging/shop/database:password::' });
    const known = renderApp(config, 'staging', 'shop', { port: 20007, databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:db-Ab12Cd' });
    const kc = resources(known).WebTaskDefinition.Properties.ContainerDefinitions[0];
    expect(kc.Secrets.find((s: any) => s.Name === 'DATABASE_URL').ValueFrom).toBe('arn:aws:secretsmanager:eu-west-1:1:secret:db-Ab12Cd:url::');
    const docs = resources(renderApp(config, 'staging', 'docs', { port: 20002 })).WebTaskDefinition.Properties.ContainerDefinitions[0];
    expect(docs.Secrets).toEqual([]);
  });
  it('the execution role may read exactly the app secrets', () => {
    const role = resources(shop).ExecutionRole.Properties;
    const statements = role.Policies[0].PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/shop/secret-key-base-AbCdEf',
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/shop/secret-key-base-AbCdEf-??????',
          { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:cyclops/acme/staging/shop/database-??????' },
        ],
      },
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/acme/shop/stripe-api-key' }] },
    ]);
  });
  it('cron runs as an EventBridge rule on the cluster; an unlisted app gets one web process on port 80 with "/" health check', () => {
    expect(one(shop, 'AWS::Events::Rule')).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)' });
    const blog = renderApp(config, 'staging', 'blog', { port: 20009 });
    expect(Object.keys(blog.Parameters as object)).toEqual(['Image', 'WebCount']);
    expect(one(blog, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toMatchObject({ Port: 80, HealthCheckPath: '/' });
    expect(resources(blog).WebTaskDefinition.Properties.ContainerDefinitions[0].Secrets.map((s: any) => s.Name)).toContain('DATABASE_URL');
  });
  it('an app in an environment without a database gets no database secrets', () => {
    const t = renderApp(v, 'nodb', 'shop', { port: 20000 });
    expect(JSON.stringify(t)).not.toContain('DATABASE_URL');
  });
});

describe('every template', () => {
  const all = [...renderAll(config), ...renderAll(v)];
  const untaggable = new Set([
    'AWS::EC2::VPCGatewayAttachment', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation', 'AWS::IAM::InstanceProfile',
    'AWS::ECS::ClusterCapacityProviderAssociations', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerRule',
    'AWS::Route53::RecordSet', 'AWS::Events::Rule', 'AWS::S3::BucketPolicy', 'AWS::IAM::ManagedPolicy',
    'AWS::SNS::Subscription', 'AWS::SNS::TopicPolicy',
  ]);
  it('tags every taggable resource with cyclops:platform, cyclops:env and cyclops:app', () => {
    for (const r of all) {
      for (const [id, res] of Object.entries(resources(r.template))) {
        if (untaggable.has(res.Type)) continue;
        const p = res.Properties;
        const list = p.Tags ?? p.HostedZoneTags ?? p.TagSpecifications?.[0]?.Tags;
        expect({ id, keys: (list ?? []).map((t: any) => t.Key) }).toEqual({ id, keys: [TAG_PLATFORM, TAG_ENV, TAG_APP] });
        const values = Object.fromEntries(list.map((t: any) => [t.Key, t.Value]));
        expect(values[TAG_PLATFORM]).toBe('acme');
        // an app's ECR repository in the platform stack carries that app's tag
        const app = res.Type === 'AWS::ECR::Repository' ? res.Properties.RepositoryName.split('/')[1] : (r.app ?? '-');
        expect(values[TAG_APP]).toBe(app);
        expect(values[TAG_ENV]).toBe(r.env ?? '-');
      }
    }
  });
  it("every ECS service propagates its tags to its tasks: the operator policies reach a task by its cyclops:platform tag", () => {
    const services = all.flatMap((r) => ofType(r.template, 'AWS::ECS::Service'));
    expect(services.length).toBeGreaterThan(0);
    for (const [id, s] of services) expect({ id, propagate: s.Properties.PropagateTags }).toEqual({ id, propagate: 'SERVICE' });
  });
  it('holds no password property, and no secret or database variable as plain Environment', () => {
    const secretNames = new Set(['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'SECRET_KEY_BASE', 'STRIPE_API_KEY', 'TOKEN']);
    for (const r of all) {
      expect(keysMatching(r.template, /password/i).filter((k) => k !== 'ManageMasterUserPassword' && k !== 'PasswordLength')).toEqual([]);
      for (const [, td] of ofType(r.template, 'AWS::ECS::TaskDefinition')) {
        for (const e of td.Properties.ContainerDefinitions[0].Environment) expect(secretNames.has(e.Name)).toBe(false);
      }
    }
  });
  it('render is pure and deterministic: same config, same bytes; the config is not modified', () => {
    const before = JSON.stringify(config);
    const a = renderAll(config).map((r) => templateBody(r.template));
    const b = renderAll(example()).map((r) => templateBody(r.template));
    expect(a).toEqual(b);
    expect(JSON.stringify(config)).toBe(before);
  });
  it('YAML renders the same document', () => {
    for (const r of all) expect(YAML.parse(toYaml(r.template))).toEqual(JSON.parse(templateBody(r.template)));
  });
  it('the platform has an ECR repository per configured app with scan on push and a lifecycle policy', () => {
    const repos = ofType(renderPlatform(config), 'AWS::ECR::Repository').map(([, r]) => r.Properties);
    expect(repos.map((r) => r.RepositoryName)).toEqual(['acme/shop', 'acme/api', 'acme/docs']);
    for (const r of repos) {
      expect(r.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      expect(JSON.parse(r.LifecyclePolicy.LifecyclePolicyText).rules).toHaveLength(2);
    }
  });
});

describe('bad input', () => {
  it('an unknown environment is a one-line usage error naming the known ones', () => {
    usage(() => renderCluster(config, 'qa'), /^environment "qa": not in config\.example\.json; use one of: staging, production/);
    usage(() => renderApp(config, 'qa', 'shop', { port: 20000 }), /environment "qa"/);
    usage(() => appParameters(config, 'qa', 'shop', 'x'), /environment "qa"/);
  });
  it('an invalid app name, port or count is a one-line usage error', () => {
    usage(() => renderApp(config, 'staging', 'Bad_App', { port: 20000 }), /^app "Bad_App": not a valid app name/);
    usage(() => renderApp(config, 'staging', 'shop', { port: 0 }), /^port 0: not a valid app port/);
    usage(() => renderApp(config, 'staging', 'shop', { port: 50001 }), /^port 50001/);
    usage(() => appParameters(config, 'staging', 'shop', 'x', { web: -1 }), /^web count -1: not a valid task count/);
  });
});

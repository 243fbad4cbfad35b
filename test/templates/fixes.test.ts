/**
 * Template defects that were fixed, each asserted on the rendered objects: name servers of a
 * created zone, REDIS_URL, listener exports that survive switching TLS on, RDS snapshots,
 * IAM for partial secret ARNs, EC2 capacity ordering, the web grace period and the capacity
 * provider's name.
 */
import { parseConfig } from '../../src/config/load';
import { renderApp, renderCluster, type CfnTemplate } from '../../src/plan';
import { capacityProviderName, ENV_OUTPUT, envExport } from '../../src/naming';
import { example, rawExample, variants } from './fixtures';

type Res = { Type: string; Properties: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resources = (t: CfnTemplate) => t.Resources as Record<string, Res>;
const outputs = (t: CfnTemplate) => t.Outputs as Record<string, { Value: any; Export?: { Name: string } }>;
const ofType = (t: CfnTemplate, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);
/** Every Fn::ImportValue name in a template. */
function imports(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => imports(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, val] of Object.entries(node)) {
      if (k === 'Fn::ImportValue' && typeof val === 'string') out.push(val);
      else imports(val, out);
    }
  }
  return out;
}
/** Every export name a cluster template publishes. */
const exportsOf = (t: CfnTemplate) => new Set(Object.values(outputs(t)).map((o) => o.Export?.Name));

const config = example();
const v = variants();

/** One environment "flip" rendered with TLS off and on (a created certificate in an existing zone). */
function tlsPair() {
  const render = (tls: unknown) => {
    const raw = rawExample();
    raw.environments = {
      flip: { ...raw.environments.staging, dns: { domain: 'flip.acme.dev', hostedZoneId: 'Z0FLIP' }, tls },
    };
    return parseConfig(raw, 'flip.json');
  };
  return { off: render(undefined), on: render({ create: true }) };
}

describe('cluster: name servers of a created zone', () => {
  it('outputs and exports NameServers, comma-joined from the zone, only when the stack creates the zone', () => {
    const t = renderCluster(v, 'zone');
    expect(resources(t).HostedZone).toBeDefined();
    expect(outputs(t).NameServers).toEqual({
      Value: { 'Fn::Join': [',', { 'Fn::GetAtt': ['HostedZone', 'NameServers'] }] },
      Export: { Name: envExport('acme', 'zone', ENV_OUTPUT.nameServers) },
    });
    for (const [c, env] of [[config, 'production'], [v, 'imported'], [v, 'nodb']] as const) {
      const given = renderCluster(c, env);
      expect(resources(given).HostedZone).toBeUndefined();
      expect(outputs(given).NameServers).toBeUndefined();
    }
  });
});

describe('apps: REDIS_URL when the environment has Redis', () => {
  it('every process of every app gets REDIS_URL from the RedisEndpoint export the cluster publishes, on 6379', () => {
    const cluster = renderCluster(config, 'production');
    const endpoint = outputs(cluster)[ENV_OUTPUT.redisEndpoint];
    expect(endpoint.Value).toEqual({ 'Fn::GetAtt': ['RedisReplicationGroup', 'PrimaryEndPoint.Address'] });
    for (const app of ['shop', 'api', 'docs', 'blog']) {
      const t = renderApp(config, 'production', app, { port: 20010 });
      const tds = ofType(t, 'AWS::ECS::TaskDefinition');
      expect(tds.length).toBeGreaterThan(0);
      for (const [, td] of tds) {
        const env = td.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[];
        expect(env.filter((e) => e.Name === 'REDIS_URL')).toEqual([
          { Name: 'REDIS_URL', Value: { 'Fn::Join': ['', ['rediss://', { 'Fn::ImportValue': endpoint.Export!.Name }, ':6379']] } },
        ]);
        expect(env.map((e) => e.Name)).toEqual([...env.map((e) => e.Name)].sort());
      }
    }
  });
  it('no REDIS_URL without Redis', () => {
    expect(JSON.stringify(renderApp(config, 'staging', 'shop', { port: 20010 }))).not.toContain('REDIS_URL');
  });
});

describe('listener exports stay importable when TLS is switched on', () => {
  const { off, on } = tlsPair();
  const clusterOff = renderCluster(off, 'flip');
  const clusterOn = renderCluster(on, 'flip');
  const appOff = renderApp(off, 'flip', 'shop', { port: 20003 });
  const appOn = renderApp(on, 'flip', 'shop', { port: 20003 });
  const ruleListener = (t: CfnTemplate) => ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule')[0][1].Properties.ListenerArn;

  it('apps import HttpListenerArn without TLS and HttpsListenerArn with it, never AppListenerArn', () => {
    expect(ruleListener(appOff)).toEqual({ 'Fn::ImportValue': envExport('acme', 'flip', ENV_OUTPUT.httpListenerArn) });
    expect(ruleListener(appOn)).toEqual({ 'Fn::ImportValue': envExport('acme', 'flip', ENV_OUTPUT.httpsListenerArn) });
    for (const t of [appOff, appOn]) expect(imports(t)).not.toContain(envExport('acme', 'flip', ENV_OUTPUT.appListenerArn));
  });
  it('every export an app imports has the same value with TLS off and on (so the cluster update is allowed)', () => {
    for (const [app, cluster] of [[appOff, clusterOff], [appOn, clusterOn]] as const) {
      for (const name of imports(app)) expect(exportsOf(cluster)).toContain(name);
    }
    const byExport = (t: CfnTemplate) => Object.fromEntries(Object.values(outputs(t)).map((o) => [o.Export!.Name, o.Value]));
    const before = byExport(clusterOff);
    const after = byExport(clusterOn);
    for (const name of new Set(imports(appOff))) expect({ name, value: after[name] }).toEqual({ name, value: before[name] });
    expect(outputs(clusterOn).HttpsListenerArn.Value).toEqual({ Ref: 'HttpsListener' });
    expect(outputs(clusterOff).HttpsListenerArn).toBeUndefined();
  });
  it('the HTTP listener keeps its logical id and every property but its default action', () => {
    const a = resources(clusterOff).HttpListener;
    const b = resources(clusterOn).HttpListener;
    expect(b.Type).toBe(a.Type);
    const { DefaultActions: da, ...restA } = a.Properties;
    const { DefaultActions: db, ...restB } = b.Properties;
    expect(restB).toEqual(restA);
    expect(da[0].Type).toBe('fixed-response');
    expect(db[0].Type).toBe('redirect');
  });
});

describe('RDS', () => {
  it('the DB instance is always snapshotted on delete and on replacement, with or without deletion protection', () => {
    const envs = [[config, 'staging'], [config, 'production'], [v, 'pinned']] as const;
    for (const [c, env] of envs) {
      const [[, db]] = ofType(renderCluster(c, env), 'AWS::RDS::DBInstance');
      expect({ env, d: db.DeletionPolicy, u: db.UpdateReplacePolicy }).toEqual({ env, d: 'Snapshot', u: 'Snapshot' });
    }
    expect(config.environments.staging.database).toMatchObject({ deletionProtection: false });
  });
});

describe('IAM for Secrets Manager ARNs given in config', () => {
  it('app secrets: the given ARN and the ARN with the six-character suffix, for partial ARNs', () => {
    const raw = rawExample();
    raw.apps.shop.secrets = {
      PARTIAL: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/partial',
      KEYED: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/keyed-AbCdEf:token::',
    };
    const t = renderApp(parseConfig(raw, 'secrets.json'), 'staging', 'shop', { port: 20000 });
    const [stmt] = resources(t).ExecutionRole.Properties.Policies[0].PolicyDocument.Statement;
    expect(stmt.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/partial',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/partial-??????',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/keyed-AbCdEf',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/keyed-AbCdEf-??????',
        // the app's own database secret keeps its pattern
        { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:cyclops/acme/staging/shop/database-??????' },
      ]),
    );
  });
  it('an external database admin secret: the given ARN and the suffix pattern', () => {
    const role = resources(renderCluster(v, 'imported')).DbAdminTaskExecutionRole.Properties;
    const [stmt] = role.Policies[0].PolicyDocument.Statement;
    const admin = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/pg-admin-AbCdEf';
    expect(stmt.Resource.slice(0, 2)).toEqual([admin, `${admin}-??????`]);
  });
});

describe('EC2 capacity', () => {
  it('the Auto Scaling group depends on the ECS cluster and every private default route', () => {
    const prod = renderCluster(config, 'production');
    const [[, asg]] = ofType(prod, 'AWS::AutoScaling::AutoScalingGroup');
    expect(asg.DependsOn).toEqual(['Cluster', 'PrivateDefaultRoute1', 'PrivateDefaultRoute2', 'PrivateDefaultRoute3']);
    for (const id of asg.DependsOn as string[]) expect(resources(prod)[id]).toBeDefined();
    const [[, nodbAsg]] = ofType(renderCluster(v, 'nodb'), 'AWS::AutoScaling::AutoScalingGroup');
    expect(nodbAsg.DependsOn).toEqual(['Cluster', 'PrivateDefaultRoute1', 'PrivateDefaultRoute2']);
  });
  it('with an imported VPC it depends on the cluster only', () => {
    const raw = rawExample();
    raw.environments = {
      ec2imp: {
        ...raw.environments.production,
        network: { vpcId: 'vpc-0abc1234', publicSubnets: ['subnet-0aaa1111', 'subnet-0bbb2222'], privateSubnets: ['subnet-0ccc3333', 'subnet-0ddd4444'] },
      },
    };
    const [[, asg]] = ofType(renderCluster(parseConfig(raw, 'ec2imp.json'), 'ec2imp'), 'AWS::AutoScaling::AutoScalingGroup');
    expect(asg.DependsOn).toEqual(['Cluster']);
  });
  it('the capacity provider has an explicit name that does not start with aws, ecs or fargate', () => {
    const [[, cp]] = ofType(renderCluster(config, 'production'), 'AWS::ECS::CapacityProvider');
    expect(cp.Properties.Name).toBe(capacityProviderName('acme', 'production'));
    expect(cp.Properties.Name).toBe('cyclops-acme-production');
    for (const platform of ['ecs', 'aws-prod', 'fargate']) expect(capacityProviderName(platform, 'x')).not.toMatch(/^(aws|ecs|fargate)/i);
  });
});

describe('web service', () => {
  it('has a 60-second health check grace period', () => {
    expect(resources(renderApp(config, 'staging', 'shop', { port: 20000 })).WebService.Properties.HealthCheckGracePeriodSeconds).toBe(60);
  });
});

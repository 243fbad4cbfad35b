/**
 * The environment (cluster) stack: network, ECS cluster and capacity, the load balancer
 * and its listeners, security groups (only the load balancer reaches tasks), the Route 53
 * zone and certificate, data services, and the Outputs app stacks import.
 */
import { ENV_OUTPUT, envExport, fqdn, internalNamespace, type EnvOutputKey } from '../src/naming';
import type { EnvironmentConfig } from '../src/config/model';
import { accessLogAttributes, accessLogBucket } from './access-logs';
import { AMI_PARAMETER, amiParameter, computeCapacity } from './capacity';
import { instanceArch } from '../src/config/instances';
import { GROUP_DESCRIPTION } from './descriptions';
import { dataServices } from './data';
import { network } from './network';
import { emailResources } from './email';
import { notificationResources } from './env-notifications';
import { getAtt, join, keep, output, ref, tagged, type Output, type Parameter, type Resource, type Template, type Value } from './cfn';

export interface ClusterInput {
  platform: string;
  /** The environment's region (its own, else the platform's): it decides who delivers load-balancer access logs. */
  region: string;
  env: EnvironmentConfig;
  /**
   * The zone an earlier stack of this environment kept (config names none): used instead of
   * creating a second one, so the parent's delegation to its name servers stays valid
   * (src/ops/adopt.ts). Recorded in the template's Metadata so later updates keep it.
   */
  adoptedZone?: AdoptedZone;
}

export interface AdoptedZone {
  id: string;
  nameServers: string[];
}

/** The template Metadata key that records an adopted zone. */
export const ADOPTED_ZONE_METADATA = 'CyclopsAdoptedHostedZone';

/** Modern TLS only (TLS 1.3 and 1.2). */
export const SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

const notFound = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no app at this host' } };

function ingressAnywhere(port: number): Value {
  return { IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: '0.0.0.0/0', Description: `public ${port === 443 ? 'HTTPS' : 'HTTP'}` };
}

function loadBalancer(input: ClusterInput, net: ReturnType<typeof network>, zoneId: Value): Record<string, Resource> {
  const ids = { platform: input.platform, env: input.env.name };
  const { tls, dns } = input.env;
  const https = tls.mode !== 'none';
  const r: Record<string, Resource> = {
    AlbSecurityGroup: tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.loadBalancer,
      VpcId: net.vpcId,
      SecurityGroupIngress: https ? [ingressAnywhere(80), ingressAnywhere(443)] : [ingressAnywhere(80)],
    }),
    ServiceSecurityGroup: tagged('AWS::EC2::SecurityGroup', ids, {
      GroupDescription: GROUP_DESCRIPTION.service,
      VpcId: net.vpcId,
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 1, ToPort: 65535, SourceSecurityGroupId: getAtt('AlbSecurityGroup', 'GroupId'), Description: 'load balancer' },
      ],
    }),
    LoadBalancer: {
      ...tagged('AWS::ElasticLoadBalancingV2::LoadBalancer', ids, {
        Type: 'application',
        Scheme: 'internet-facing',
        Subnets: net.publicSubnets,
        SecurityGroups: [getAtt('AlbSecurityGroup', 'GroupId')],
        LoadBalancerAttributes: [
          { Key: 'idle_timeout.timeout_seconds', Value: '60' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          ...accessLogAttributes(),
        ],
      }),
      // The load balancer checks that it may write its access logs when they are switched on.
      DependsOn: [...(net.resources.VpcGatewayAttachment ? ['VpcGatewayAttachment'] : []), 'LogBucketPolicy'],
    },
    HttpListener: {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        LoadBalancerArn: ref('LoadBalancer'),
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          https ? { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } } : notFound,
        ],
      },
    },
  };
  if (tls.mode === 'create') {
    const wildcard = `*.${dns.domain}`;
    r.Certificate = tagged('AWS::CertificateManager::Certificate', ids, {
      DomainName: wildcard,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: wildcard, HostedZoneId: zoneId }],
    });
  }
  if (https) {
    r.HttpsListener = {
      Type: 'AWS::ElasticLoadBalancingV2::Listener',
      Properties: {
        LoadBalancerArn: ref('LoadBalancer'),
        Port: 443,
        Protocol: 'HTTPS',
        SslPolicy: SSL_POLICY,
        Certificates: [{ CertificateArn: tls.mode === 'certificate' ? tls.certificateArn : ref('Certificate') }],
        DefaultActions: [notFound],
      },
    };
  }
  return r;
}

export function clusterTemplate(input: ClusterInput): Template {
  const { platform, env } = input;
  const ids = { platform, env: env.name };
  const net = network(ids, env.network);
  const adopted = env.dns.hostedZoneId ? undefined : input.adoptedZone;
  const zoneId: Value = env.dns.hostedZoneId ?? adopted?.id ?? ref('HostedZone');
  const resources: Record<string, Resource> = { ...net.resources };
  if (!env.dns.hostedZoneId && !adopted) {
    // Delegated from its parent by hand: deleting or replacing it would break the domain.
    resources.HostedZone = keep(tagged('AWS::Route53::HostedZone', ids, { Name: fqdn(env.dns.domain) }, 'HostedZoneTags'));
  }
  Object.assign(resources, accessLogBucket(ids, input.region));
  // EC2 instances boot into the private subnets: they need the NAT route to register with the
  // cluster, and on delete the Auto Scaling group must go before the cluster and the routes.
  const privateRoutes = Object.keys(net.resources).filter((id) => /^PrivateDefaultRoute\d+$/.test(id));
  Object.assign(
    resources,
    computeCapacity({
      ids,
      capacity: env.capacity,
      vpcId: net.vpcId,
      privateSubnets: net.privateSubnets,
      privateRoutes,
      containerInsights: env.containerInsights,
    }),
  );
  Object.assign(resources, loadBalancer(input, net, zoneId));
  const data = dataServices({
    ids,
    database: env.database,
    redis: env.redis,
    vpcId: net.vpcId,
    privateSubnets: net.privateSubnets,
    serviceSecurityGroup: 'ServiceSecurityGroup',
  });
  Object.assign(resources, data.resources);
  // Internal services of the apps register here (Cloud Map): <app>-<process>.<env>.internal.
  resources.InternalNamespace = tagged('AWS::ServiceDiscovery::PrivateDnsNamespace', ids, {
    Name: internalNamespace(env.name),
    Description: `internal services of environment ${env.name}`,
    Vpc: net.vpcId,
  });

  const email = env.email ? emailResources({ ids, region: input.region, email: env.email, zoneId }) : null;
  if (email) Object.assign(resources, email.resources);
  const notifications = env.notifications ? notificationResources(ids, env.notifications) : null;
  if (notifications) Object.assign(resources, notifications.resources);

  const https = env.tls.mode !== 'none';
  const values: Partial<Record<EnvOutputKey, Value | undefined>> = {
    clusterName: ref('Cluster'),
    clusterArn: getAtt('Cluster', 'Arn'),
    vpcId: net.vpcId,
    publicSubnets: join(',', net.publicSubnets),
    privateSubnets: join(',', net.privateSubnets),
    serviceSecurityGroup: getAtt('ServiceSecurityGroup', 'GroupId'),
    loadBalancerArn: ref('LoadBalancer'),
    loadBalancerDnsName: getAtt('LoadBalancer', 'DNSName'),
    loadBalancerHostedZoneId: getAtt('LoadBalancer', 'CanonicalHostedZoneID'),
    // For humans and older app stacks; its value changes when TLS is switched on, so app
    // templates import HttpListenerArn or HttpsListenerArn instead (each stable while it exists).
    appListenerArn: ref(https ? 'HttpsListener' : 'HttpListener'),
    https: String(https),
    hostedZoneId: zoneId,
    domain: env.dns.domain,
    ...data.outputs,
    nameServers: env.dns.hostedZoneId ? undefined : adopted ? adopted.nameServers.join(',') || undefined : join(',', getAtt('HostedZone', 'NameServers')),
    httpListenerArn: ref('HttpListener'),
    httpsListenerArn: https ? ref('HttpsListener') : undefined,
    accessLogBucket: ref('LogBucket'),
    loadBalancerFullName: getAtt('LoadBalancer', 'LoadBalancerFullName'),
    internalNamespaceId: ref('InternalNamespace'), // Ref is the namespace id
    ...email?.outputs,
    notificationTopicArn: notifications?.topicArn,
  };
  const outputs: Record<string, Output> = {};
  for (const [key, name] of Object.entries(ENV_OUTPUT) as [EnvOutputKey, string][]) {
    const v = values[key];
    if (v !== undefined) outputs[name] = output(v, envExport(platform, env.name, name));
  }
  const parameters: Record<string, Parameter> = env.capacity.type === 'ec2' ? { [AMI_PARAMETER]: amiParameter(instanceArch(env.capacity.instanceType)) } : {};
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `cyclops environment ${env.name} of platform ${platform}: network, ECS cluster, load balancer, DNS and database`,
    ...(adopted ? { Metadata: { [ADOPTED_ZONE_METADATA]: { HostedZoneId: adopted.id, NameServers: adopted.nameServers } } } : {}),
    ...(Object.keys(parameters).length ? { Parameters: parameters } : {}),
    Resources: resources,
    Outputs: outputs,
  };
}

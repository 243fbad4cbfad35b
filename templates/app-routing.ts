/**
 * How traffic reaches an app: the web process through the load balancer (target group, host
 * rule, optional source-IP allow list with a 403 rule behind it, alias record), and internal
 * processes through Cloud Map names in the environment's private namespace. Pure.
 */
import { appHost, discoveryService, fqdn, type EnvOutputKey, type Ids } from '../src/naming';
import type { ProcessConfig } from '../src/config/model';
import { pascalName } from '../src/config/rules-processes';
import { getAtt, ref, tagged, type Resource, type Value } from './cfn';

export const HEALTH_CHECK = { interval: 10, timeout: 5, healthy: 2, unhealthy: 3 };
export const DEREGISTRATION_DELAY_SECONDS = 15;
export const TARGET_GROUP_PORT = 80;
/** Cloud Map A records: short, so replaced tasks are found quickly. */
export const DISCOVERY_TTL_SECONDS = 10;

type Import = (key: EnvOutputKey) => Value;

export interface WebRoutingInput {
  ids: Ids & { app: string };
  domain: string;
  https: boolean;
  healthCheckPath: string;
  /** the listener-rule priority (the app's port) */
  priority: number;
  /** source CIDRs let through; empty: everyone */
  allow: string[];
  /** the priority of the 403 rule behind an allow list */
  denyPriority?: number;
  /**
   * With custom domains: the host names in groups of one rule each (APP.<domain> first) and
   * each group's forward and 403 priorities. Absent: one rule for APP.<domain>.
   */
  rules?: { hosts: string[][]; forward: number[]; deny: number[] };
}

/** A web target group: ip targets, health-checked at the app's path. Blue/green adds a second one alike. */
export function webTargetGroup(ids: Ids & { app: string }, healthCheckPath: string, imp: Import): Resource {
  return tagged('AWS::ElasticLoadBalancingV2::TargetGroup', ids, {
    TargetType: 'ip',
    Protocol: 'HTTP',
    // Create-only, and ECS registers each task at its container port anyway: a constant, so a
    // new web port does not replace the target group.
    Port: TARGET_GROUP_PORT,
    VpcId: imp('vpcId'),
    HealthCheckEnabled: true,
    HealthCheckProtocol: 'HTTP',
    HealthCheckPath: healthCheckPath,
    HealthCheckIntervalSeconds: HEALTH_CHECK.interval,
    HealthCheckTimeoutSeconds: HEALTH_CHECK.timeout,
    HealthyThresholdCount: HEALTH_CHECK.healthy,
    UnhealthyThresholdCount: HEALTH_CHECK.unhealthy,
    Matcher: { HttpCode: '200-399' },
    TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(DEREGISTRATION_DELAY_SECONDS) }],
  });
}

/** Rule 0 keeps its logical id; rule i (from 0) is WebListenerRule<i+1> / WebDenyRule<i+1>. */
const ruleId = (base: string, i: number) => (i === 0 ? base : `${base}${i + 1}`);

/** Target group, host-header listener rule (priority = port) and the alias record APP.<domain>. */
export function webRouting(input: WebRoutingInput, imp: Import): Record<string, Resource> {
  const host = appHost(input.ids.app, input.domain);
  // Not AppListenerArn: its value changes when TLS is switched on, and an imported
  // export cannot change. Each of these keeps its value for as long as it exists.
  const listener = imp(input.https ? 'httpsListenerArn' : 'httpListenerArn');
  const rules = input.rules ?? { hosts: [[host]], forward: [input.priority], deny: input.denyPriority === undefined ? [] : [input.denyPriority] };
  const r: Record<string, Resource> = {
    WebTargetGroup: webTargetGroup(input.ids, input.healthCheckPath, imp),
    WebDnsRecord: {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: imp('hostedZoneId'),
        Name: fqdn(host),
        Type: 'A',
        AliasTarget: { DNSName: imp('loadBalancerDnsName'), HostedZoneId: imp('loadBalancerHostedZoneId'), EvaluateTargetHealth: false },
      },
    },
  };
  rules.hosts.forEach((hosts, i) => {
    const hostCondition = { Field: 'host-header', HostHeaderConfig: { Values: hosts } };
    r[ruleId('WebListenerRule', i)] = {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
      Properties: {
        ListenerArn: listener,
        Priority: rules.forward[i],
        Conditions: input.allow.length ? [hostCondition, { Field: 'source-ip', SourceIpConfig: { Values: input.allow } }] : [hostCondition],
        Actions: [{ Type: 'forward', TargetGroupArn: ref('WebTargetGroup') }],
      },
    };
    if (input.allow.length) {
      // Evaluated after the allow rule: the same hosts from anywhere else get 403.
      r[ruleId('WebDenyRule', i)] = {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: {
          ListenerArn: listener,
          Priority: rules.deny[i],
          Conditions: [hostCondition],
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'forbidden' } }],
        },
      };
    }
  });
  return r;
}

export const discoveryId = (p: ProcessConfig) => `${pascalName(p.name)}Discovery`;

/** The Cloud Map service <app>-<process> in <env>.internal: A records of the running tasks. */
export function discoveryResource(ids: Ids & { app: string }, p: ProcessConfig, imp: Import): Record<string, Resource> {
  return {
    [discoveryId(p)]: tagged('AWS::ServiceDiscovery::Service', ids, {
      Name: discoveryService(ids.app, p.name),
      Description: `${p.name} of ${ids.app}, port ${p.port}`,
      NamespaceId: imp('internalNamespaceId'),
      DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: DISCOVERY_TTL_SECONDS }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  };
}

/** ECS registers each task of the service in its Cloud Map service. */
export const serviceRegistries = (p: ProcessConfig): Value => [{ RegistryArn: getAtt(discoveryId(p), 'Arn') }];

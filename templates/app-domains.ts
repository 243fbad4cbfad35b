/**
 * An app's custom domains in its stack (zones in this account): one ACM certificate for them,
 * validated through DNS records ACM adds to each domain's zone (DomainValidationOptions with
 * HostedZoneId), attached to the environment's HTTPS listener as an additional certificate
 * (SNI), and A and AAAA alias records to the load balancer, apex names included. The listener
 * rules are in app-routing.ts. Pure.
 *
 * Domains whose zone is elsewhere get their certificate outside the stack: `cyclops domains`
 * requests it (a stack resource would hold the stack in CREATE_IN_PROGRESS until someone
 * creates the validation records at another DNS provider). The stack takes it once ACM has
 * issued it, through the ExternalCertificateArn parameter: empty, no listener certificate; an
 * ARN, a second ListenerCertificate. The parameter exists only when the app has such domains on
 * HTTPS, so every other template is what it was.
 *
 * Sources: DomainValidationOption (HostedZoneId makes ACM add the validation CNAME)
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-certificatemanager-certificate-domainvalidationoption.html;
 * AWS::ElasticLoadBalancingV2::ListenerCertificate (certificates besides the listener's default)
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenercertificate.html;
 * alias records to a load balancer (A and AAAA, apex allowed)
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html.
 */
import { createHash } from 'node:crypto';
import type { ResolvedDomain } from '../src/config/domains';
import { fqdn, type EnvOutputKey, type Ids } from '../src/naming';
import { ref, tagged, type Parameter, type Resource, type Value } from './cfn';

type Import = (key: EnvOutputKey) => Value;

export const DOMAIN_CERTIFICATE = 'DomainCertificate';
export const DOMAIN_LISTENER_CERTIFICATE = 'DomainListenerCertificate';
export const EXTERNAL_CERTIFICATE_PARAMETER = 'ExternalCertificateArn';
export const EXTERNAL_LISTENER_CERTIFICATE = 'ExternalListenerCertificate';
const HAS_EXTERNAL_CERTIFICATE = 'HasExternalCertificate';

/** Whether the app stack takes an external certificate: domains whose zone is elsewhere, on HTTPS. */
export const takesExternalCertificate = (domains: ResolvedDomain[], https: boolean) => https && domains.some((d) => d.zone === null);

/** The ExternalCertificateArn parameter, its condition and the listener certificate it adds when set. */
export function externalCertificate(domains: ResolvedDomain[], https: boolean, imp: Import): { parameters: Record<string, Parameter>; conditions: Record<string, Value>; resources: Record<string, Resource> } {
  if (!takesExternalCertificate(domains, https)) return { parameters: {}, conditions: {}, resources: {} };
  const names = domains.filter((d) => d.zone === null).map((d) => d.name);
  return {
    parameters: {
      [EXTERNAL_CERTIFICATE_PARAMETER]: {
        Type: 'String',
        Default: '',
        AllowedPattern: '^(arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[a-f0-9-]+)?$',
        Description: `the issued ACM certificate for ${names.join(', ')} (cyclops domains); empty until then`,
      },
    },
    conditions: { [HAS_EXTERNAL_CERTIFICATE]: { 'Fn::Not': [{ 'Fn::Equals': [ref(EXTERNAL_CERTIFICATE_PARAMETER), ''] }] } },
    resources: {
      [EXTERNAL_LISTENER_CERTIFICATE]: {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate',
        Condition: HAS_EXTERNAL_CERTIFICATE,
        Properties: { ListenerArn: imp('httpsListenerArn'), Certificates: [{ CertificateArn: ref(EXTERNAL_CERTIFICATE_PARAMETER) }] },
      },
    },
  };
}

/** A stable logical id per domain name: its labels in PascalCase and a short hash of the exact name. */
export function domainId(name: string): string {
  const words = name.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return `Domain${words.slice(0, 180)}${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

export function domainResources(ids: Ids & { app: string }, domains: ResolvedDomain[], https: boolean, imp: Import): Record<string, Resource> {
  const inAccount = domains.filter((d) => d.zone !== null);
  if (!inAccount.length) return {};
  const zone = (d: ResolvedDomain): Value => (d.zone === 'env' ? imp('hostedZoneId') : d.zone!);
  const r: Record<string, Resource> = {};
  if (https) {
    const [first, ...rest] = inAccount;
    r[DOMAIN_CERTIFICATE] = tagged('AWS::CertificateManager::Certificate', ids, {
      DomainName: first.name,
      ...(rest.length ? { SubjectAlternativeNames: rest.map((d) => d.name) } : {}),
      ValidationMethod: 'DNS',
      DomainValidationOptions: inAccount.map((d) => ({ DomainName: d.name, HostedZoneId: zone(d) })),
    });
    r[DOMAIN_LISTENER_CERTIFICATE] = {
      Type: 'AWS::ElasticLoadBalancingV2::ListenerCertificate',
      Properties: { ListenerArn: imp('httpsListenerArn'), Certificates: [{ CertificateArn: ref(DOMAIN_CERTIFICATE) }] },
    };
  }
  for (const d of inAccount) {
    for (const type of ['A', 'AAAA'] as const) {
      r[`${domainId(d.name)}${type}`] = {
        Type: 'AWS::Route53::RecordSet',
        Properties: {
          HostedZoneId: zone(d),
          Name: fqdn(d.name),
          Type: type,
          AliasTarget: { DNSName: imp('loadBalancerDnsName'), HostedZoneId: imp('loadBalancerHostedZoneId'), EvaluateTargetHealth: false },
        },
      };
    }
  }
  return r;
}

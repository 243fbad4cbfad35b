/**
 * A Route 53 zone made in moto before an environment uses it as its existing zone
 * (dns.hostedZoneId). moto cannot resolve GetAtt HostedZone.NameServers, which the cluster
 * template outputs for a zone it creates itself, so environments in moto use existing zones.
 */
import type { Aws } from '../../src/aws/client';

export async function createZone(aws: Aws, domain: string): Promise<string> {
  const out = await aws.route53.send(
    new aws.sdk.route53.CreateHostedZoneCommand({ Name: `${domain}.`, CallerReference: `${domain}-${Date.now()}-${Math.random()}` }),
  );
  return out.HostedZone!.Id!.replace('/hostedzone/', '');
}

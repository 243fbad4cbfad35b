/**
 * Route 53, in cyclops's own types: the alias record a custom domain in a zone of the account
 * has (status shows whether its DNS points at the load balancer). ListResourceRecordSets starts
 * at the given name and type and lists in order, so one page of one record answers
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html.
 */
import type { Aws } from './client';
import { callOr } from './call';
import { awsErrorName } from './errors';

const dot = (name: string) => (name.endsWith('.') ? name : `${name}.`);

/** The alias target (DNS name, lower case, no final dot) of NAME's A record in the zone; null when there is none or the zone is gone. */
export async function aliasTarget(aws: Aws, zoneId: string, name: string): Promise<string | null> {
  const out = await callOr(
    aws,
    `read the A record of ${name} in hosted zone ${zoneId}`,
    () => aws.route53.send(new aws.sdk.route53.ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: dot(name), StartRecordType: 'A', MaxItems: 1 })),
    (e) => (awsErrorName(e) === 'NoSuchHostedZone' ? null : undefined),
  );
  const r = out?.ResourceRecordSets?.[0];
  if (!r || r.Name?.toLowerCase() !== dot(name).toLowerCase() || r.Type !== 'A' || !r.AliasTarget?.DNSName) return null;
  return r.AliasTarget.DNSName.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
}

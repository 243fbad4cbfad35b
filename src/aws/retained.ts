/**
 * What an earlier stack left behind on purpose (DeletionPolicy Retain), looked up by name before
 * a new stack is created or a resource is added back: log groups, ECR repositories and public
 * hosted zones. Reads only.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { describeRepository } from './ecr';
import { awsErrorName } from './errors';

/** Whether the log group named exactly `name` exists (DescribeLogGroups lists by prefix). */
export async function logGroupExists(aws: Aws, name: string): Promise<boolean> {
  let token: string | undefined;
  do {
    const out = await call(aws, `describe log group ${name}`, () =>
      aws.logs.send(new aws.sdk.logs.DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken: token })),
    );
    if ((out.logGroups ?? []).some((g) => g.logGroupName === name)) return true;
    token = out.nextToken;
  } while (token);
  return false;
}

export async function repositoryExists(aws: Aws, name: string): Promise<boolean> {
  return (await describeRepository(aws, name)) !== null;
}

export interface ZoneRow {
  /** the zone id without its "/hostedzone/" prefix */
  id: string;
  tags: Record<string, string>;
}

const dot = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
const bareId = (id: string) => id.replace(/^\/hostedzone\//, '');

/**
 * The public hosted zones named exactly `domain`, with their tags. ListHostedZonesByName lists
 * zones in name order from `DNSName`, so the pages stop at the first other name
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html);
 * ListTagsForResources takes at most 10 zones a call.
 */
export async function publicZonesNamed(aws: Aws, domain: string): Promise<ZoneRow[]> {
  const ids: string[] = [];
  let next: { DNSName?: string; HostedZoneId?: string } = { DNSName: dot(domain) };
  for (;;) {
    const out = await call(aws, `list the hosted zones named ${domain}`, () => aws.route53.send(new aws.sdk.route53.ListHostedZonesByNameCommand({ ...next, MaxItems: 100 })));
    const zones = out.HostedZones ?? [];
    for (const z of zones) if (z.Name && dot(z.Name) === dot(domain) && !z.Config?.PrivateZone && z.Id) ids.push(bareId(z.Id));
    const past = zones.some((z) => z.Name && dot(z.Name) !== dot(domain));
    if (!out.IsTruncated || past || !out.NextDNSName) break;
    next = { DNSName: out.NextDNSName, HostedZoneId: out.NextHostedZoneId };
  }
  const rows: ZoneRow[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = ids.slice(i, i + 10);
    const out = await call(aws, `read the tags of hosted zones ${batch.join(', ')}`, () =>
      aws.route53.send(new aws.sdk.route53.ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds: batch })),
    );
    const byId = new Map((out.ResourceTagSets ?? []).map((s) => [bareId(s.ResourceId ?? ''), Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))]));
    for (const id of batch) rows.push({ id, tags: byId.get(id) ?? {} });
  }
  return rows;
}

/** The name servers Route 53 gave the zone (its delegation set); null when the zone does not exist. */
export async function zoneNameServers(aws: Aws, zoneId: string): Promise<string[] | null> {
  const out = await callOr(
    aws,
    `read hosted zone ${zoneId}`,
    () => aws.route53.send(new aws.sdk.route53.GetHostedZoneCommand({ Id: zoneId })),
    (e) => (awsErrorName(e) === 'NoSuchHostedZone' ? null : undefined),
  );
  return out ? (out.DelegationSet?.NameServers ?? []) : null;
}

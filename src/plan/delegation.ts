/**
 * The delegation of a zone an environment created, as the exact record to create in its parent
 * zone: an NS record set of the zone's name servers. cyclops cannot write it when the parent
 * zone is in another account than the environment (its own account lives apart from the
 * platform's, where the parent zone usually is), so it prints it in the three forms people paste:
 * a zone-file line per server, and the Route 53 change batch for
 * `aws route53 change-resource-record-sets`.
 */

/** Two days: the TTL the parent zones of Route 53 (and the .com registry) give NS delegations. */
export const DELEGATION_TTL = 172800;

export interface Delegation {
  /** the zone the record goes into: the domain's parent */
  parent: string;
  record: { name: string; type: 'NS'; ttl: number; values: string[] };
  /** one zone-file line per name server */
  zoneFile: string[];
  /** the Route 53 change batch (UPSERT) */
  changeBatch: { Changes: { Action: 'UPSERT'; ResourceRecordSet: { Name: string; Type: 'NS'; TTL: number; ResourceRecords: { Value: string }[] } }[] };
  /** the command that creates it in the parent zone (its id replaces PARENT_ZONE_ID) */
  command: string;
}

const dot = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export function delegation(domain: string, nameServers: string[]): Delegation {
  const name = dot(domain);
  const values = nameServers.map(dot);
  const parent = domain.split('.').slice(1).join('.');
  const changeBatch = { Changes: [{ Action: 'UPSERT' as const, ResourceRecordSet: { Name: name, Type: 'NS' as const, TTL: DELEGATION_TTL, ResourceRecords: values.map((Value) => ({ Value })) } }] };
  return {
    parent,
    record: { name, type: 'NS', ttl: DELEGATION_TTL, values },
    zoneFile: values.map((v) => `${name} ${DELEGATION_TTL} IN NS ${v}`),
    changeBatch,
    command: `aws route53 change-resource-record-sets --hosted-zone-id PARENT_ZONE_ID --change-batch '${JSON.stringify(changeBatch)}'`,
  };
}

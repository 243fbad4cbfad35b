/**
 * Network changes on a live environment, judged from config before any change set: the
 * rendered VPC and subnet CIDRs against the live stack's template (GetTemplate). A subnet
 * whose CIDR changes, or that disappears, would be replaced or deleted with everything in it,
 * so the update stops and names the config key that changed and how to keep the old network.
 * Pure.
 */
import { usageError, type CyclopsError } from '../errors';
import { splitCidr } from '../../templates/network';

type Resources = Record<string, { Type?: string; Properties?: { CidrBlock?: unknown } }>;

interface Net {
  vpc?: string;
  /** subnet logical id → CIDR */
  subnets: Map<string, string>;
}

function netOf(body: string): Net {
  const resources: Resources = (JSON.parse(body) as { Resources?: Resources }).Resources ?? {};
  const subnets = new Map<string, string>();
  let vpc: string | undefined;
  for (const [id, r] of Object.entries(resources)) {
    const cidr = r.Properties?.CidrBlock;
    if (typeof cidr !== 'string') continue;
    if (r.Type === 'AWS::EC2::VPC') vpc = cidr;
    if (r.Type === 'AWS::EC2::Subnet') subnets.set(id, cidr);
  }
  return { vpc, subnets };
}

const zonesOf = (n: Net) => [...n.subnets.keys()].filter((id) => id.startsWith('PublicSubnet')).length;
const list = (ids: string[]) => ids.sort().join(', ');

/** null when the new template keeps every live subnet as it is; else the refusal. */
export function networkChange(env: string, liveBody: string, nextBody: string): CyclopsError | null {
  const live = netOf(liveBody);
  const next = netOf(nextBody);
  if (!live.vpc || !next.vpc) return null; // an imported VPC on either side: nothing of ours to replace
  const head = `environment ${env}: the update would replace the live network`;
  if (live.vpc !== next.vpc) {
    return usageError(`${head} (network.cidr changed from ${live.vpc} to ${next.vpc}: the VPC and every subnet would be replaced); nothing was changed; set network.cidr back to "${live.vpc}"`);
  }
  const moved = [...live.subnets].filter(([id, cidr]) => next.subnets.has(id) && next.subnets.get(id) !== cidr).map(([id]) => id);
  const gone = [...live.subnets.keys()].filter((id) => !next.subnets.has(id));
  if (!moved.length && !gone.length) return null;
  const zones = zonesOf(live);
  const legacy = splitCidr(live.vpc, zones * 2);
  const wasLegacy = Array.from({ length: zones }, (_, i) => live.subnets.get(`PublicSubnet${i + 1}`) === legacy[i] && live.subnets.get(`PrivateSubnet${i + 1}`) === legacy[zones + i]).every(Boolean);
  if (moved.length && wasLegacy && zones === zonesOf(next)) {
    return usageError(`${head} (network.layout: subnets ${list(moved)} were split the legacy way, the config renders the slot layout); nothing was changed; set network.layout to "legacy" for this environment, which was created before the slot layout`);
  }
  const what = [moved.length ? `${list(moved)} would be replaced` : '', gone.length ? `${list(gone)} would be deleted` : ''].filter(Boolean).join(' and ');
  const keep = wasLegacy ? `keep network.azs at ${zones} (with network.layout "legacy" it re-splits every subnet)` : `keep network.azs at ${zones}`;
  return usageError(`${head} (network.azs changed from ${zones} to ${zonesOf(next)}: subnets ${what}); nothing was changed; ${keep}`);
}

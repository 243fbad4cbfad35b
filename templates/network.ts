/**
 * The environment's network: a VPC cyclops creates (public + private subnets across the
 * zones, an internet gateway, NAT gateways, routes) or an imported one.
 */
import type { Ids } from '../src/naming';
import type { NetworkConfig } from '../src/config/model';
import { azs, getAtt, ref, select, tagged, type Resource, type Value } from './cfn';

export interface Network {
  resources: Record<string, Resource>;
  vpcId: Value;
  publicSubnets: Value[];
  privateSubnets: Value[];
}

/** Split an IPv4 CIDR block into `count` equal, consecutive blocks (count rounded up to a power of two). */
export function splitCidr(cidr: string, count: number): string[] {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const newBits = Math.ceil(Math.log2(Math.max(count, 1)));
  const prefix = bits + newBits;
  if (prefix > 28) throw new Error(`${cidr} is too small for ${count} subnets`);
  const base = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const start = Math.floor(base / 2 ** (32 - bits)) * 2 ** (32 - bits);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) => {
    const n = start + i * size;
    const octets = [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256);
    return `${octets.join('.')}/${prefix}`;
  });
}

export function network(ids: Ids, net: NetworkConfig): Network {
  if (net.mode === 'import') {
    return { resources: {}, vpcId: net.vpcId, publicSubnets: net.publicSubnets, privateSubnets: net.privateSubnets };
  }
  const r: Record<string, Resource> = {};
  const zones = net.azs;
  const nats = Math.min(net.natGateways, zones);
  const blocks = splitCidr(net.cidr, zones * 2);
  r.Vpc = tagged('AWS::EC2::VPC', ids, { CidrBlock: net.cidr, EnableDnsSupport: true, EnableDnsHostnames: true });
  r.InternetGateway = tagged('AWS::EC2::InternetGateway', ids, {});
  r.VpcGatewayAttachment = { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: ref('Vpc'), InternetGatewayId: ref('InternetGateway') } };
  r.PublicRouteTable = tagged('AWS::EC2::RouteTable', ids, { VpcId: ref('Vpc') });
  r.PublicDefaultRoute = {
    Type: 'AWS::EC2::Route',
    DependsOn: 'VpcGatewayAttachment',
    Properties: { RouteTableId: ref('PublicRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('InternetGateway') },
  };
  const publicSubnets: Value[] = [];
  const privateSubnets: Value[] = [];
  for (let i = 1; i <= zones; i++) {
    const zone = select(i - 1, azs());
    r[`PublicSubnet${i}`] = tagged('AWS::EC2::Subnet', ids, {
      VpcId: ref('Vpc'),
      CidrBlock: blocks[i - 1],
      AvailabilityZone: zone,
      MapPublicIpOnLaunch: true,
    });
    r[`PublicSubnet${i}RouteTableAssociation`] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(`PublicSubnet${i}`), RouteTableId: ref('PublicRouteTable') },
    };
    r[`PrivateSubnet${i}`] = tagged('AWS::EC2::Subnet', ids, {
      VpcId: ref('Vpc'),
      CidrBlock: blocks[zones + i - 1],
      AvailabilityZone: zone,
      MapPublicIpOnLaunch: false,
    });
    r[`PrivateRouteTable${i}`] = tagged('AWS::EC2::RouteTable', ids, { VpcId: ref('Vpc') });
    r[`PrivateSubnet${i}RouteTableAssociation`] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(`PrivateSubnet${i}`), RouteTableId: ref(`PrivateRouteTable${i}`) },
    };
    publicSubnets.push(ref(`PublicSubnet${i}`));
    privateSubnets.push(ref(`PrivateSubnet${i}`));
  }
  for (let n = 1; n <= nats; n++) {
    r[`NatEip${n}`] = { ...tagged('AWS::EC2::EIP', ids, { Domain: 'vpc' }), DependsOn: 'VpcGatewayAttachment' };
    r[`NatGateway${n}`] = tagged('AWS::EC2::NatGateway', ids, {
      AllocationId: getAtt(`NatEip${n}`, 'AllocationId'),
      SubnetId: ref(`PublicSubnet${n}`),
    });
  }
  if (nats > 0) {
    for (let i = 1; i <= zones; i++) {
      r[`PrivateDefaultRoute${i}`] = {
        Type: 'AWS::EC2::Route',
        Properties: {
          RouteTableId: ref(`PrivateRouteTable${i}`),
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: ref(`NatGateway${((i - 1) % nats) + 1}`),
        },
      };
    }
  }
  return { resources: r, vpcId: ref('Vpc'), publicSubnets, privateSubnets };
}

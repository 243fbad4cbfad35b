/**
 * The environment's network: a VPC cyclops creates (public + private subnets across the
 * zones, an internet gateway, NAT gateways, routes) or an imported one.
 */
import { flowLogGroup, type Ids } from '../src/naming';
import { SUBNET_SLOT_BITS, type NetworkConfig } from '../src/config/model';
import { azs, getAtt, inlinePolicy, keep, ref, select, serviceRole, sub, tagged, type Resource, type Value } from './cfn';

/** Days CloudWatch keeps env-level logs (VPC flow logs, database admin tasks). */
export const ENV_LOG_RETENTION_DAYS = 30;

export interface Network {
  resources: Record<string, Resource>;
  vpcId: Value;
  publicSubnets: Value[];
  privateSubnets: Value[];
}

/** Block `index` of the `newBits`-bit subdivision of an IPv4 CIDR block. */
function subBlock(cidr: string, newBits: number, index: number): string {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const prefix = bits + newBits;
  if (prefix > 28) throw new Error(`${cidr} is too small for /${prefix} subnets`);
  const base = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const start = Math.floor(base / 2 ** (32 - bits)) * 2 ** (32 - bits);
  const n = start + index * 2 ** (32 - prefix);
  return `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')}/${prefix}`;
}

/**
 * Legacy layout: the CIDR split into `count` equal, consecutive blocks (count rounded up to a
 * power of two), public subnets first. Block sizes depend on the zone count, so changing
 * `azs` re-splits every subnet: only for environments created with it.
 */
export function splitCidr(cidr: string, count: number): string[] {
  const newBits = Math.ceil(Math.log2(Math.max(count, 1)));
  return Array.from({ length: count }, (_, i) => subBlock(cidr, newBits, i));
}

/** Slot layout: the VPC in sixteen blocks; zone slot i (0..2) has public block i and private block 8 + i. */
export const PRIVATE_SLOT_OFFSET = 8;
export function slotCidrs(cidr: string, slot: number): { public: string; private: string } {
  return { public: subBlock(cidr, SUBNET_SLOT_BITS, slot), private: subBlock(cidr, SUBNET_SLOT_BITS, PRIVATE_SLOT_OFFSET + slot) };
}

/** The public and private CIDR of each zone (1-based logical ids, 0-based here). */
function zoneCidrs(net: Extract<NetworkConfig, { mode: 'create' }>): { public: string; private: string }[] {
  if (net.layout === 'legacy') {
    const blocks = splitCidr(net.cidr, net.azs * 2);
    return Array.from({ length: net.azs }, (_, i) => ({ public: blocks[i], private: blocks[net.azs + i] }));
  }
  return Array.from({ length: net.azs }, (_, i) => slotCidrs(net.cidr, i));
}

export function network(ids: Ids, net: NetworkConfig): Network {
  if (net.mode === 'import') {
    return { resources: {}, vpcId: net.vpcId, publicSubnets: net.publicSubnets, privateSubnets: net.privateSubnets };
  }
  const r: Record<string, Resource> = {};
  const zones = net.azs;
  const nats = Math.min(net.natGateways, zones);
  const cidrs = zoneCidrs(net);
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
      CidrBlock: cidrs[i - 1].public,
      AvailabilityZone: zone,
      MapPublicIpOnLaunch: true,
    });
    r[`PublicSubnet${i}RouteTableAssociation`] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(`PublicSubnet${i}`), RouteTableId: ref('PublicRouteTable') },
    };
    r[`PrivateSubnet${i}`] = tagged('AWS::EC2::Subnet', ids, {
      VpcId: ref('Vpc'),
      CidrBlock: cidrs[i - 1].private,
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
  Object.assign(r, s3Endpoint(ids, zones), flowLogs(ids as Ids & { env: string }));
  return { resources: r, vpcId: ref('Vpc'), publicSubnets, privateSubnets };
}

/** ECR image layers come from S3: a gateway endpoint keeps that traffic off the NAT gateways (and their bill). */
function s3Endpoint(ids: Ids, zones: number): Record<string, Resource> {
  return {
    S3Endpoint: tagged('AWS::EC2::VPCEndpoint', ids, {
      VpcId: ref('Vpc'),
      VpcEndpointType: 'Gateway',
      ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
      RouteTableIds: Array.from({ length: zones }, (_, i) => ref(`PrivateRouteTable${i + 1}`)),
    }),
  };
}

/** Flow logs of the whole VPC to a CloudWatch log group that outlives the stack. */
function flowLogs(ids: Ids & { env: string }): Record<string, Resource> {
  return {
    FlowLogGroup: keep(
      tagged('AWS::Logs::LogGroup', ids, { LogGroupName: flowLogGroup(ids.platform, ids.env), RetentionInDays: ENV_LOG_RETENTION_DAYS }),
    ),
    FlowLogRole: serviceRole(ids, 'vpc-flow-logs.amazonaws.com', {
      Policies: [
        inlinePolicy('write-flow-logs', [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
            Resource: getAtt('FlowLogGroup', 'Arn'),
          },
        ]),
      ],
    }),
    FlowLog: tagged('AWS::EC2::FlowLog', ids, {
      ResourceId: ref('Vpc'),
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: ref('FlowLogGroup'),
      DeliverLogsPermissionArn: getAtt('FlowLogRole', 'Arn'),
    }),
  };
}

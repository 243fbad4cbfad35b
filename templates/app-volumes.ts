/**
 * EFS volumes of an app: one encrypted, backed-up file system per volume name (kept when the
 * stack goes), a mount target in each private subnet, an NFS security group open only to the
 * app's own task security group, an access point with its own root directory and POSIX user,
 * and the task role's ClientMount/ClientWrite on exactly that file system. Pure.
 *
 * A file system outlives its stack (Retain). When the app is deployed again after a destroy,
 * the kept one is attached instead of a new, empty one: its id comes in as the volume's
 * Volume<Name>KeptFileSystemId parameter (deploy finds it by its cyclops tags and volume tag),
 * the stack then makes no file system of its own, and the mount targets, the access point, the
 * task definitions and the task role all name the kept one.
 */
import type { AppConfig, ProcessConfig, VolumeConfig } from '../src/config/model';
import { pascalName } from '../src/config/rules-processes';
import { getAtt, keep, ref, select, sub, tagged, tagList, type Parameter, type Resource, type Value } from './cfn';
import { TAG_VOLUME, type Ids } from '../src/naming';

export const NFS_PORT = 2049;
/**
 * Every file system refuses clients that do not use TLS (its policy denies any request without
 * aws:SecureTransport); what a client may do otherwise comes from its identity policy (the task
 * role: ClientMount, and ClientWrite only where a process writes the volume).
 */
export const FILE_SYSTEM_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'RequireTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
};
export const APP_SECURITY_GROUP = 'AppSecurityGroup';

const base = (volume: string) => `Volume${pascalName(volume)}`;
export const fileSystemId = (volume: string) => `${base(volume)}FileSystem`;
export const accessPointId = (volume: string) => `${base(volume)}AccessPoint`;
/** The parameter that names a kept file system to attach (empty: the stack makes its own). */
export const keptParameter = (volume: string) => `${base(volume)}KeptFileSystemId`;
const keptCondition = (volume: string) => `${base(volume)}Kept`;
const newCondition = (volume: string) => `${base(volume)}New`;

/** The volume's file system id: the kept one when given, else the stack's own. */
const fsRef = (volume: string): Value => ({ 'Fn::If': [keptCondition(volume), ref(keptParameter(volume)), ref(fileSystemId(volume))] });
const fsArn = (volume: string): Value => ({
  'Fn::If': [
    keptCondition(volume),
    sub(`arn:\${AWS::Partition}:elasticfilesystem:\${AWS::Region}:\${AWS::AccountId}:file-system/\${${keptParameter(volume)}}`),
    getAtt(fileSystemId(volume), 'Arn'),
  ],
});

/** One parameter per volume: the id of a kept file system to attach, or empty. */
export function volumeParameters(app: AppConfig): Record<string, Parameter> {
  return Object.fromEntries(
    appVolumes(app).map((name) => [
      keptParameter(name),
      { Type: 'String', Default: '', AllowedPattern: '^(fs-[0-9a-f]{8,40})?$', Description: `the file system volume ${name} kept from an earlier stack (empty: this stack makes one)` },
    ]),
  );
}

export function volumeConditions(app: AppConfig): Record<string, Value> {
  return Object.fromEntries(
    appVolumes(app).flatMap((name) => [
      [newCondition(name), { 'Fn::Equals': [ref(keptParameter(name)), ''] }],
      [keptCondition(name), { 'Fn::Not': [{ Condition: newCondition(name) }] }],
    ]),
  );
}

/** Each volume name the app's processes mount, once. */
export function appVolumes(app: AppConfig): string[] {
  return [...new Set(app.processes.flatMap((p) => p.volumes.map((v) => v.name)))].sort();
}

/** A writable volume that only one task may write: the process deploys as a singleton. */
export const isSingleton = (p: ProcessConfig) => p.volumes.some((v) => !v.readOnly && !v.shared);

export interface VolumeInput {
  ids: Ids;
  app: AppConfig;
  /** the environment's availability zones: one private subnet (and mount target) each */
  zones: number;
  privateSubnets: Value;
  vpcId: Value;
}

export function volumeResources(input: VolumeInput): { resources: Record<string, Resource>; mountTargets: string[] } {
  const { ids, app } = input;
  const resources: Record<string, Resource> = {};
  const mountTargets: string[] = [];
  const names = appVolumes(app);
  if (!names.length) return { resources, mountTargets };
  resources.VolumeSecurityGroup = tagged('AWS::EC2::SecurityGroup', ids, {
    GroupDescription: `NFS to the volumes of ${app.name}, from its tasks only`,
    VpcId: input.vpcId,
    SecurityGroupIngress: [
      { IpProtocol: 'tcp', FromPort: NFS_PORT, ToPort: NFS_PORT, SourceSecurityGroupId: getAtt(APP_SECURITY_GROUP, 'GroupId'), Description: `NFS from ${app.name}` },
    ],
  });
  for (const name of names) {
    const fs = fileSystemId(name);
    resources[fs] = {
      ...keep({
        Type: 'AWS::EFS::FileSystem',
        Properties: {
          Encrypted: true,
          BackupPolicy: { Status: 'ENABLED' },
          PerformanceMode: 'generalPurpose',
          ThroughputMode: 'elastic',
          FileSystemPolicy: FILE_SYSTEM_POLICY,
          FileSystemTags: [...(tagList(ids) as Value[]), { Key: TAG_VOLUME, Value: name }],
        },
      }),
      Condition: newCondition(name),
    };
    for (let i = 0; i < input.zones; i++) {
      const id = `${base(name)}MountTarget${i + 1}`;
      resources[id] = {
        Type: 'AWS::EFS::MountTarget',
        Properties: { FileSystemId: fsRef(name), SubnetId: select(i, input.privateSubnets), SecurityGroups: [getAtt('VolumeSecurityGroup', 'GroupId')] },
      };
      mountTargets.push(id);
    }
    // every mount of a volume acts as one POSIX user (config checks it): the first one's
    const mount = app.processes.flatMap((p) => p.volumes).find((v) => v.name === name)!;
    const [uid, gid] = [String(mount.uid), String(mount.gid)];
    resources[accessPointId(name)] = tagged(
      'AWS::EFS::AccessPoint',
      ids,
      {
        FileSystemId: fsRef(name),
        PosixUser: { Uid: uid, Gid: gid },
        RootDirectory: { Path: `/${name}`, CreationInfo: { OwnerUid: uid, OwnerGid: gid, Permissions: '0750' } },
      },
      'AccessPointTags',
    );
  }
  return { resources, mountTargets };
}

/** The task role's statements: ClientMount, and ClientWrite unless every mount of the volume is read-only. */
export function volumeStatements(app: AppConfig): Record<string, Value>[] {
  return appVolumes(app).map((name) => {
    const writable = app.processes.some((p) => p.volumes.some((v) => v.name === name && !v.readOnly));
    return {
      Effect: 'Allow',
      Action: writable ? ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] : ['elasticfilesystem:ClientMount'],
      Resource: fsArn(name),
      Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': getAtt(accessPointId(name), 'Arn') } },
    };
  });
}

/** The task definition's Volumes and the main container's MountPoints. */
export function taskVolumes(volumes: VolumeConfig[]): { Volumes?: Value[]; MountPoints?: Value[] } {
  if (!volumes.length) return {};
  return {
    Volumes: volumes.map((v) => ({
      Name: v.name,
      EFSVolumeConfiguration: {
        FilesystemId: fsRef(v.name),
        TransitEncryption: 'ENABLED',
        AuthorizationConfig: { AccessPointId: ref(accessPointId(v.name)), IAM: 'ENABLED' },
      },
    })),
    MountPoints: volumes.map((v) => ({ SourceVolume: v.name, ContainerPath: v.path, ReadOnly: v.readOnly })),
  };
}


/**
 * EFS volumes of an app: one encrypted, backed-up file system per volume name (kept when the
 * stack goes), a mount target in each private subnet, an NFS security group open only to the
 * app's own task security group, an access point with its own root directory and POSIX user,
 * and the task role's ClientMount/ClientWrite on exactly that file system. Pure.
 */
import type { AppConfig, ProcessConfig, VolumeConfig } from '../src/config/model';
import { pascalName } from '../src/config/rules-processes';
import { getAtt, keep, ref, select, tagged, type Resource, type Value } from './cfn';
import type { Ids } from '../src/naming';

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
    resources[fs] = keep(
      tagged(
        'AWS::EFS::FileSystem',
        ids,
        { Encrypted: true, BackupPolicy: { Status: 'ENABLED' }, PerformanceMode: 'generalPurpose', ThroughputMode: 'elastic', FileSystemPolicy: FILE_SYSTEM_POLICY },
        'FileSystemTags',
      ),
    );
    for (let i = 0; i < input.zones; i++) {
      const id = `${base(name)}MountTarget${i + 1}`;
      resources[id] = {
        Type: 'AWS::EFS::MountTarget',
        Properties: { FileSystemId: ref(fs), SubnetId: select(i, input.privateSubnets), SecurityGroups: [getAtt('VolumeSecurityGroup', 'GroupId')] },
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
        FileSystemId: ref(fs),
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
      Resource: getAtt(fileSystemId(name), 'Arn'),
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
        FilesystemId: ref(fileSystemId(v.name)),
        TransitEncryption: 'ENABLED',
        AuthorizationConfig: { AccessPointId: ref(accessPointId(v.name)), IAM: 'ENABLED' },
      },
    })),
    MountPoints: volumes.map((v) => ({ SourceVolume: v.name, ContainerPath: v.path, ReadOnly: v.readOnly })),
  };
}


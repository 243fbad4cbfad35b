/** An environment's typed, defaulted settings (re-exported by model.ts, which the rest of cyclops imports). */
import type { ParsedConfig } from './schema';
import { labelled, type Override } from './overrides';
import { resolveEmail, type EmailConfig } from './email';

export type NetworkConfig =
  /** layout "slots": each zone has a fixed subnet; "legacy": the CIDR split by zone count (environments created before). */
  | { mode: 'create'; cidr: string; azs: number; natGateways: number; layout: 'slots' | 'legacy' }
  | { mode: 'import'; vpcId: string; publicSubnets: string[]; privateSubnets: string[] };

export type CapacityConfig =
  | { type: 'fargate'; spot: boolean }
  | { type: 'ec2'; instanceType: string; min: number; max: number };

export type TlsConfig = { mode: 'none' } | { mode: 'certificate'; certificateArn: string } | { mode: 'create' };

export type DatabaseConfig =
  | {
      type: 'rds';
      instanceClass: string;
      storage: number;
      /** storage autoscaling limit; equal to storage means autoscaling is off */
      maxStorage: number;
      multiAz: boolean;
      engineVersion: string;
      backupRetentionDays: number;
      deletionProtection: boolean;
      runner: 'direct' | 'task';
    }
  | {
      type: 'external';
      host: string;
      port: number;
      adminUser: string;
      adminSecretArn?: string;
      adminPasswordEnv?: string;
      adminDatabase: string;
      runner: 'direct' | 'task';
      ssl: 'require' | 'prefer' | 'disable';
    }
  | { type: 'none' };

/**
 * Where an environment lives when it is not the platform's home: its account, its region
 * (default the platform's) and how cyclops gets credentials there (a role assumed from the
 * home credentials, or a named profile; neither: the home credentials themselves).
 */
export interface EnvAwsConfig {
  /** absent: the platform's own account (the home credentials, in `region`) */
  account?: string;
  region: string;
  roleArn?: string;
  profile?: string;
}

export interface EnvironmentConfig {
  name: string;
  /** absent: the environment lives with the platform (its account and region) */
  aws?: EnvAwsConfig;
  network: NetworkConfig;
  capacity: CapacityConfig;
  /** delegated: the zone this environment created is delegated from its parent (so ACM can validate in it) */
  dns: { domain: string; hostedZoneId?: string; delegated: boolean };
  tls: TlsConfig;
  database: DatabaseConfig;
  redis: { nodeType: string } | null;
  containerInsights: boolean;
  /** the environment and its data may be lost (allows a database without backups) */
  disposable: boolean;
  /** JSON Patch operations applied to the rendered environment template */
  overrides: Override[];
  /** SES for the environment's apps; null: none */
  email: EmailConfig | null;
  /** absent: no topic, no rule, alarms notify no one */
  notifications?: NotificationsConfig;
}

/** Whom the environment's deployment events and alarms reach; snsTopicArn: an existing topic instead of a new one. */
export interface NotificationsConfig {
  email: string[];
  webhook?: string;
  snsTopicArn?: string;
}

/** Network layout "slots": the VPC in 2^4 blocks, one public and one private per zone slot. */
export const SUBNET_SLOT_BITS = 4;
/** RDS storage autoscaling is on by default, up to five times the allocated storage. */
export const MAX_STORAGE_FACTOR = 5;
export const RDS_STORAGE_LIMIT = 65536;
export function defaultMaxStorage(storage: number): number {
  const max = Math.min(storage * MAX_STORAGE_FACTOR, RDS_STORAGE_LIMIT);
  // RDS wants the limit at least 10 % above the storage; near the ceiling autoscaling stays off.
  return max >= Math.ceil((storage * 11) / 10) ? max : storage;
}

export function resolveEnvironment(name: string, e: ParsedConfig['environments'][string], home: string): EnvironmentConfig {
  const n = e.network;
  const network: NetworkConfig = n.vpcId
    ? { mode: 'import', vpcId: n.vpcId, publicSubnets: n.publicSubnets ?? [], privateSubnets: n.privateSubnets ?? [] }
    : { mode: 'create', cidr: n.cidr ?? '10.0.0.0/16', azs: n.azs ?? 2, natGateways: n.natGateways ?? 1, layout: n.layout ?? 'slots' };
  const c = e.capacity;
  const capacity: CapacityConfig =
    c.type === 'ec2'
      ? { type: 'ec2', instanceType: c.instanceType ?? 't3.small', min: c.min ?? 1, max: c.max ?? Math.max(c.min ?? 1, 2) }
      : { type: 'fargate', spot: c.spot ?? false };
  const tls: TlsConfig = e.tls?.certificateArn
    ? { mode: 'certificate', certificateArn: e.tls.certificateArn }
    : e.tls?.create
      ? { mode: 'create' }
      : { mode: 'none' };
  const d = e.database;
  const database: DatabaseConfig =
    d.type === 'rds'
      ? {
          type: 'rds',
          instanceClass: d.instanceClass ?? 'db.t4g.micro',
          storage: d.storage ?? 20,
          maxStorage: d.maxStorage ?? defaultMaxStorage(d.storage ?? 20),
          multiAz: d.multiAz ?? false,
          engineVersion: d.engineVersion ?? '16',
          backupRetentionDays: d.backupRetentionDays ?? 7,
          deletionProtection: d.deletionProtection ?? true,
          runner: d.runner ?? 'task',
        }
      : d.type === 'external'
        ? {
            type: 'external',
            host: d.host!,
            port: d.port ?? 5432,
            adminUser: d.adminUser!,
            adminSecretArn: d.adminSecretArn,
            adminPasswordEnv: d.adminPasswordEnv,
            adminDatabase: d.adminDatabase ?? 'postgres',
            runner: d.runner ?? 'direct',
            ssl: d.ssl ?? 'prefer',
          }
        : { type: 'none' };
  // roleArn names its account; with neither account nor roleArn, the home credentials' own account
  const account = e.aws?.account ?? e.aws?.roleArn?.split(':')[4];
  const aws: EnvAwsConfig | undefined = e.aws && {
    ...(account ? { account } : {}),
    region: e.aws.region ?? home,
    ...(e.aws.roleArn ? { roleArn: e.aws.roleArn } : {}),
    ...(e.aws.profile ? { profile: e.aws.profile } : {}),
  };
  return {
    name,
    ...(aws ? { aws } : {}),
    network,
    capacity,
    dns: { domain: e.dns.domain, hostedZoneId: e.dns.hostedZoneId, delegated: e.dns.delegated ?? false },
    tls,
    database,
    redis: e.redis ? { nodeType: e.redis.nodeType ?? 'cache.t4g.micro' } : null,
    containerInsights: e.containerInsights ?? false,
    disposable: e.disposable ?? false,
    overrides: labelled(`environments.${name}.overrides`, e.overrides),
    email: resolveEmail(e.email, e.dns.domain),
    ...(e.notifications ? { notifications: { email: e.notifications.email ?? [], webhook: e.notifications.webhook, snsTopicArn: e.notifications.snsTopicArn } } : {}),
  };
}

/** The typed, defaulted config every other module consumes. */
import type { ParsedConfig } from './schema';

export type ProcessKind = 'web' | 'worker' | 'cron';
export const PROCESS_KINDS: ProcessKind[] = ['web', 'worker', 'cron'];

export interface ProcessConfig {
  kind: ProcessKind;
  command?: string[];
  count: number;
  cpu: number;
  memory: number;
  /** web only */
  port?: number;
  /** cron only */
  schedule?: string;
}

/** The release phase: runs with the new image and settings before the services switch. */
export interface ReleaseProcessConfig {
  command: string[];
  cpu: number;
  memory: number;
}

export interface AppConfig {
  name: string;
  /** false when the app is not listed in config and runs on defaults */
  configured: boolean;
  processes: ProcessConfig[];
  healthCheckPath: string;
  env: Record<string, string>;
  secrets: Record<string, string>;
  database: boolean;
  /** processes.release: not a service; absent when the app has no release phase */
  release?: ReleaseProcessConfig;
  /** ECS Exec on the services (`cyclops exec`) */
  exec: boolean;
}

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

export interface EnvironmentConfig {
  name: string;
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
}

export interface Config {
  /** where it was loaded from, for messages */
  file: string;
  platform: { name: string; region: string; bucket: string };
  aws: { endpoint?: string; profile?: string };
  ports: { range: [number, number] };
  environments: Record<string, EnvironmentConfig>;
  apps: Record<string, AppConfig>;
}

export const DEFAULT_WEB_PORT = 80;
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

function resolveApp(name: string, raw: ParsedConfig['apps'][string] | undefined): AppConfig {
  const procs = raw?.processes ?? { web: {} };
  const processes: ProcessConfig[] = [];
  for (const kind of PROCESS_KINDS) {
    const p = procs[kind] as (ParsedConfig['apps'][string]['processes'] & object)[ProcessKind];
    if (!p) continue;
    const cpu = p.cpu ?? 256;
    processes.push({
      kind,
      command: p.command,
      count: kind === 'cron' ? 0 : ((p as { count?: number }).count ?? 1),
      cpu,
      memory: p.memory ?? cpu * 2, // the smallest Fargate memory for that CPU
      ...(kind === 'web' ? { port: (p as { port?: number }).port ?? DEFAULT_WEB_PORT } : {}),
      ...(kind === 'cron' ? { schedule: (p as { schedule: string }).schedule } : {}),
    });
  }
  const release = procs.release;
  return {
    name,
    configured: !!raw,
    processes,
    ...(release ? { release: { command: release.command, cpu: release.cpu ?? 256, memory: release.memory ?? (release.cpu ?? 256) * 2 } } : {}),
    exec: raw?.exec ?? false,
    healthCheckPath: raw?.healthCheckPath ?? '/',
    env: raw?.env ?? {},
    secrets: raw?.secrets ?? {},
    database: raw?.database ?? true,
  };
}

function resolveEnvironment(name: string, e: ParsedConfig['environments'][string]): EnvironmentConfig {
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
  return {
    name,
    network,
    capacity,
    dns: { domain: e.dns.domain, hostedZoneId: e.dns.hostedZoneId, delegated: e.dns.delegated ?? false },
    tls,
    database,
    redis: e.redis ? { nodeType: e.redis.nodeType ?? 'cache.t4g.micro' } : null,
    containerInsights: e.containerInsights ?? false,
    disposable: e.disposable ?? false,
  };
}

export function resolveConfig(file: string, c: ParsedConfig): Config {
  return {
    file,
    platform: { name: c.platform.name, region: c.platform.region, bucket: c.platform.bucket ?? `${c.platform.name}-cyclops-${c.platform.region}` },
    aws: { endpoint: c.aws?.endpoint, profile: c.aws?.profile },
    ports: { range: c.ports.range as [number, number] },
    environments: Object.fromEntries(Object.entries(c.environments).map(([k, v]) => [k, resolveEnvironment(k, v)])),
    apps: Object.fromEntries(Object.entries(c.apps).map(([k, v]) => [k, resolveApp(k, v)])),
  };
}

/** The app as configured, or the defaults for an app that is not listed. */
export function appConfig(config: Config, name: string): AppConfig {
  return config.apps[name] ?? resolveApp(name, undefined);
}

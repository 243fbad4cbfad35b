/** The typed, defaulted config every other module consumes. */
import type { ParsedConfig } from './schema';
import { resolveDeployment, type DeploymentConfig } from './deployment';

import { mergedAppSettings } from './merge';
import { labelled, type Override } from './overrides';
import { resolveEnvironment, type EnvironmentConfig } from './environment';
export * from './environment';
export type { PatchOperation, Override } from './overrides';
export type { EmailConfig } from './email';

/**
 * What a process is, from its name and keys: "web" is routed by the load balancer, a process
 * with a schedule is a cron, "release" is the release phase (never a service), one with
 * `internal: true` is reachable by other apps, any other is a worker.
 */
export type ProcessKind = 'web' | 'worker' | 'cron' | 'internal' | 'release';
export const WEB_PROCESS = 'web';
export const RELEASE_PROCESS = 'release';

/** The POSIX user and group of a volume unless config says otherwise. */
export const DEFAULT_VOLUME_POSIX_ID = 1000;

export interface VolumeConfig {
  name: string;
  path: string;
  readOnly: boolean;
  /** several tasks may write it at once */
  shared: boolean;
  /** the POSIX user and group its clients act as (the access point's), default 1000 */
  uid: number;
  gid: number;
}

export interface SidecarConfig {
  name: string;
  /** null: the app's own image (the Image parameter) */
  image: string | null;
  command?: string[];
  port?: number;
  env: Record<string, string>;
  essential: boolean;
}

export interface AutoscalingConfig {
  min: number;
  max: number;
  /** target average CPU / memory utilisation, percent */
  cpu?: number;
  memory?: number;
  /** web only: target requests per task per minute */
  requestsPerTarget?: number;
}

/** A task's CPU architecture (the image must have a variant for it). */
export type Arch = 'x86_64' | 'arm64';
export const DEFAULT_ARCH: Arch = 'x86_64';

export interface ProcessConfig {
  /** the process name (a DNS label): service, task family, count parameter and log prefix follow it */
  name: string;
  kind: ProcessKind;
  command?: string[];
  /** the task count; with autoscaling, its minimum */
  count: number;
  cpu: number;
  memory: number;
  /** web and internal */
  port?: number;
  /** cron only */
  schedule?: string;
  volumes: VolumeConfig[];
  sidecars: SidecarConfig[];
  autoscaling?: AutoscalingConfig;
  /** set in config (the process's own, else the app's): the task definition gets a RuntimePlatform; absent: x86_64 and none */
  arch?: Arch;
}

/** Thresholds of a web service's deployment alarms. */
export interface AlarmsConfig {
  http5xxPercent: number;
  unhealthyHosts: number;
  periodSeconds: number;
  evaluationPeriods: number;
}
export const DEFAULT_ALARMS: AlarmsConfig = { http5xxPercent: 5, unhealthyHosts: 1, periodSeconds: 60, evaluationPeriods: 3 };
/** The release phase: runs with the new image and settings before the services switch. */
export interface ReleaseProcessConfig {
  command: string[];
  cpu: number;
  memory: number;
  arch?: Arch;
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
  /** source CIDRs allowed to reach the web process; empty: everyone */
  allow: string[];
  /** internal services of other apps this app calls ("<app>-<process>") */
  uses: string[];
  /** null: no deployment alarms (`alarms: false`, or no web process); on by default */
  alarms: AlarmsConfig | null;
  /** processes.release: not a service; absent when the app has no release phase */
  release?: ReleaseProcessConfig;
  /** ECS Exec on the services (`cyclops exec`) */
  exec: boolean;
  /** how the web process moves to a new release; rolling by default */
  deployment: DeploymentConfig;
  /** custom domains of the web process; hostedZoneId: a zone in this account, given in config */
  domains: { name: string; hostedZoneId?: string }[];
  /** JSON Patch operations applied to the rendered app template (the app's, then the environment's) */
  overrides: Override[];
  /** send as the environment's SES identity: by the task role, and over SMTP with a user of its own */
  email: { smtp: boolean } | null;
  /** the app in each environment that has `environments.<env>` settings, merged (read through appConfig) */
  byEnv?: Record<string, AppConfig>;
}


export interface Config {
  /** where it was loaded from, for messages */
  file: string;
  platform: { name: string; region: string; bucket: string };
  aws: { endpoint?: string; profile?: string; registry?: string };
  ports: { range: [number, number] };
  environments: Record<string, EnvironmentConfig>;
  apps: Record<string, AppConfig>;
}

export const DEFAULT_WEB_PORT = 80;

type RawApp = Omit<ParsedConfig['apps'][string], 'environments'>;
type RawProcess = NonNullable<RawApp['processes']>[string];

export function processKind(name: string, p: { schedule?: string; internal?: boolean }): ProcessKind {
  if (name === RELEASE_PROCESS) return 'release';
  if (name === WEB_PROCESS) return 'web';
  if (p.schedule !== undefined) return 'cron';
  return p.internal ? 'internal' : 'worker';
}

/** The architecture a process runs on: its own, the app's, or the default. */
export const processArch = (p: { arch?: Arch }): Arch => p.arch ?? DEFAULT_ARCH;

/** Every architecture the app's own image must have a variant for (processes, the release phase, sidecars running the app image). */
export function imageArchitectures(app: AppConfig): Arch[] {
  const all = [...app.processes.map(processArch), ...(app.release ? [processArch(app.release)] : [])];
  return [...new Set(all)].sort();
}

function resolveProcess(name: string, p: RawProcess, appArch: Arch | undefined): ProcessConfig {
  const kind = processKind(name, p);
  const cpu = p.cpu ?? 256;
  const auto = typeof p.count === 'object' ? p.count : undefined;
  const count = kind === 'cron' || kind === 'release' ? 0 : auto ? (auto.min ?? 1) : ((p.count as number | undefined) ?? 1);
  const out: ProcessConfig = {
    name,
    kind,
    command: p.command,
    count,
    cpu,
    memory: p.memory ?? cpu * 2, // the smallest Fargate memory for that CPU
    ...(kind === 'web' || kind === 'internal' ? { port: p.port ?? DEFAULT_WEB_PORT } : {}),
    ...(kind === 'cron' ? { schedule: p.schedule } : {}),
    ...((p.arch ?? appArch) ? { arch: p.arch ?? appArch } : {}),
    volumes: Object.entries(p.volumes ?? {}).map(([v, c]) => ({ name: v, path: c.path, readOnly: c.readOnly ?? false, shared: c.shared ?? false, uid: c.uid ?? DEFAULT_VOLUME_POSIX_ID, gid: c.gid ?? DEFAULT_VOLUME_POSIX_ID })),
    sidecars: (p.sidecars ?? []).map((c) => ({
      name: c.name,
      image: c.image === undefined || c.image === 'app' ? null : c.image,
      command: c.command,
      port: c.port,
      env: c.env ?? {},
      essential: c.essential ?? false,
    })),
  };
  if (auto) {
    out.autoscaling = {
      min: auto.min ?? 1,
      max: auto.max ?? Math.max(auto.min ?? 1, 1),
      ...(auto.cpu !== undefined ? { cpu: auto.cpu } : {}),
      ...(auto.memory !== undefined ? { memory: auto.memory } : {}),
      ...(auto.requestsPerTarget !== undefined ? { requestsPerTarget: auto.requestsPerTarget } : {}),
    };
  }
  return out;
}

function resolveApp(name: string, raw: RawApp | undefined): AppConfig {
  const procs = Object.entries(raw?.processes ?? { web: {} });
  // web first, then the order of the config
  procs.sort(([a], [b]) => Number(b === WEB_PROCESS) - Number(a === WEB_PROCESS));
  const alarms = raw?.alarms;
  const release = raw?.processes?.[RELEASE_PROCESS];
  return {
    name,
    configured: !!raw,
    processes: procs.map(([n, p]) => resolveProcess(n, p, raw?.arch)),
    ...(release?.command
      ? {
          release: {
            command: release.command,
            cpu: release.cpu ?? 256,
            memory: release.memory ?? (release.cpu ?? 256) * 2,
            ...((release.arch ?? raw?.arch) ? { arch: release.arch ?? raw?.arch } : {}),
          },
        }
      : {}),
    exec: raw?.exec ?? false,
    deployment: resolveDeployment(raw?.deployment),
    overrides: labelled(`apps.${name}.overrides`, raw?.overrides),
    email: raw?.email ? { smtp: typeof raw.email === 'object' && raw.email.smtp === true } : null,
    domains: (raw?.domains ?? []).map((d) => (typeof d === 'string' ? { name: d } : { name: d.name, ...(d.hostedZoneId ? { hostedZoneId: d.hostedZoneId } : {}) })),
    healthCheckPath: raw?.healthCheckPath ?? '/',
    env: raw?.env ?? {},
    secrets: raw?.secrets ?? {},
    database: raw?.database ?? true,
    allow: raw?.allow ?? [],
    uses: raw?.uses ?? [],
    // on by default for a web process: a release that answers 5xx or loses its targets rolls back
    alarms: alarms === false || !procs.some(([n]) => n === WEB_PROCESS) ? null : { ...DEFAULT_ALARMS, ...(typeof alarms === 'object' ? alarms : {}) },
  };
}

/** Processes that run as an ECS service (not cron, not the release phase). */
export const serviceProcesses = (app: AppConfig) => app.processes.filter((p) => p.kind !== 'cron' && p.kind !== 'release');


export function resolveConfig(file: string, c: ParsedConfig): Config {
  return {
    file,
    platform: { name: c.platform.name, region: c.platform.region, bucket: c.platform.bucket ?? `${c.platform.name}-cyclops-${c.platform.region}` },
    aws: { endpoint: c.aws?.endpoint, profile: c.aws?.profile, ...(c.aws?.registry ? { registry: c.aws.registry } : {}) },
    ports: { range: c.ports.range as [number, number] },
    environments: Object.fromEntries(Object.entries(c.environments).map(([k, v]) => [k, resolveEnvironment(k, v, c.platform.region)])),
    apps: Object.fromEntries(Object.entries(c.apps).map(([k, v]) => [k, resolveAppByEnv(k, v, Object.keys(c.environments))])),
  };
}

/** The app's own settings, and its merged settings in each configured environment that has some. */
function resolveAppByEnv(name: string, raw: ParsedConfig['apps'][string], envs: string[]): AppConfig {
  const base = resolveApp(name, mergedAppSettings(raw, ''));
  const own = Object.keys(raw.environments ?? {}).filter((e) => envs.includes(e));
  if (!own.length) return base;
  const inEnv = (e: string): AppConfig => {
    const a = resolveApp(name, mergedAppSettings(raw, e));
    const overrides = [...labelled(`apps.${name}.overrides`, raw.overrides), ...labelled(`apps.${name}.environments.${e}.overrides`, raw.environments?.[e]?.overrides)];
    return { ...a, overrides };
  };
  return { ...base, byEnv: Object.fromEntries(own.map((e) => [e, inEnv(e)])) };
}

/** The region an environment's stacks live in: its own (`aws.region`) or the platform's. */
export const envRegion = (config: Config, env: string): string => config.environments[env]?.aws?.region ?? config.platform.region;

/** The accounts environments name (`aws.account`), sorted, unique. */
export const envAccounts = (config: Config): string[] => [...new Set(Object.values(config.environments).flatMap((e) => (e.aws?.account ? [e.aws.account] : [])))].sort();

/**
 * Whether cyclops reaches an environment with the home credentials (no `aws`, or `aws` without
 * roleArn and profile): then it is in the home account, whatever its region (the account guard
 * refuses an `aws.account` those credentials do not act in).
 */
export const withHomeCredentials = (config: Config, env: string): boolean => {
  const a = config.environments[env]?.aws;
  return !a || (!a.roleArn && !a.profile);
};

/** The regions of the environments in the home account (reached with the home credentials), the platform's first. */
export const homeAccountRegions = (config: Config): string[] => [
  ...new Set([config.platform.region, ...Object.keys(config.environments).filter((e) => withHomeCredentials(config, e)).map((e) => envRegion(config, e))]),
];

/**
 * The app in an environment: its settings with that environment's `environments.<env>` merged
 * over them, or the defaults for an app that is not listed.
 */
export function appConfig(config: Config, name: string, env: string): AppConfig {
  const a = config.apps[name] ?? resolveApp(name, undefined);
  return a.byEnv?.[env] ?? a;
}

/** Every configured app as it is in the environment (config order). */
export const appsIn = (config: Config, env: string): AppConfig[] => Object.keys(config.apps).map((name) => appConfig(config, name, env));

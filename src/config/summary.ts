/**
 * What each app is in each environment once its `environments.<env>` settings are merged:
 * the figures `cyclops validate` prints. Names only for variables and secrets. Pure.
 */
import { appsIn, type AppConfig, type Config, type ProcessConfig } from './model';

export interface ProcessSummary {
  name: string;
  kind: ProcessConfig['kind'];
  /** a fixed count, or the autoscaling bounds */
  count: number | { min: number; max: number };
  cpu: number;
  memory: number;
}

export interface AppInEnv {
  app: string;
  env: string;
  /** the environment has its own settings for the app (apps.<app>.environments.<env>) */
  merged: boolean;
  processes: ProcessSummary[];
  healthCheckPath: string;
  vars: string[];
  secrets: string[];
  allow: string[];
  alarms: boolean;
  database: boolean;
}

const processSummary = (p: ProcessConfig): ProcessSummary => ({
  name: p.name,
  kind: p.kind,
  count: p.autoscaling ? { min: p.autoscaling.min, max: p.autoscaling.max } : p.count,
  cpu: p.cpu,
  memory: p.memory,
});

function summary(config: Config, a: AppConfig, env: string): AppInEnv {
  return {
    app: a.name,
    env,
    merged: !!config.apps[a.name]?.byEnv?.[env],
    processes: a.processes.map(processSummary),
    healthCheckPath: a.healthCheckPath,
    vars: Object.keys(a.env).sort(),
    secrets: Object.keys(a.secrets).sort(),
    allow: a.allow,
    alarms: a.alarms !== null,
    database: a.database,
  };
}

/** Every configured app in every environment, environments in config order. */
export const appsByEnvironment = (config: Config): AppInEnv[] =>
  Object.keys(config.environments).flatMap((env) => appsIn(config, env).map((a) => summary(config, a, env)));

/** "web 4×1024/2048, worker 1..3×256/512, cron scheduled 256/512" */
export function processesText(s: AppInEnv): string {
  const count = (p: ProcessSummary) =>
    p.kind === 'cron' ? 'scheduled ' : p.kind === 'release' ? 'release phase ' : typeof p.count === 'number' ? `${p.count}×` : `${p.count.min}..${p.count.max}×`;
  return s.processes.map((p) => `${p.name} ${count(p)}${p.cpu}/${p.memory}`).join(', ');
}

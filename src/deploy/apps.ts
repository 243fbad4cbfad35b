/** Day-one operations on deployed apps: status, listing, destroy. */
import type { Aws } from '../aws/client';
import { appConfig, type Config } from '../config/model';
import { appStack, appUrl, ENV_OUTPUT, envStack, TAG_APP, TAG_ENV, type EnvOutputKey } from '../naming';
import { usageError } from '../errors';
import { holdLock, letGo } from './lock';
import type { Reporter } from '../report/reporter';
import { describeServices, stackServices } from '../services/rollout';
import { deleteStack, describeStack, listAppStacks } from '../stacks';
import { checkAppEnv, checkEnv, deleteRelease, readPorts, readRelease, releasePort, type ReleaseRecord } from '../store';

export interface AppDeps {
  aws: Aws;
  config: Config;
  reporter: Reporter;
}

export interface AppStatus {
  app: string;
  env: string;
  stack: string;
  status: string;
  image: string | null;
  url: string | null;
  port: number | null;
  processes: { name: string; desired: number; running: number; pending: number; rollout?: string }[];
  release: ReleaseRecord | null;
}

const output = (outputs: Record<string, string>, key: EnvOutputKey) => outputs[ENV_OUTPUT[key]];

export async function appStatus(deps: AppDeps, app: string, env: string): Promise<AppStatus> {
  const { aws, config } = deps;
  checkAppEnv(config, app, env);
  const stack = appStack(config.platform.name, env, app);
  const [summary, envSummary, ports, release] = await Promise.all([
    describeStack(aws, stack),
    describeStack(aws, envStack(config.platform.name, env)),
    readPorts(aws, config),
    readRelease(aws, config, env, app),
  ]);
  const port = ports?.environments[env]?.[app] ?? null;
  if (!summary) {
    return { app, env, stack, status: 'NOT_DEPLOYED', image: null, url: null, port, processes: [], release };
  }
  const envOut = envSummary?.outputs ?? {};
  const cluster = output(envOut, 'clusterName') ?? output(envOut, 'clusterArn');
  const services = cluster ? await describeServices(aws, cluster, await stackServices(aws, stack)) : [];
  const https = output(envOut, 'https') === 'true';
  const domain = output(envOut, 'domain') ?? config.environments[env].dns.domain;
  return {
    app,
    env,
    stack,
    status: summary.status,
    image: summary.parameters.Image ?? release?.image ?? null,
    url: appConfig(config, app).processes.some((p) => p.kind === 'web') ? appUrl(app, domain, https) : null,
    port,
    processes: services.map((s) => ({ name: s.name, desired: s.desired, running: s.running, pending: s.pending, rollout: s.rollout })),
    release,
  };
}

export interface AppListing {
  app: string;
  stack: string;
  status: string;
  image: string | null;
  port: number | null;
  updated: string | null;
}

export async function listApps(deps: AppDeps, env: string): Promise<AppListing[]> {
  const { aws, config } = deps;
  checkEnv(config, env);
  const [stacks, ports] = await Promise.all([listAppStacks(aws, config.platform.name, env), readPorts(aws, config)]);
  return stacks.map((s) => ({
    app: s.app,
    stack: s.name,
    status: s.status,
    image: s.parameters.Image ?? null,
    port: ports?.environments[env]?.[s.app] ?? null,
    updated: s.lastUpdated ? s.lastUpdated.toISOString() : null,
  }));
}

export interface DestroyResult {
  app: string;
  env: string;
  stack: string;
  deleted: boolean;
  port: number | null;
  database: 'kept' | 'dropped' | 'none';
}

export async function destroyApp(
  deps: AppDeps,
  app: string,
  env: string,
  opts: { dropDatabase?: boolean; timeoutSeconds?: number; signal?: AbortSignal } = {},
): Promise<DestroyResult> {
  const { aws, config, reporter } = deps;
  checkAppEnv(config, app, env);
  const stack = appStack(config.platform.name, env, app);
  const lock = await holdLock(deps, env, app, 'destroy', opts.timeoutSeconds);
  try {
    const existing = await describeStack(aws, stack);
    if (existing && (existing.tags[TAG_APP] !== app || existing.tags[TAG_ENV] !== env)) {
      throw usageError(
        `stack ${stack}: is not ${app} in ${env} (its cyclops tags say app "${existing.tags[TAG_APP] ?? '-'}", env "${existing.tags[TAG_ENV] ?? '-'}"); nothing was deleted; check the names`,
      );
    }
    const { deleted } = await deleteStack(aws, reporter, stack, { timeoutSeconds: opts.timeoutSeconds, signal: opts.signal });
    const { port } = await releasePort(aws, config, env, app);
    if (port !== null) reporter.step(`released port ${port}`);
    await deleteRelease(aws, config, env, app);
    let database: DestroyResult['database'] = 'none';
    if (config.environments[env].database.type !== 'none' && appConfig(config, app).database) {
      database = 'kept';
      if (opts.dropDatabase) {
        const { dropAppDatabase } = await import('../database');
        await dropAppDatabase({ aws, config, reporter, signal: opts.signal }, env, app);
        database = 'dropped';
      }
    }
    return { app, env, stack, deleted, port, database };
  } finally {
    await letGo(lock, reporter, app, env);
  }
}

/**
 * Where an environment's PostgreSQL is and how to reach it as admin: the managed RDS instance
 * (endpoint and master secret from the env stack outputs) or an external server from config.
 */
import type { Aws } from '../aws/client';
import type { Config, DatabaseConfig } from '../config/model';
import { usageError } from '../errors';
import { dbTaskFamily, ENV_OUTPUT, tags, type EnvOutputKey } from '../naming';
import type { Reporter } from '../report/reporter';
import { envOutputs, type EnvOutputs } from '../stacks/outputs';
import { checkEnv } from '../naming';
import { readAdminSecret } from './credentials';
import type { DirectConnection } from './runner-direct';
import type { TaskTarget } from './runner-task';

export type Runner = 'direct' | 'task';

export interface DbDeps {
  aws: Aws;
  config: Config;
  reporter: Reporter;
  signal?: AbortSignal;
  /** overrides the environment's configured runner */
  runner?: Runner;
  /** the env stack's outputs when the caller has read them already (deploy has) */
  envOutputs?: EnvOutputs;
  /** task runner polling (tests shorten it) */
  taskWait?: { firstMs?: number; maxMs?: number; timeoutMs?: number };
}

export interface DbTarget {
  env: string;
  db: Exclude<DatabaseConfig, { type: 'none' }>;
  host: string;
  port: number;
  adminDatabase: string;
  ssl: 'require' | 'prefer' | 'disable';
  runner: Runner;
  /** env stack outputs, read when needed (rds, or the task runner) */
  outputs?: EnvOutputs;
}

function need(outputs: EnvOutputs, env: string, key: EnvOutputKey): string {
  const v = outputs[key];
  if (!v) throw usageError(`environment ${env}: its stack has no ${ENV_OUTPUT[key]} output; update the environment stack, then run again`);
  return v;
}

/** What config alone can say is wrong with reaching env's database (no I/O). */
export function checkTarget(config: Config, env: string, runner?: Runner): { db: Exclude<DatabaseConfig, { type: 'none' }>; runner: Runner } {
  checkEnv(config, env);
  const db = config.environments[env].database;
  if (db.type === 'none') throw usageError(`environment ${env}: has database.type "none", so apps there get no database; set database.type to "rds" or "external"`);
  const chosen = runner ?? db.runner;
  if (db.type === 'external' && chosen === 'task' && db.adminPasswordEnv) {
    throw usageError(`environment ${env}: the task runner cannot read the local variable ${db.adminPasswordEnv}; store the admin password in a secret (adminSecretArn) or use --runner direct`);
  }
  return { db, runner: chosen };
}

export async function resolveTarget(deps: DbDeps, env: string): Promise<DbTarget> {
  const { db, runner } = checkTarget(deps.config, env, deps.runner);
  if (db.type === 'rds') {
    const outputs = (deps.envOutputs ?? (await envOutputs(deps.aws, deps.config, env)));
    const port = Number(need(outputs, env, 'databasePort'));
    return { env, db, host: need(outputs, env, 'databaseEndpoint'), port, adminDatabase: 'postgres', ssl: 'require', runner, outputs };
  }
  const outputs = runner === 'task' ? (deps.envOutputs ?? (await envOutputs(deps.aws, deps.config, env))) : undefined;
  return { env, db, host: db.host, port: db.port, adminDatabase: db.adminDatabase, ssl: db.ssl, runner, outputs };
}

/** Admin login for the direct runner. */
export async function directConnection(deps: DbDeps, t: DbTarget): Promise<DirectConnection> {
  const base = { host: t.host, port: t.port, database: t.adminDatabase, ssl: t.ssl };
  if (t.db.type === 'rds') {
    const creds = await readAdminSecret(deps.aws, need(t.outputs!, t.env, 'databaseMasterSecretArn'), deps.reporter);
    if (!creds.username) throw usageError(`environment ${t.env}: the database master secret has no username; it should be the one RDS manages`);
    return { ...base, user: creds.username, password: creds.password };
  }
  if (t.db.adminPasswordEnv) {
    const password = process.env[t.db.adminPasswordEnv];
    if (!password) throw usageError(`environment ${t.env}: the admin password variable ${t.db.adminPasswordEnv} is not set; export it, then run again`);
    deps.reporter.secret(password);
    return { ...base, user: t.db.adminUser, password };
  }
  const creds = await readAdminSecret(deps.aws, t.db.adminSecretArn!, deps.reporter);
  return { ...base, user: t.db.adminUser, password: creds.password };
}

/** Where the task runs, and the admin login as plain environment plus ECS secrets. */
export async function taskAdmin(
  deps: DbDeps,
  t: DbTarget,
): Promise<{ task: TaskTarget; environment: Record<string, string>; secrets: Record<string, string> }> {
  const o = t.outputs!;
  const platform = deps.config.platform.name;
  const task: TaskTarget = {
    family: dbTaskFamily(platform, t.env),
    cluster: need(o, t.env, 'clusterName'),
    subnets: need(o, t.env, 'privateSubnets').split(',').map((s) => s.trim()).filter(Boolean),
    securityGroup: need(o, t.env, 'dbAdminSecurityGroup'),
    executionRoleArn: need(o, t.env, 'taskExecutionRoleArn'),
    tags: tags({ platform, env: t.env }),
    ...(o.dbAdminLogGroup ? { logGroup: o.dbAdminLogGroup, region: deps.aws.region } : {}),
  };
  const sslmode = t.ssl === 'disable' ? 'disable' : t.ssl === 'require' ? 'require' : 'prefer';
  const environment: Record<string, string> = { PGHOST: t.host, PGPORT: String(t.port), PGDATABASE: t.adminDatabase, PGSSLMODE: sslmode, PGCONNECT_TIMEOUT: '15', PGAPPNAME: 'cyclops' };
  if (t.db.type === 'rds') {
    const arn = need(o, t.env, 'databaseMasterSecretArn');
    return { task, environment, secrets: { PGUSER: `${arn}:username::`, PGPASSWORD: `${arn}:password::` } };
  }
  const arn = t.db.adminSecretArn!;
  const creds = await readAdminSecret(deps.aws, arn, deps.reporter);
  return { task, environment: { ...environment, PGUSER: t.db.adminUser }, secrets: { PGPASSWORD: creds.json ? `${arn}:password::` : arn } };
}

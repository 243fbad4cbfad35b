/**
 * The direct runner: the plans in sql.ts over a `pg` connection from this machine. TLS is
 * used when the server offers it (ssl "prefer"), demanded with "require", skipped with
 * "disable". Like libpq's sslmode=require, the server certificate is not verified.
 */
import type { Client as PgClient, ClientConfig } from 'pg';
import { failure, interrupted, isCyclopsError } from '../errors';
import { bindVars, type SqlPlan, type SqlVars } from './sql';

export interface DirectConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl: 'require' | 'prefer' | 'disable';
  /** ms; default 10 s */
  connectTimeoutMs?: number;
}

const where = (c: DirectConnection) => `database ${c.host}:${c.port}`;

/** One line naming host:port, the problem and what to check. */
export function connectError(e: unknown, c: DirectConnection) {
  if (isCyclopsError(e)) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const msg = String(err.message ?? e).split('\n')[0];
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code) || /timeout/i.test(msg)) {
    return failure(
      `${where(c)}: cannot connect from this machine (${code || msg}); check the host and port, that a security group or VPN lets this machine reach it, or use --runner task`,
      e,
      'db-unreachable',
    );
  }
  if (code === '28P01' || code === '28000') {
    return failure(`${where(c)}: admin user ${c.user} was rejected (${msg}); check the admin user and password (adminSecretArn / adminPasswordEnv, or the master secret)`, e, 'db-auth');
  }
  if (/does not support SSL/i.test(msg)) {
    return failure(`${where(c)}: the server does not offer TLS and ssl is "require"; enable TLS on the server, or set database.ssl to "prefer"`, e, 'db-tls');
  }
  if (code === '3D000') {
    return failure(`${where(c)}: admin database ${c.database} does not exist (${msg}); set database.adminDatabase to one that exists`, e, 'db-admin-database');
  }
  return failure(`${where(c)}: cannot connect (${code ? code + ' ' : ''}${msg}); check the host, port and admin credentials`, e, 'db-connect');
}

async function open(c: DirectConnection, tls: boolean): Promise<PgClient> {
  const mod = (await import('pg')) as unknown as { Client?: typeof PgClient; default?: { Client: typeof PgClient } };
  const Client = (mod.Client ?? mod.default!.Client) as typeof PgClient;
  const config: ClientConfig = {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database: c.database,
    ssl: tls ? { rejectUnauthorized: false } : false,
    connectionTimeoutMillis: c.connectTimeoutMs ?? 10_000,
    application_name: 'cyclops',
  };
  const client = new Client(config);
  client.on('error', () => undefined); // reported through the failing query instead
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
}

/** Connect with the configured TLS mode ("prefer": TLS first, plain when the server offers none). */
export async function connectDirect(c: DirectConnection): Promise<PgClient> {
  try {
    return await open(c, c.ssl !== 'disable');
  } catch (e) {
    if (c.ssl === 'prefer' && /does not support SSL/i.test(String((e as Error).message))) {
      try {
        return await open(c, false);
      } catch (e2) {
        throw connectError(e2, c);
      }
    }
    throw connectError(e, c);
  }
}

/**
 * Run a plan: read its state, then run each generator query and execute every statement it
 * returns (psql's \gexec). Returns the state read before any change.
 */
export async function runDirect(c: DirectConnection, plan: SqlPlan, vars: SqlVars, signal?: AbortSignal): Promise<Record<string, number>> {
  if (signal?.aborted) throw interrupted(`${plan.name} database: interrupted before it started; nothing was changed`);
  const client = await connectDirect(c);
  const stop = () => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  let label = 'read state';
  try {
    const st = bindVars(plan.state.sql, vars);
    const row = (await client.query(st.text, st.values)).rows[0] as Record<string, number>;
    const state = Object.fromEntries(plan.state.keys.map((k) => [k, Number(row[k])]));
    for (const step of plan.steps) {
      label = step.label;
      const q = bindVars(step.sql, vars);
      const res = await client.query({ text: q.text, values: q.values, rowMode: 'array' });
      for (const r of res.rows as unknown[][]) {
        for (const statement of r) if (typeof statement === 'string') await client.query(statement);
      }
    }
    return state;
  } catch (e) {
    if (signal?.aborted) throw interrupted(`${plan.name} database: interrupted during "${label}"; run the command again to finish`);
    if (isCyclopsError(e)) throw e;
    const err = e as { code?: string; message?: string };
    if (!err.code || /^[A-Z]+$/.test(err.code)) throw connectError(e, c);
    throw failure(`${where(c)}: ${plan.name} failed at "${label}" (${err.code} ${String(err.message).split('\n')[0]}); check that the admin user may create roles and databases`, e, 'db-sql');
  } finally {
    signal?.removeEventListener('abort', stop);
    await client.end().catch(() => undefined);
  }
}

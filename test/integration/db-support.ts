/**
 * Helpers for the database tests: configs whose environment points at the test PostgreSQL
 * (external, admin password from an environment variable) or at a managed RDS described by
 * an env stack in moto, pg clients for checking what the app role can do, and a reporter
 * that captures everything it prints.
 */
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/model';
import { Reporter } from '../../src/report/reporter';
import { TEST_REGION } from '../support/store-env';

export const ADMIN_ENV = 'CYCLOPS_TEST_PG_ADMIN_PASSWORD';

export function rawDbConfig(platform: string, database: Record<string, unknown>, apps: Record<string, unknown> = {}) {
  return {
    platform: { name: platform, region: TEST_REGION, bucket: `${platform}-bucket` },
    environments: { staging: { dns: { domain: 'staging.acme.dev' }, database } },
    apps,
  };
}

/** The test PostgreSQL as an external database; the admin password comes from ADMIN_ENV. */
export function externalDb(extra: Record<string, unknown> = {}) {
  return {
    type: 'external',
    host: process.env.PG_HOST,
    port: Number(process.env.PG_PORT),
    adminUser: process.env.PG_ADMIN_USER,
    adminPasswordEnv: ADMIN_ENV,
    ...extra,
  };
}

export function dbConfig(platform: string, database: Record<string, unknown> = externalDb(), apps?: Record<string, unknown>): Config {
  process.env[ADMIN_ENV] ??= process.env.PG_ADMIN_PASSWORD;
  return parseConfig(rawDbConfig(platform, database, apps), 'config.json');
}

/** A reporter whose stdout and stderr (verbose) are captured. */
export function capturingReporter(opts: { json?: boolean } = {}): { reporter: Reporter; output: () => string } {
  let text = '';
  const sink = () =>
    new Writable({
      write(chunk, _enc, cb) {
        text += String(chunk);
        cb();
      },
    });
  const reporter = new Reporter({ json: opts.json, verbose: true, color: false, stdout: sink(), stderr: sink() });
  return { reporter, output: () => text };
}

/** Connect as `user`; resolves to the error instead of throwing when the login is refused. */
export async function connectAs(user: string, password: string, database: string): Promise<Client | Error> {
  const c = new Client({ host: process.env.PG_HOST, port: Number(process.env.PG_PORT), user, password, database });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return c;
  } catch (e) {
    await c.end().catch(() => undefined);
    return e as Error;
  }
}

export async function adminQuery<T = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: process.env.PG_ADMIN_URL });
  await c.connect();
  try {
    return (await c.query(sql, values)).rows as T[];
  } finally {
    await c.end();
  }
}

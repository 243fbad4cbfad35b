/**
 * The SQL that gives an app its database and login, and takes them away again. Both runners
 * execute exactly these plans:
 *
 * - the direct runner (pg) binds every `:'name'` as a query parameter;
 * - the task runner (psql in a one-off ECS task) passes them as psql variables (`-v name=...`),
 *   which psql quotes as literals.
 *
 * Each step is a SELECT that *generates* the statements to run (psql's \gexec idiom), so names
 * are only ever turned into SQL by the server's own format('%I') / format('%L'): double-quoted
 * with inner quotes doubled, whatever the app name is. Nothing here concatenates a name or a
 * password into SQL text, so a hostile name cannot inject even if validation upstream were
 * skipped. CREATE DATABASE cannot run in a transaction or a DO block, hence \gexec rather than
 * PL/pgSQL; the generator's WHERE clause makes every step idempotent.
 */
import { usageError } from '../errors';

/** Variables a plan uses; every value is passed as data, never spliced into SQL. */
export interface SqlVars {
  role: string;
  db: string;
  /** ensure: the password (direct: a SCRAM verifier, so the plaintext never reaches the server) */
  pw?: string;
  /** ensure: 'true' to set the password of an existing role */
  rotate?: 'true' | 'false';
}

export interface SqlPlan {
  name: 'ensure' | 'drop';
  /** one row of 0/1 integers named `keys`, read before any change */
  state: { keys: string[]; sql: string };
  /** generator queries: every value of every row they return is a statement to execute */
  steps: { label: string; sql: string }[];
  /** variables the plan reads */
  vars: (keyof SqlVars)[];
}

const ROLE_MISSING = `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'role')`;
const DB_MISSING = `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = :'db')`;

export const ENSURE_PLAN: SqlPlan = {
  name: 'ensure',
  vars: ['role', 'db', 'pw', 'rotate'],
  state: {
    keys: ['roleCreated', 'databaseCreated'],
    sql: `SELECT (${ROLE_MISSING})::int AS "roleCreated", (${DB_MISSING})::int AS "databaseCreated"`,
  },
  steps: [
    {
      label: 'create role',
      sql: `SELECT format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'pw') WHERE ${ROLE_MISSING}`,
    },
    {
      label: 'set role password',
      sql: `SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw') WHERE :'rotate' = 'true'`,
    },
    {
      // On RDS the admin is not a superuser: it must be a member of the app role to create
      // a database owned by it, to drop it later and to end its sessions.
      label: 'grant role to admin',
      sql:
        `SELECT format('GRANT %I TO %I', :'role', current_user) ` +
        `WHERE NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) ` +
        `AND NOT pg_catalog.pg_has_role(current_user, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :'role'), 'USAGE')`,
    },
    {
      label: 'create database',
      sql: `SELECT format('CREATE DATABASE %I WITH OWNER %I', :'db', :'role') WHERE ${DB_MISSING}`,
    },
    {
      // Without PUBLIC's CONNECT, only the owner (and superusers) can connect: other apps' roles cannot.
      label: 'revoke public access',
      sql: `SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db')`,
    },
  ],
};

export const DROP_PLAN: SqlPlan = {
  name: 'drop',
  vars: ['role', 'db'],
  state: {
    keys: ['dropped'],
    sql: `SELECT (NOT (${ROLE_MISSING}) OR NOT (${DB_MISSING}))::int AS "dropped"`,
  },
  steps: [
    {
      label: 'stop new logins',
      sql: `SELECT format('ALTER ROLE %I WITH NOLOGIN', :'role') WHERE NOT (${ROLE_MISSING})`,
    },
    {
      label: 'end sessions',
      sql:
        `SELECT format('SELECT pg_catalog.pg_terminate_backend(%s)', pid) FROM pg_catalog.pg_stat_activity ` +
        `WHERE (datname = :'db' OR usename = :'role') AND pid <> pg_catalog.pg_backend_pid()`,
    },
    { label: 'drop database', sql: `SELECT format('DROP DATABASE IF EXISTS %I', :'db')` },
    { label: 'drop role', sql: `SELECT format('DROP ROLE IF EXISTS %I', :'role')` },
  ],
};

/** PostgreSQL identifiers are at most 63 bytes (longer ones are silently cut) and cannot hold NUL. */
export function checkIdentifier(what: string, name: string): void {
  if (!name || name.includes('\0') || Buffer.byteLength(name, 'utf8') > 63) {
    throw usageError(`database ${what} ${JSON.stringify(name)}: not a usable PostgreSQL identifier; use 1-63 bytes without NUL`);
  }
}

/** Replace each `:'name'` with `$n::text` (format() cannot infer a type) and collect the values, for the pg client. */
export function bindVars(sql: string, vars: SqlVars): { text: string; values: string[] } {
  const order: string[] = [];
  const text = sql.replace(/:'([a-z]+)'/g, (_m, name: string) => {
    if (!(name in vars) || (vars as unknown as Record<string, unknown>)[name] === undefined) {
      throw new Error(`sql: variable ${name} is not set`);
    }
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}::text`;
  });
  return { text, values: order.map((n) => String((vars as unknown as Record<string, string>)[n])) };
}

/** Exit codes of the task's script: 100 + the state bits; psql's own failures stay below 100. */
export const TASK_EXIT_BASE = 100;

/** Decode a task exit code into the plan's state; null when it is not a success code. */
export function decodeExit(plan: SqlPlan, code: number): Record<string, number> | null {
  const bits = code - TASK_EXIT_BASE;
  if (!Number.isInteger(bits) || bits < 0 || bits >= 1 << plan.state.keys.length) return null;
  return Object.fromEntries(plan.state.keys.map((k, i) => [k, (bits >> i) & 1]));
}

/**
 * The plan as a psql script: state into variables (\gset), each step through \gexec, and the
 * state printed as the exit code the shell wrapper returns. Output of the statements is
 * discarded (\o /dev/null) so only the code is printed.
 */
export function psqlScript(plan: SqlPlan): string {
  const code = plan.state.keys.map((k, i) => `:${k} * ${1 << i}`).join(' + ');
  return [
    '\\set ON_ERROR_STOP on',
    '\\o /dev/null',
    `${plan.state.sql} \\gset`,
    ...plan.steps.map((s) => `-- ${s.label}\n${s.sql} \\gexec`),
    `SELECT ${TASK_EXIT_BASE} + ${code} AS cyclops_exit \\gset`,
    '\\echo :cyclops_exit',
    '',
  ].join('\n');
}

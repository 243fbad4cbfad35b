/**
 * The direct runner against the real PostgreSQL 15 (scram-sha-256) from jest's global setup,
 * with the app secrets in moto's Secrets Manager.
 */
import type { Aws } from '../../src/aws/client';
import { appDatabaseInfo, dropAppDatabase, ensureAppDatabase, type DbDeps } from '../../src/database';
import { runDirect } from '../../src/database/runner-direct';
import { DROP_PLAN, ENSURE_PLAN } from '../../src/database/sql';
import { scramVerifier } from '../../src/database/password';
import { dbSecretName } from '../../src/naming';
import { isCyclopsError } from '../../src/errors';
import { motoAws } from '../support/store-env';
import { adminQuery, capturingReporter, connectAs, dbConfig, externalDb } from './db-support';

let aws: Aws;
const cap = capturingReporter();
const deps = (database?: Record<string, unknown>): DbDeps => ({ aws, config: dbConfig('dbdirect', database), reporter: cap.reporter });

async function storedSecret(app: string, stage = 'AWSCURRENT') {
  const out = await aws.secrets.send(new aws.sdk.secrets.GetSecretValueCommand({ SecretId: dbSecretName('dbdirect', 'staging', app), VersionStage: stage }));
  return JSON.parse(out.SecretString!) as { host: string; port: number; dbname: string; username: string; password: string; url: string };
}

const passwords: string[] = [];

beforeAll(async () => {
  aws = await motoAws();
});

afterAll(async () => {
  // Nothing printed, at any verbosity, ever contained a generated password.
  expect(passwords.length).toBeGreaterThan(2);
  for (const pw of passwords) expect(cap.output()).not.toContain(pw);
  expect(cap.output()).toContain('ensure database app_dshop');
});

describe('ensure, twice', () => {
  test('creates role, database and secret, then reports exists and changes nothing', async () => {
    const first = await ensureAppDatabase(deps(), 'staging', 'dshop');
    expect(first).toMatchObject({ dbname: 'app_dshop', username: 'app_dshop', database: 'created', role: 'created', secret: 'created' });
    expect(first.host).toBe(process.env.PG_HOST);
    const s1 = await storedSecret('dshop');
    passwords.push(s1.password);
    const verifier1 = await adminQuery<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', ['app_dshop']);

    const second = await ensureAppDatabase(deps(), 'staging', 'dshop');
    expect(second).toEqual({ ...first, database: 'exists', role: 'exists', secret: 'exists' });
    const s2 = await storedSecret('dshop');
    expect(s2).toEqual(s1);
    // Same stored verifier: the second run did not touch the password.
    expect(await adminQuery('SELECT rolpassword FROM pg_authid WHERE rolname = $1', ['app_dshop'])).toEqual(verifier1);
    const owner = await adminQuery<{ owner: string; acl: string }>(
      `SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = 'app_dshop'`,
    );
    expect(owner[0].owner).toBe('app_dshop');
    expect(owner[0].acl).not.toMatch(/(^|[{,])=/); // no PUBLIC entry
  });

  test('the secret holds a strong URL-safe password, a matching url, and the endpoint', async () => {
    const s = await storedSecret('dshop');
    expect(s.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s).toMatchObject({ host: process.env.PG_HOST, port: Number(process.env.PG_PORT), dbname: 'app_dshop', username: 'app_dshop' });
    expect(s.url).toBe(`postgresql://app_dshop:${s.password}@${process.env.PG_HOST}:${process.env.PG_PORT}/app_dshop`);
    const info = await appDatabaseInfo(deps(), 'staging', 'dshop');
    expect(info).toEqual({ host: s.host, port: s.port, dbname: 'app_dshop', username: 'app_dshop', secretArn: expect.stringContaining('cyclops/dbdirect/staging/dshop/database') });
    expect(JSON.stringify(info)).not.toContain(s.password);
  });

  test('the server stores a SCRAM verifier (the plaintext was never sent)', async () => {
    const rows = await adminQuery<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', ['app_dshop']);
    expect(rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });
});

describe('what the app role can do', () => {
  test('connects with the stored password and creates a table in its own database', async () => {
    const s = await storedSecret('dshop');
    const c = await connectAs(s.username, s.password, s.dbname);
    if (c instanceof Error) throw c;
    await c.query('CREATE TABLE orders (id serial PRIMARY KEY, total int)');
    await c.query('INSERT INTO orders (total) VALUES (42)');
    expect((await c.query('SELECT total FROM orders')).rows).toEqual([{ total: 42 }]);
    await c.end();
  });

  test("cannot connect to another app's database", async () => {
    await ensureAppDatabase(deps(), 'staging', 'dblog');
    const blog = await storedSecret('dblog');
    passwords.push(blog.password);
    const own = await connectAs(blog.username, blog.password, 'app_dblog');
    expect(own).not.toBeInstanceOf(Error);
    await (own as { end: () => Promise<void> }).end();
    const other = await connectAs(blog.username, blog.password, 'app_dshop');
    expect(other).toBeInstanceOf(Error);
    expect((other as Error).message).toMatch(/permission denied for database "app_dshop"/);
  });
});

describe('rotation', () => {
  test('--rotate-password: old password fails, new one works, the secret holds it', async () => {
    const before = await storedSecret('dshop');
    const r = await ensureAppDatabase(deps(), 'staging', 'dshop', { rotatePassword: true });
    expect(r).toMatchObject({ database: 'exists', role: 'rotated', secret: 'updated' });
    const after = await storedSecret('dshop');
    passwords.push(after.password);
    expect(after.password).not.toBe(before.password);
    expect(after.url).toContain(after.password);
    expect((await storedSecret('dshop', 'AWSPREVIOUS')).password).toBe(before.password);
    const old = await connectAs('app_dshop', before.password, 'app_dshop');
    expect(old).toBeInstanceOf(Error);
    expect((old as Error).message).toMatch(/password authentication failed/);
    const fresh = await connectAs('app_dshop', after.password, 'app_dshop');
    if (fresh instanceof Error) throw fresh;
    expect((await fresh.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(1);
    await fresh.end();
    // and the next plain ensure keeps the rotated password
    expect(await ensureAppDatabase(deps(), 'staging', 'dshop')).toMatchObject({ role: 'exists', secret: 'exists' });
    expect((await storedSecret('dshop')).password).toBe(after.password);
  });

  test('a lost secret gets a new password, and the existing role takes it', async () => {
    await aws.secrets.send(new aws.sdk.secrets.DeleteSecretCommand({ SecretId: dbSecretName('dbdirect', 'staging', 'dblog'), ForceDeleteWithoutRecovery: true }));
    const r = await ensureAppDatabase(deps(), 'staging', 'dblog');
    expect(r).toMatchObject({ database: 'exists', role: 'rotated', secret: 'created' });
    const s = await storedSecret('dblog');
    passwords.push(s.password);
    const c = await connectAs(s.username, s.password, s.dbname);
    if (c instanceof Error) throw c;
    await c.end();
  });
});

describe('drop', () => {
  test('ends sessions, drops database, role and secret; a second drop finds nothing', async () => {
    const s = await storedSecret('dblog');
    const session = await connectAs(s.username, s.password, s.dbname);
    if (session instanceof Error) throw session;
    const ended = new Promise<Error>((resolve) => session.on('error', resolve));
    expect(await dropAppDatabase(deps(), 'staging', 'dblog')).toEqual({ dropped: true });
    expect((await ended).message).toMatch(/terminat/);
    expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = 'app_dblog'`)).toEqual([]);
    expect(await adminQuery(`SELECT 1 FROM pg_roles WHERE rolname = 'app_dblog'`)).toEqual([]);
    await expect(storedSecret('dblog')).rejects.toThrow();
    expect(await dropAppDatabase(deps(), 'staging', 'dblog')).toEqual({ dropped: false });
  });
});

describe('an admin that is not a superuser (as on RDS)', () => {
  const adminPw = 'rds-like-admin-pw-' + Date.now();
  beforeAll(async () => {
    await adminQuery(`DROP ROLE IF EXISTS dbdirect_master`);
    await adminQuery(`CREATE ROLE dbdirect_master LOGIN CREATEDB CREATEROLE PASSWORD '${adminPw}'`);
    process.env.CYCLOPS_TEST_RDS_LIKE_PW = adminPw;
  });

  test('ensure grants it the app role idempotently, and drop works', async () => {
    const d = deps(externalDb({ adminUser: 'dbdirect_master', adminPasswordEnv: 'CYCLOPS_TEST_RDS_LIKE_PW' }));
    expect(await ensureAppDatabase(d, 'staging', 'dnosuper')).toMatchObject({ database: 'created', role: 'created' });
    expect(await ensureAppDatabase(d, 'staging', 'dnosuper')).toMatchObject({ database: 'exists', role: 'exists' });
    const grants = await adminQuery(
      `SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = 'app_dnosuper' AND u.rolname = 'dbdirect_master'`,
    );
    expect(grants).toHaveLength(1);
    const s = await storedSecret('dnosuper');
    passwords.push(s.password);
    const c = await connectAs(s.username, s.password, s.dbname);
    if (c instanceof Error) throw c;
    await c.query('CREATE TABLE t (x int)');
    await c.end();
    expect(await dropAppDatabase(d, 'staging', 'dnosuper')).toEqual({ dropped: true });
    expect(await adminQuery(`SELECT 1 FROM pg_roles WHERE rolname = 'app_dnosuper'`)).toEqual([]);
  });
});

describe('hostile names at the SQL layer (as if validation upstream were skipped)', () => {
  const conn = () => ({
    host: process.env.PG_HOST!,
    port: Number(process.env.PG_PORT),
    user: process.env.PG_ADMIN_USER!,
    password: process.env.PG_ADMIN_PASSWORD!,
    database: 'postgres',
    ssl: 'disable' as const,
  });
  const hostile = [`x"; DROP DATABASE postgres; --`, `a'b"c\\d`, `ünï—çødé 🐘`, `x'); DROP ROLE postgres; --`];

  test.each(hostile)('%s becomes exactly that role and database, and nothing else runs', async (name) => {
    const pw = "p'w\"; DROP DATABASE postgres; --";
    const state = await runDirect(conn(), ENSURE_PLAN, { role: name, db: name, pw: scramVerifier(pw), rotate: 'false' });
    expect(state).toEqual({ roleCreated: 1, databaseCreated: 1 });
    expect(await adminQuery('SELECT rolname FROM pg_roles WHERE rolname = $1', [name])).toEqual([{ rolname: name }]);
    expect(await adminQuery('SELECT pg_get_userbyid(datdba) AS o FROM pg_database WHERE datname = $1', [name])).toEqual([{ o: name }]);
    expect(await adminQuery(`SELECT datname FROM pg_database WHERE datname = 'postgres'`)).toHaveLength(1);
    const c = await connectAs(name, pw, name);
    if (c instanceof Error) throw c;
    await c.end();
    expect(await runDirect(conn(), DROP_PLAN, { role: name, db: name })).toEqual({ dropped: 1 });
    expect(await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).toEqual([]);
    expect(await adminQuery(`SELECT rolname FROM pg_roles WHERE rolname = 'postgres'`)).toHaveLength(1);
  });

  test('an app name that is not a DNS label is refused before anything runs', async () => {
    await expect(ensureAppDatabase(deps(), 'staging', 'x"; DROP DATABASE postgres; --')).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('connection failures name host:port and what to check', () => {
  test('ssl "require" against a server without TLS', async () => {
    const err = await ensureAppDatabase(deps(externalDb({ ssl: 'require' })), 'staging', 'dtls').catch((e) => e);
    expect(isCyclopsError(err)).toBe(true);
    expect(err.message).toBe(
      `database ${process.env.PG_HOST}:${process.env.PG_PORT}: the server does not offer TLS and ssl is "require"; enable TLS on the server, or set database.ssl to "prefer"`,
    );
    expect(err.exitCode).toBe(1);
  });

  test('nothing listening', async () => {
    const err = await ensureAppDatabase(deps(externalDb({ port: 1 })), 'staging', 'dtls').catch((e) => e);
    expect(err.message).toMatch(/^database 127\.0\.0\.1:1: cannot connect from this machine \(ECONNREFUSED\); check the host and port, that a security group or VPN/);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.exitCode).toBe(1);
  });

  test('wrong admin password', async () => {
    process.env.CYCLOPS_TEST_WRONG_PW = 'not-the-password';
    const err = await ensureAppDatabase(deps(externalDb({ adminPasswordEnv: 'CYCLOPS_TEST_WRONG_PW' })), 'staging', 'dtls').catch((e) => e);
    expect(err.message).toMatch(/admin user postgres was rejected .*; check the admin user and password/);
    expect(cap.output()).not.toContain('not-the-password');
  });
});

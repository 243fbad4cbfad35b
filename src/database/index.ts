/**
 * Each app's own database and login on its environment's PostgreSQL, idempotently. The
 * secret `cyclops/<env>/<app>/database` is the source of truth for the password: a second
 * ensure reads it and changes nothing; --rotate-password writes a pending version, sets the
 * role's password, then makes the new version current. `deploy` calls ensureAppDatabase and
 * `destroy --drop-database` calls dropAppDatabase.
 */
import { appConfig, type Config } from '../config/model';
import { usageError } from '../errors';
import { checkApp, checkEnv, dbName, dbRole, dbSecretName, legacyDbSecretName, tags } from '../naming';
import {
  appSecretValue,
  createAppSecret,
  deleteAppSecret,
  moveLegacyAppSecret,
  promoteSecretVersion,
  putAppSecret,
  readAppSecret,
  sameEndpoint,
} from './credentials';
import { generatePassword, scramVerifier } from './password';
import { runDirect } from './runner-direct';
import { runTask } from './runner-task';
import { checkIdentifier, DROP_PLAN, ENSURE_PLAN, type SqlPlan, type SqlVars } from './sql';
import { checkTarget, directConnection, resolveTarget, taskAdmin, type DbDeps, type DbTarget, type Runner } from './target';

export type { DbDeps, Runner } from './target';

export interface DbEnsureResult {
  host: string;
  port: number;
  dbname: string;
  username: string;
  secretArn: string;
  database: 'created' | 'exists';
  role: 'created' | 'exists' | 'rotated';
  secret: 'created' | 'exists' | 'updated';
}
export type DbInfo = Omit<DbEnsureResult, 'database' | 'role' | 'secret'>;

function names(platform: string, env: string, app: string) {
  checkApp(app);
  const n = { db: dbName(app), role: dbRole(app), secret: dbSecretName(platform, env, app), legacy: legacyDbSecretName(env, app) };
  checkIdentifier('name', n.db);
  checkIdentifier('role', n.role);
  return n;
}

/** Run a plan with the target's runner. `app` carries the app password for ensure. */
async function run(
  deps: DbDeps,
  t: DbTarget,
  plan: SqlPlan,
  vars: Omit<SqlVars, 'pw'>,
  app?: { password: string; valueFrom: string },
): Promise<Record<string, number>> {
  deps.reporter.step('db.plan', { db: vars.db, host: t.host, port: t.port, runner: t.runner }, `${plan.name} database ${vars.db} on ${t.host}:${t.port} (${t.runner} runner)`);
  if (t.runner === 'direct') {
    const conn = await directConnection(deps, t);
    const pw = app ? scramVerifier(app.password) : undefined;
    deps.reporter.secret(pw);
    return runDirect(conn, plan, { ...vars, ...(pw ? { pw } : {}) }, deps.signal);
  }
  const admin = await taskAdmin(deps, t);
  const secrets = app ? { ...admin.secrets, APP_PASSWORD: app.valueFrom } : admin.secrets;
  return runTask(deps.aws, admin.task, { plan, vars, environment: admin.environment, secrets }, { signal: deps.signal, wait: deps.taskWait, reporter: deps.reporter });
}

/** The ECS valueFrom for the password's SCRAM verifier in one version of the secret. */
const verifierRef = (arn: string, versionId: string) => `${arn}:verifier::${versionId}`;

/** Everything config alone can say against ensuring app's database in env (no I/O). */
export function checkEnsure(config: Config, env: string, app: string, runner?: Runner): void {
  names(config.platform.name, env, app);
  if (!appConfig(config, app, env).database) {
    throw usageError(`app ${app}: has "database": false in ${config.file}; remove that to give it a database`);
  }
  checkTarget(config, env, runner);
}

/**
 * Everything a deploy or `db ensure` can check before it writes anything: config, and the
 * local admin password variable the direct runner will need (exit 2, nothing touched).
 */
export function checkCredentials(config: Config, env: string, app: string, runner?: Runner): void {
  checkEnsure(config, env, app, runner);
  const { db, runner: chosen } = checkTarget(config, env, runner);
  if (db.type === 'external' && chosen === 'direct' && db.adminPasswordEnv && !process.env[db.adminPasswordEnv]) {
    throw usageError(`environment ${env}: the admin password variable ${db.adminPasswordEnv} is not set; export it, then run again`);
  }
}

export async function ensureAppDatabase(deps: DbDeps, env: string, app: string, opts: { rotatePassword?: boolean } = {}): Promise<DbEnsureResult> {
  const n = names(deps.config.platform.name, env, app);
  checkEnsure(deps.config, env, app, deps.runner);
  const t = await resolveTarget(deps, env);
  const { aws, reporter } = deps;
  const value = (password: string) => appSecretValue(t.host, t.port, n.db, n.role, password, t.ssl);

  const ownTags = tags({ platform: deps.config.platform.name, env, app });
  const existing = (await readAppSecret(aws, n.secret, reporter)) ?? (await moveLegacyAppSecret(aws, n.legacy, n.secret, ownTags, reporter));
  let secret: DbEnsureResult['secret'];
  let arn: string;
  let versionId: string;
  let password: string;
  let pending: { versionId: string; current: string } | undefined;
  if (!existing) {
    password = generatePassword();
    reporter.secret(password);
    ({ arn, versionId } = await createAppSecret(aws, n.secret, value(password), ownTags));
    secret = 'created';
  } else if (opts.rotatePassword) {
    password = generatePassword();
    reporter.secret(password);
    arn = existing.arn;
    versionId = await putAppSecret(aws, arn, value(password), ['AWSPENDING']);
    pending = { versionId, current: existing.versionId };
    secret = 'updated';
  } else {
    ({ arn, versionId } = existing);
    password = existing.value.password;
    secret = 'exists';
    if (!existing.value.verifier || !sameEndpoint(existing.value, value(password))) {
      // Written by an older cyclops, or the endpoint moved: bring the secret up to date first,
      // since the task runner reads the verifier from this very version.
      versionId = await putAppSecret(aws, arn, value(password));
      secret = 'updated';
    }
  }
  reporter.secret(value(password).url);

  // A new secret means the password is new: an existing role must take it.
  const rotate = !existing || !!opts.rotatePassword;
  const state = await run(deps, t, ENSURE_PLAN, { role: n.role, db: n.db, rotate: rotate ? 'true' : 'false' }, { password, valueFrom: verifierRef(arn, versionId) });

  if (pending) await promoteSecretVersion(aws, arn, pending.versionId, pending.current);
  const result: DbEnsureResult = {
    host: t.host,
    port: t.port,
    dbname: n.db,
    username: n.role,
    secretArn: arn,
    database: state.databaseCreated ? 'created' : 'exists',
    role: state.roleCreated ? 'created' : rotate ? 'rotated' : 'exists',
    secret,
  };
  reporter.debug('db.result', { db: n.db, database: result.database, role: result.role, secret: result.secret }, `database ${n.db}: database ${result.database}, role ${result.role}, secret ${result.secret}`);
  return result;
}

/** Ends the app's sessions, drops its database and role, and deletes its secret. */
export async function dropAppDatabase(deps: DbDeps, env: string, app: string): Promise<{ dropped: boolean }> {
  const n = names(deps.config.platform.name, env, app);
  const e = Object.hasOwn(deps.config.environments, env) ? deps.config.environments[env] : undefined;
  if (e?.database.type === 'none') return { dropped: false };
  const t = await resolveTarget(deps, env);
  const state = await run(deps, t, DROP_PLAN, { role: n.role, db: n.db });
  const deleted = await deleteAppSecret(deps.aws, n.secret);
  return { dropped: !!state.dropped || deleted };
}

/** Where the app's database is and which secret holds its login; never the password. */
export async function appDatabaseInfo(deps: DbDeps, env: string, app: string): Promise<DbInfo> {
  const n = names(deps.config.platform.name, env, app);
  checkEnv(deps.config, env);
  const s = await readAppSecret(deps.aws, n.secret, deps.reporter);
  if (!s) throw usageError(`app ${app} in ${env}: has no database secret ${n.secret}; run "cyclops db ensure ${app} ${env}" first`);
  return { host: s.value.host, port: s.value.port, dbname: s.value.dbname, username: s.value.username, secretArn: s.arn };
}

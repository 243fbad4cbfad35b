/**
 * An app's SES SMTP credentials (`apps.<app>.email: {smtp: true}`): an IAM user of its own under
 * the platform's path and permissions boundary, allowed only ses:SendRawEmail as the
 * environment's identity through its configuration set; one access key; and the secret
 * `cyclops/<platform>/<env>/<app>/smtp` holding {username: access key id, password: SMTP
 * password derived from the secret key for the environment's region}.
 *
 * SES's SMTP interface authorises a message as ses:SendRawEmail ("Obtaining Amazon SES SMTP
 * credentials": the policy to apply to a user whose key is converted, and the SMTP password is
 * a signature of the message "SendRawEmail"): https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html
 * Its resources are the identity and the configuration set (Service Authorization Reference,
 * Amazon SES: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonses.html).
 *
 * The secret access key lives only in this process's memory, long enough to derive the
 * password; both are registered with the reporter, which masks them in any output.
 *
 * IAM allows two access keys per user (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 * Which key is which is decided from the secret, never from memory: the key its current version
 * names is in use; the key its previous version names is the one a rotation replaced and running
 * tasks may still hold (a rotation interrupted after it stored the new password); any other key
 * was made by an interrupted run and never stored, so nothing can use it.
 */
import { appConfig, envRegion, type Config } from '../config/model';
import { usageError } from '../errors';
import { say, type Events, type Redactor } from '../events';
import { partitionOf } from '../iam/operator';
import { boundaryPolicyName, emailConfigurationSet, iamPath, smtpSecretName, smtpUserName, TAG_PLATFORM, tags } from '../naming';
import type { Ops } from '../ops/context';
import { smtpPassword } from './smtp-password';

export interface SmtpIds {
  platform: string;
  env: string;
  app: string;
}

/** The inline policy the SMTP user gets: the only permission it has. */
export const SMTP_POLICY_NAME = 'send-raw-email';

/** Whether the app sends over SMTP in this environment (its email on, with smtp, and the environment's email on). */
export function wantsSmtp(config: Config, env: string, app: string): boolean {
  if (!Object.hasOwn(config.apps, app) || !config.environments[env]?.email) return false;
  return appConfig(config, app, env).email?.smtp === true;
}

interface Names {
  user: string;
  path: string;
  secret: string;
  region: string;
  partition: string;
}

function names(config: Config, t: SmtpIds): Names {
  const region = envRegion(config, t.env);
  return { user: smtpUserName(t.platform, t.env, t.app), path: iamPath(t.platform), secret: smtpSecretName(t.platform, t.env, t.app), region, partition: partitionOf(region) };
}

/** ses:SendRawEmail as the environment's identity, through its configuration set; nothing else. */
export function smtpPolicy(config: Config, t: SmtpIds, account: string): string {
  const e = config.environments[t.env];
  if (!e?.email) throw usageError(`environment ${t.env}: has no email; set environments.${t.env}.email in ${config.file}`);
  const n = names(config, t);
  const ses = (resource: string) => `arn:${n.partition}:ses:${n.region}:${account}:${resource}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: [ses(`identity/${e.email.domain}`), ses(`configuration-set/${emailConfigurationSet(t.platform, t.env)}`)] }],
  });
}

/** The user, under the platform's path and boundary, with its one policy; refused when the name is another's. */
async function ensureUser(ops: Ops, t: SmtpIds, n: Names): Promise<'created' | 'exists'> {
  const account = await ops.identity.account();
  const boundary = `arn:${n.partition}:iam::${account}:policy${n.path}${boundaryPolicyName(t.platform)}`;
  const policy = smtpPolicy(ops.config, t, account);
  const found = await ops.email.user(n.user);
  if (found && (found.path !== n.path || found.tags[TAG_PLATFORM] !== t.platform)) {
    throw usageError(`IAM user ${n.user}: exists under path ${found.path}, not as platform ${t.platform}'s SMTP user of ${t.app} (path ${n.path}, tag ${TAG_PLATFORM}=${t.platform}); rename or delete that user, then run again`);
  }
  if (!found) {
    await ops.email.createUser({ name: n.user, path: n.path, boundary, tags: tags(t) });
    say.step(ops.events, 'email.smtp.user-created', { user: n.user, path: n.path }, `created IAM user ${n.path}${n.user} (SMTP sender of ${t.app} in ${t.env}, boundary ${boundaryPolicyName(t.platform)})`);
  } else if (found.boundary !== boundary) {
    await ops.email.setBoundary(n.user, boundary);
    say.step(ops.events, 'email.smtp.boundary-set', { user: n.user }, `IAM user ${n.user}: set its permissions boundary to ${boundaryPolicyName(t.platform)}`);
  }
  await ops.email.putPolicy(n.user, SMTP_POLICY_NAME, policy);
  return found ? 'exists' : 'created';
}

/** Which of the user's keys the secret's current and previous versions name. */
interface KeyState {
  keys: { id: string; created: Date }[];
  /** the key the secret names, when it exists */
  current: string | null;
  /** keys a rotation replaced that running tasks may still hold */
  replaced: string[];
  /** keys no secret version names: made by an interrupted run, never stored */
  unstored: string[];
}

async function keyState(ops: Ops, n: Names): Promise<KeyState> {
  const [listed, names] = await Promise.all([ops.email.keys(n.user), ops.email.storedUsernames(n.secret)]);
  const keys = [...listed].sort((a, b) => a.created.getTime() - b.created.getTime()); // oldest first
  const ids = new Set(keys.map((k) => k.id));
  const current = names.current && ids.has(names.current) ? names.current : null;
  const others = keys.filter((k) => k.id !== current);
  const replaced = current ? others.filter((k) => k.id === names.previous).map((k) => k.id) : [];
  return { keys, current, replaced, unstored: others.filter((k) => !replaced.includes(k.id)).map((k) => k.id) };
}

async function deleteKeys(ops: Ops, n: Names, ids: string[], why: string): Promise<void> {
  for (const id of ids) {
    await ops.email.deleteKey(n.user, id);
    say.step(ops.events, 'email.smtp.key-deleted', { user: n.user, key: id, why }, `deleted access key ${id} of ${n.user} (${why})`);
  }
}

/** Mask a value in everything the reporter renders (the live reporter is a Redactor). */
const redact = (ops: Ops, value: string) => (ops.events as Events & Partial<Redactor>).secret?.(value);

/** A new key, its password derived for the region and stored; the secret key is gone when this returns. */
async function newKey(ops: Ops, t: SmtpIds, n: Names): Promise<string> {
  const key = await ops.email.createKey(n.user);
  redact(ops, key.secret);
  let password: string;
  try {
    password = smtpPassword(key.secret, n.region);
  } finally {
    key.secret = '';
  }
  redact(ops, password);
  say.step(ops.events, 'email.smtp.key-created', { user: n.user, key: key.id }, `created access key ${key.id} for ${n.user}`);
  await ops.email.store(n.secret, JSON.stringify({ username: key.id, password }), tags(t));
  say.step(ops.events, 'email.smtp.password-stored', { secret: n.secret, key: key.id }, `stored the SMTP password of key ${key.id} in secret ${n.secret}`);
  return key.id;
}

export interface SmtpEnsureResult {
  user: string;
  secret: string;
  /** the access key id, which is the SMTP user name (not a secret) */
  accessKeyId: string;
  userState: 'created' | 'exists';
  key: 'created' | 'exists';
}

/**
 * Deploy: the user, its policy, and a key whose password the secret holds, made when missing.
 * The caller holds the app lock. A key the secret does not name is unusable (its secret half
 * exists nowhere) and is deleted once a new one is stored; a key a rotation replaced is left for
 * `email rotate` to retire after the services restart.
 */
export async function ensureSmtp(ops: Ops, t: SmtpIds, checkpoint: () => void = () => {}): Promise<SmtpEnsureResult> {
  const n = names(ops.config, t);
  const userState = await ensureUser(ops, t, n);
  const s = await keyState(ops, n);
  const base = { user: n.user, secret: n.secret, userState };
  if (s.current) {
    await deleteKeys(ops, n, s.unstored, 'never stored: an interrupted run made it');
    if (s.replaced.length) {
      say.warn(ops.events, 'email.smtp.rotation-unfinished', { user: n.user, keys: s.replaced }, `${n.user} still has the key a rotation replaced (${s.replaced.join(', ')}); finish with "cyclops email rotate ${t.app} ${t.env}"`);
    }
    return { ...base, accessKeyId: s.current, key: 'exists' };
  }
  // no usable stored key: make room (two keys per user), store a new one, then drop the rest
  checkpoint();
  if (s.keys.length >= 2) await deleteKeys(ops, n, [s.unstored[0]], 'no secret names it; IAM allows two keys per user');
  const id = await newKey(ops, t, n);
  await deleteKeys(ops, n, s.unstored.slice(s.keys.length >= 2 ? 1 : 0), 'no secret names it');
  return { ...base, accessKeyId: id, key: 'created' };
}

export interface SmtpRotateResult {
  user: string;
  secret: string;
  accessKeyId: string;
  /** the keys deleted once the services ran with the new one */
  retired: string[];
  /** services restarted to read the new password */
  restarted: string[];
  /** a rotation interrupted after it stored the new password was finished, no new key made */
  resumed: boolean;
}

/**
 * `email rotate`: a new key, stored; the services restarted and rolled out (`restart`, which
 * returns the services it restarted, none when the app is not deployed); then the old key is
 * deleted. A rerun after an interruption converges: a key made but never stored is deleted
 * first; a password stored but not yet rolled out is rolled out, then the old key goes.
 */
export async function rotateSmtp(ops: Ops, t: SmtpIds, restart: () => Promise<string[]>, checkpoint: () => void = () => {}): Promise<SmtpRotateResult> {
  const n = names(ops.config, t);
  await ensureUser(ops, t, n);
  const s = await keyState(ops, n);
  const base = { user: n.user, secret: n.secret };
  checkpoint();
  if (s.current && s.replaced.length) {
    say.step(ops.events, 'email.smtp.rotation-resumed', { user: n.user, key: s.current }, `finishing the rotation that stored key ${s.current}: restarting, then deleting ${s.replaced.join(', ')}`);
    await deleteKeys(ops, n, s.unstored, 'never stored: an interrupted run made it');
    const restarted = await restart();
    checkpoint();
    await deleteKeys(ops, n, s.replaced, 'replaced by the rotation');
    return { ...base, accessKeyId: s.current, retired: s.replaced, restarted, resumed: true };
  }
  const old = [...(s.current ? [s.current] : []), ...s.unstored];
  // room for the new key: a key nothing stored goes first, then (no usable key at all) the oldest
  if (s.keys.length >= 2) {
    const drop = s.unstored[0];
    await deleteKeys(ops, n, [drop], 'never stored; IAM allows two keys per user');
    old.splice(old.indexOf(drop), 1);
  }
  const id = await newKey(ops, t, n);
  const restarted = await restart();
  checkpoint();
  await deleteKeys(ops, n, old, 'replaced by the rotation');
  return { ...base, accessKeyId: id, retired: old, restarted, resumed: false };
}

export interface SmtpRemoveResult {
  user: string;
  deleted: boolean;
  keys: number;
  secret: 'deleted' | 'missing' | 'not-ours';
}

/**
 * Destroy: every key, the user (with its policy) and the secret. The secret is deleted without
 * a recovery window: its password belongs to a key that no longer exists. A user or secret of
 * another platform's is left alone.
 */
export async function removeSmtp(ops: Ops, t: SmtpIds): Promise<SmtpRemoveResult | null> {
  const n = names(ops.config, t);
  // IAM is asked about the user only when the app has (or had) SMTP: config asks for it, or its
  // secret is there (config may no longer ask). Every other destroy makes no IAM call at all.
  const had = wantsSmtp(ops.config, t.env, t.app) || (await ops.email.secretExists(n.secret));
  const found = had ? await ops.email.user(n.user) : null;
  const ours = !!found && found.path === n.path && found.tags[TAG_PLATFORM] === t.platform;
  let keys = 0;
  if (ours) {
    const all = await ops.email.keys(n.user);
    await deleteKeys(ops, n, all.map((k) => k.id), 'destroy');
    keys = all.length;
    await ops.email.deleteUser(n.user);
    say.step(ops.events, 'email.smtp.user-deleted', { user: n.user }, `deleted IAM user ${n.user}`);
  }
  const secret = await ops.email.deleteSecret(n.secret, t.platform);
  if (secret === 'deleted') say.step(ops.events, 'email.smtp.secret-deleted', { secret: n.secret }, `deleted secret ${n.secret}`);
  if (!ours && secret !== 'deleted') return null;
  return { user: n.user, deleted: ours, keys, secret };
}

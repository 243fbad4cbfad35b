/**
 * An app's SMTP user over the in-memory fakes: what deploy makes and in which order, how
 * `email rotate` replaces the key (and converges after each interruption), and what destroy
 * removes. The derivation itself is proven against AWS's example in email-smtp-password.test.ts;
 * the AWS side (user path, boundary, keys, secret) against moto in test/integration/email-smtp-moto.test.ts.
 */
import { destroyApp } from '../../src/ops/apps';
import { deploy } from '../../src/ops/deploy';
import { rotateEmail } from '../../src/ops/email';
import { ensureSmtp, smtpPolicy } from '../../src/email/smtp-user';
import { smtpPassword } from '../../src/email/smtp-password';
import { parseImage } from '../../src/plan/inputs';
import { failure, fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const USER = 'acme-staging-web-smtp';
const SECRET = 'cyclops/acme/staging/web/smtp';
const config = (email: unknown = { smtp: true }) =>
  testConfig({
    environments: { staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' }, email: true } },
    apps: { web: { processes: { web: { port: 8080 } }, database: false, email } },
  });
const deployWeb = (f: Fake) => deploy(f.ops, { target: t, image: 'nginx:1.27', ref: parseImage('nginx:1.27') });
const keyIds = (f: Fake) => (f.email.keys.get(USER) ?? []).map((k) => k.id);
const stored = (f: Fake) => JSON.parse(f.email.secrets.get(SECRET)!.at(-1)!.value) as { username: string; password: string };
/** the secret half of a key the fake made (what AWS returned to CreateAccessKey) */
const secretOf = (f: Fake, id: string) => [...f.email.keys.values()].flat().find((k) => k.id === id)?.secret;

test('deploy makes the user (path, boundary, one policy), one key and the secret before the stack, and the password is the key derived for the region', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const u = f.email.users.get(USER)!;
  expect(u).toMatchObject({ path: '/cyclops/acme/', boundary: 'arn:aws:iam::123456789012:policy/cyclops/acme/acme-boundary', tags: { 'cyclops:platform': 'acme', 'cyclops:env': 'staging', 'cyclops:app': 'web' } });
  expect(JSON.parse(u.policies['send-raw-email'])).toEqual({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: ['arn:aws:ses:eu-west-1:123456789012:identity/staging.acme.dev', 'arn:aws:ses:eu-west-1:123456789012:configuration-set/cyclops-acme-staging'] }],
  });
  expect(keyIds(f)).toHaveLength(1);
  const value = stored(f);
  expect(value.username).toBe(keyIds(f)[0]);
  expect(value.password).toBe(smtpPassword(secretOf(f, value.username)!, 'eu-west-1'));
  expect(f.calls.indexOf('email.store')).toBeLessThan(f.calls.indexOf('stacks.apply'));
  // the secret key and the password appear in no event
  const said = JSON.stringify(f.events.events);
  expect(said).not.toContain(value.password);
  expect(said).not.toContain(secretOf(f, value.username));
});

test('a second deploy changes no key; a deploy without smtp makes no user', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const first = keyIds(f);
  f.calls.length = 0;
  await ensureSmtp(f.ops, t);
  expect(keyIds(f)).toEqual(first);
  expect(f.calls).not.toContain('email.createKey');
  expect(f.calls).not.toContain('email.store');
  const g = fakeOps(config(true));
  await deployWeb(g);
  expect(g.email.users.size).toBe(0);
  expect(g.calls.filter((c) => c.startsWith('email.'))).toEqual([]);
});

test('a key the secret does not name (an interrupted first deploy) is replaced, never left beside the new one', async () => {
  const f = fakeOps(config());
  await ensureSmtp(f.ops, t);
  f.email.secrets.delete(SECRET); // as if the run died between CreateAccessKey and storing
  const lost = keyIds(f)[0];
  await f.ops.email.createKey(USER); // and a second leftover: IAM's two keys are both taken
  const r = await ensureSmtp(f.ops, t);
  expect(r.key).toBe('created');
  expect(keyIds(f)).toEqual([r.accessKeyId]);
  expect(keyIds(f)).not.toContain(lost);
  expect(stored(f).username).toBe(r.accessKeyId);
});

test('a user of the same name that is not this platform\'s is refused, untouched', async () => {
  const f = fakeOps(config());
  f.email.users.set(USER, { arn: 'x', path: '/', tags: {}, policies: {} });
  const e = await failure(ensureSmtp(f.ops, t));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/IAM user acme-staging-web-smtp: exists under path \/, not as platform acme's SMTP user of web/);
  expect(f.email.users.get(USER)!.policies).toEqual({});
});

test('email rotate: new key stored, services rolled out, then the old key deleted; the password follows the key', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const old = keyIds(f)[0];
  f.calls.length = 0;
  const r = await rotateEmail(f.ops, t);
  expect(r.retired).toEqual([old]);
  expect(r.restarted).toEqual(['web-web']);
  expect(keyIds(f)).toEqual([r.accessKeyId]);
  expect(stored(f)).toEqual({ username: r.accessKeyId, password: smtpPassword(secretOf(f, r.accessKeyId)!, 'eu-west-1') });
  const order = ['email.createKey', 'email.store', 'services.restart', 'services.waitForRollout', 'email.deleteKey'].map((c) => f.calls.indexOf(c));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(f.calls[0]).toBe('store.acquireLock');
});

test('email rotate interrupted after the key was made, before it was stored: the rerun deletes that key and rotates', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const inUse = keyIds(f)[0];
  f.onCall('email.store', () => {
    if (f.email.keys.get(USER)!.length === 2 && !f.calls.includes('rerun')) throw new Error('killed');
  });
  await expect(rotateEmail(f.ops, t)).rejects.toThrow('killed');
  const orphan = keyIds(f).find((k) => k !== inUse)!;
  expect(stored(f).username).toBe(inUse); // the tasks' key still works
  f.calls.push('rerun');
  const r = await rotateEmail(f.ops, t);
  expect(keyIds(f)).toEqual([r.accessKeyId]);
  expect([orphan, inUse]).not.toContain(r.accessKeyId);
  expect(r.resumed).toBe(false);
});

test('email rotate interrupted after storing, before the rollout finished: the rerun rolls out and deletes the old key, no third key', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const old = keyIds(f)[0];
  let fail = true;
  f.onCall('services.waitForRollout', () => {
    if (fail) throw new Error('timed out');
  });
  await expect(rotateEmail(f.ops, t)).rejects.toThrow('timed out');
  const fresh = stored(f).username;
  expect(keyIds(f).sort()).toEqual([old, fresh].sort()); // running tasks may still use the old one: kept
  // a deploy meanwhile keeps both and says how to finish
  await ensureSmtp(f.ops, t);
  expect(keyIds(f)).toHaveLength(2);
  expect(f.events.of('warning').map((e) => e.code)).toContain('email.smtp.rotation-unfinished');
  fail = false;
  const created = f.calls.filter((c) => c === 'email.createKey').length;
  const r = await rotateEmail(f.ops, t);
  expect(r).toMatchObject({ resumed: true, accessKeyId: fresh, retired: [old], restarted: ['web-web'] });
  expect(keyIds(f)).toEqual([fresh]);
  expect(f.calls.filter((c) => c === 'email.createKey').length).toBe(created);
});

test('email rotate of an app without SMTP is exit 2 before any lock', async () => {
  const f = fakeOps(config(true));
  const e = await failure(rotateEmail(f.ops, t));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/app web in staging: sends no mail over SMTP \(apps\.web\.email is not \{"smtp": true\} in staging\)/);
  expect(f.calls).toEqual([]);
});

test('destroy deletes the keys, the user and the secret; a rerun finds nothing', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const r = await destroyApp(f.ops, t);
  expect(r.smtp).toEqual({ user: USER, deleted: true, keys: 1, secret: 'deleted' });
  expect(f.email.users.has(USER)).toBe(false);
  expect(f.email.secrets.has(SECRET)).toBe(false);
  const again = await destroyApp(f.ops, t);
  expect(again.smtp).toBeUndefined();
});

test('destroy of an app that never had SMTP asks IAM nothing (no user look-up to be denied)', async () => {
  const f = fakeOps(config(true));
  await deployWeb(f);
  f.calls.length = 0;
  const r = await destroyApp(f.ops, t);
  expect(r.smtp).toBeUndefined();
  expect(f.calls).toContain('email.secretExists');
  expect(f.calls.filter((c) => /^email\.(user|keys|deleteUser|deleteKey)$/.test(c))).toEqual([]);
});

test('an app whose config no longer asks for SMTP still loses its user, keys and secret on destroy (its secret says it had one)', async () => {
  const f = fakeOps(config());
  await deployWeb(f);
  const without = fakeOps(config(true));
  Object.assign(f.ops, { config: without.ops.config });
  const r = await destroyApp(f.ops, t);
  expect(r.smtp).toEqual({ user: USER, deleted: true, keys: 1, secret: 'deleted' });
  expect(f.email.users.has(USER)).toBe(false);
});

test('the policy names the environment region and account, and refuses an environment without email', () => {
  expect(JSON.parse(smtpPolicy(config(), t, '210987654321')).Statement[0].Resource[0]).toBe('arn:aws:ses:eu-west-1:210987654321:identity/staging.acme.dev');
  expect(() => smtpPolicy(testConfig(), t, '1')).toThrow(/environment staging: has no email/);
});

test("the user's name fits IAM's 64 characters, and long names stay apart", async () => {
  const { smtpUserName } = await import('../../src/naming');
  const a = smtpUserName('platform-twenty-char', 'environment-twenty-c', 'a'.repeat(63));
  const b = smtpUserName('platform-twenty-char', 'environment-twenty-c', `${'a'.repeat(62)}b`);
  expect(a).toHaveLength(64);
  expect(a).toMatch(/^platform-twenty-char-environment-twenty-c-aaaaaaaa-[0-9a-f]{8}-smtp$/);
  expect(a).not.toBe(b);
  expect(smtpUserName('acme', 'staging', 'web')).toBe('acme-staging-web-smtp');
});
